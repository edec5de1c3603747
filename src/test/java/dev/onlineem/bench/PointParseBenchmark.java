package dev.onlineem.bench;

import dev.onlineem.serde.Point;
import dev.onlineem.serde.PointDeserializer;
import java.nio.charset.StandardCharsets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * Reading one input point: {@code plain} is the bench's 74-byte point, which the point scanner reads; {@code escaped} is the
 * same point with one character of its id written as a JSON escape ({@code \u002d} for '-'), which the scanner leaves to
 * Jackson's streaming parser, the path every point took before the scanner. Run:
 * {@code mvn -Pjmh test-compile exec:exec -Djmh.args="dev.onlineem.bench.PointParseBenchmark"}.
 */
public class PointParseBenchmark extends NanosPerCallBenchmark {
    @Param({"plain", "escaped"})
    public String record;

    private final PointDeserializer deserializer = new PointDeserializer(64, 1 << 20);
    private byte[] data;

    @Setup
    public void setUp() {
        String id = "plain".equals(record) ? "m-3-000123456" : "m\\u002d3-000123456";
        data = ("{\"id\":\"" + id + "\",\"ts\":1732000000123,\"x\":[-1.2345678901234567,3.2109876543210987]}")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public Point read() {
        return deserializer.deserialize("points", data);
    }
}
