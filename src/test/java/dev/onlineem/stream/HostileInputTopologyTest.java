package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.serde.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Numerically hostile but valid streams, and the limits, through the whole topology. */
class HostileInputTopologyTest {
    @TempDir
    Path stateDir;

    private TopologyTestDriver driver(Map<String, Object> extra) {
        Map<String, Object> m = OnlineEmTopologyTest.baseConfig(stateDir);
        m.put("snapshot.every.points", "25");
        m.putAll(extra);
        OnlineEmConfig config = new OnlineEmConfig(m);
        return new TopologyTestDriver(OnlineEmTopology.build(config), StreamApp.properties(config));
    }

    private static void send(TestInputTopic<String, byte[]> in, String key, double... x) {
        StringBuilder sb = new StringBuilder("{\"x\":[");
        for (int i = 0; i < x.length; i++) {
            sb.append(i > 0 ? "," : "").append(x[i]);
        }
        in.pipeInput(key, sb.append("]}").toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Fails on any NaN or infinite number, or a "NaN"/"Infinity" string, anywhere in the document. */
    private static void assertAllFinite(JsonNode n, String where) {
        if (n.isNumber()) {
            assertTrue(Double.isFinite(n.asDouble()), where + ": " + n);
        } else if (n.isTextual()) {
            assertFalse(n.asText().matches("(?i)[-+]?(nan|infinity|inf)"), where + ": " + n);
        } else {
            n.elements().forEachRemaining(c -> assertAllFinite(c, where));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"full", "diag", "spherical"})
    void shouldNeverPublishNaNOrInfinityOnNumericallyHostileStreams(String covarianceType) throws Exception {
        try (TopologyTestDriver d = driver(Map.of("model.covariance.type", covarianceType))) {
            TestInputTopic<String, byte[]> in = d.createInputTopic("points", new StringSerializer(), new ByteArraySerializer());
            Random r = new Random(4);
            for (int i = 0; i < 400; i++) {
                send(in, "constant", 3.0, -7.0);                                  // zero variance in every direction
                double t = r.nextGaussian();
                send(in, "collinear", t, 2 * t + 1, -t);                           // rank-one covariance
                send(in, "huge", 1e150 * (1 + r.nextGaussian()), 1e150 * r.nextGaussian()); // values of 1e150
                send(in, "mixed-scale", 1e150 * r.nextGaussian(), 1e-150 * r.nextGaussian());
                send(in, "burst", i < 100 ? r.nextGaussian() : 0.25, i < 100 ? r.nextGaussian() + (i % 2) * 5 : 0.5); // then 300 identical
                send(in, "edge", i % 2 == 0 ? 1e152 : -1e152, 0);                  // the largest accepted magnitude
            }
            List<TestRecord<String, String>> all = new ArrayList<>();
            for (String topic : new String[] {"assignments", "anomalies", "models"}) {
                all.addAll(d.createOutputTopic(topic, new StringDeserializer(), new StringDeserializer()).readRecordsToList());
            }
            assertTrue(all.size() > 6 * 400, "every point scored and snapshots published: " + all.size());
            for (TestRecord<String, String> rec : all) {
                assertAllFinite(Json.mapper().readTree(rec.value()), rec.key() + " " + rec.value().substring(0, Math.min(200, rec.value().length())));
            }
            List<TestRecord<byte[], byte[]>> dead = d.createOutputTopic("points-dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .readRecordsToList();
            assertEquals(List.of(), dead, "valid points must not be rejected");
        }
    }

    @Test
    void shouldDeadLetterPointsForNewModelsBeyondMaxModelsAndKeepServingTheOthers() throws Exception {
        long before = deadLettersByReason().getOrDefault("model limit reached", 0L);
        try (TopologyTestDriver d = driver(Map.of("max.models", "2"))) {
            TestInputTopic<String, byte[]> in = d.createInputTopic("points", new StringSerializer(), new ByteArraySerializer());
            send(in, "first", 1.0);
            send(in, "second", 2.0);
            send(in, "third", 3.0);
            send(in, "first", 1.5);
            var assignments = d.createOutputTopic("assignments", new StringDeserializer(), new StringDeserializer()).readRecordsToList();
            assertEquals(List.of("first", "second", "first"), assignments.stream().map(TestRecord::key).toList());
            var dead = d.createOutputTopic("points-dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
            assertEquals(1, dead.size());
            String reason = Outputs.header(dead.get(0).headers(), "__streams.errors.message");
            assertTrue(reason.contains("max.models = 2") && reason.contains("third"), reason);
            assertEquals(before + 1, deadLettersByReason().get("model limit reached"), "dead letters counted by reason over JMX");
        }
    }

    /** The dead-letter counts by reason as a JMX client reads them. */
    @SuppressWarnings("unchecked")
    private static Map<String, Long> deadLettersByReason() throws Exception {
        DeadLetterCounts.get(); // registers the MXBean
        javax.management.openmbean.TabularData t = (javax.management.openmbean.TabularData) java.lang.management.ManagementFactory
                .getPlatformMBeanServer().getAttribute(new javax.management.ObjectName(DeadLetterCounts.OBJECT_NAME), "CountsByReason");
        Map<String, Long> m = new java.util.TreeMap<>();
        for (Object row : t.values()) {
            javax.management.openmbean.CompositeData c = (javax.management.openmbean.CompositeData) row;
            m.put((String) c.get("key"), (Long) c.get("value"));
        }
        return m;
    }

    @Test
    void shouldCutAnOversizedKeyInTheDeadLetterAndSaySo() {
        try (TopologyTestDriver d = driver(Map.of())) {
            TestInputTopic<String, byte[]> in = d.createInputTopic("points", new StringSerializer(), new ByteArraySerializer());
            send(in, "k".repeat(100_000), 1.0);
            var dead = d.createOutputTopic("points-dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
            assertEquals(1, dead.size());
            assertEquals(DeadLetters.MAX_KEY_BYTES, dead.get(0).key().length);
            String cut = Outputs.header(dead.get(0).headers(), DeadLetters.TRUNCATED_HEADER);
            assertNotNull(cut);
            assertTrue(cut.contains("key of 100000 bytes"), cut);
            assertTrue(Outputs.header(dead.get(0).headers(), "__streams.errors.message").contains("too long"));
        }
    }
}
