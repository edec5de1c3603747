package dev.onlineem.bench;

import dev.onlineem.serde.AssignmentMessage;
import dev.onlineem.serde.AssignmentSerializer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing one assignment of a K=4 model past its warm-up (4 responsibilities, log-density, p-value, score), as the bench's
 * online-EM topology writes one per point. Run:
 * {@code mvn -Pjmh test-compile exec:exec -Djmh.args="dev.onlineem.bench.AssignmentWriteBenchmark"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AssignmentWriteBenchmark {
    private final AssignmentSerializer serializer = new AssignmentSerializer();
    private final AssignmentMessage assignment = new AssignmentMessage("m-3", "L123456", 1_700_000_123_456L, 2,
            new double[] {3.2164987612345678E-13, 0.0071234567890123456, 0.99287654321098765, 1.2345678901234567E-40},
            null, null, -3.2109876543210987, 0.41234567890123456, 0.58765432109876543, false, null, 123_456L, 123_456L, false);

    @Benchmark
    public byte[] write() {
        return serializer.serialize("assignments", assignment);
    }
}
