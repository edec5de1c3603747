package dev.onlineem.bench;

import dev.onlineem.serde.AssignmentMessage;
import dev.onlineem.serde.AssignmentSerializer;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * Writing one assignment of a K=4 model past its warm-up (4 responsibilities, log-density, p-value, score), as the bench's
 * online-EM topology writes one per point. Run:
 * {@code mvn -Pjmh test-compile exec:exec -Djmh.args="dev.onlineem.bench.AssignmentWriteBenchmark"}.
 */
public class AssignmentWriteBenchmark extends NanosPerCallBenchmark {
    private final AssignmentSerializer serializer = new AssignmentSerializer();
    private final AssignmentMessage assignment = AssignmentMessage.cluster("m-3", "L123456", 1_700_000_123_456L, 2,
            new double[] {3.2164987612345678E-13, 0.0071234567890123456, 0.99287654321098765, 1.2345678901234567E-40},
            -3.2109876543210987, 0.41234567890123456, 0.58765432109876543, false, null, 123_456L, 123_456L);

    @Benchmark
    public byte[] write() {
        return serializer.serialize("assignments", assignment);
    }
}
