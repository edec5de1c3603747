package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.AssignmentsMode;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.serde.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * assignments.mode on a real broker: compact assignments carry the scores without the vectors, off publishes none, and in
 * every mode each anomaly reaches the anomalies topic once with its full record and each bad record the dead-letter topic.
 */
@Tag("integration")
class AssignmentsModeIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int POINTS = 3000;

    @TempDir
    Path tmp;

    @Test
    void shouldPublishCompactAssignmentsForOnePrefixAndNoneForAnotherWithEveryAnomalyInFull() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            Map<String, Object> m = StreamingIntegrationTest.config(broker.bootstrapServers(), "mode-", tmp.resolve("state"));
            m.put("assignments.mode", "compact");
            m.put("assignments.override.quiet-.mode", "off");
            m.put("assignments.override.quiet-full-.mode", "full");
            m.put("model.anomaly.suppress.points", "0"); // so that every injected outlier is an alert
            OnlineEmConfig config = new OnlineEmConfig(m);
            String[] models = {"loud-a", "quiet-b", "quiet-full-c"};
            Random r = new Random(5);
            Set<String> outliers = new HashSet<>();
            int bad = 0;
            try (StreamApp app = StreamApp.start(config, 2);
                 KafkaProducer<String, byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
                for (int i = 0; i < POINTS; i++) {
                    String model = models[i % 3];
                    boolean outlier = i >= 1500 && i % 600 < 3; // one each of every model, four times
                    double x = outlier ? 60 : r.nextGaussian() + (i % 2) * 4;
                    // every model's third coordinate is missing now and then, so that full records carry imputed values
                    String z = i % 10 == 0 ? "null" : Double.toString(r.nextGaussian());
                    String v = "{\"id\":\"p" + i + "\",\"x\":[" + x + "," + r.nextGaussian() + "," + z + "]}";
                    if (outlier) {
                        outliers.add("p" + i);
                    }
                    producer.send(new ProducerRecord<>(config.pointsTopic(), model, v.getBytes(StandardCharsets.UTF_8)));
                    if (i % 1000 == 500) {
                        producer.send(new ProducerRecord<>(config.pointsTopic(), model, "{\"x\":[1,".getBytes(StandardCharsets.UTF_8)));
                        bad++;
                    }
                }
                producer.flush();
                try (KafkaConsumer<String, byte[]> assignments = KafkaTestSupport.consumer(broker.bootstrapServers(), config.assignmentsTopic());
                     KafkaConsumer<String, byte[]> anomalies = KafkaTestSupport.consumer(broker.bootstrapServers(), config.anomaliesTopic());
                     KafkaConsumer<String, byte[]> dlq = KafkaTestSupport.consumer(broker.bootstrapServers(), config.deadLetterTopic())) {
                    int expected = 2 * POINTS / 3; // loud-a (compact) and quiet-full-c (full); quiet-b publishes none
                    List<ConsumerRecord<String, byte[]>> out = KafkaTestSupport.pollUntil(assignments, TIMEOUT, l -> l.size() >= expected);
                    int bads = bad;
                    List<ConsumerRecord<String, byte[]>> dead = KafkaTestSupport.pollUntil(dlq, TIMEOUT, l -> l.size() >= bads);
                    assertEquals(bad, dead.size(), "every bad record, once, in every mode");
                    Set<String> ids = new HashSet<>();
                    for (ConsumerRecord<String, byte[]> rec : out) {
                        JsonNode a = Json.mapper().readTree(rec.value());
                        assertTrue(ids.add(a.get("id").asText()), "duplicate assignment " + a.get("id"));
                        assertFalse(rec.key().equals("quiet-b"), "assignments.override.quiet-.mode=off publishes no assignment");
                        boolean compact = rec.key().equals("loud-a");
                        // the compact record: no model id (the key), no pointsSeen, warmup only when true
                        assertEquals(!compact, a.has("model") && a.has("pointsSeen"), a.toString());
                        assertEquals(!compact || a.path("warmup").asBoolean(), a.has("warmup"), a.toString());
                        if (!a.path("warmup").asBoolean()) {
                            assertTrue(a.has("logDensity") && a.has("pValue") && a.has("anomalyScore") && a.has("cluster") && a.has("modelVersion"), a.toString());
                            assertEquals(!compact, a.has("responsibilities"), a.toString());
                            int i = Integer.parseInt(a.get("id").asText().substring(1));
                            assertEquals(!compact && i % 10 == 0, a.has("imputed"), a.toString());
                        }
                    }
                    assertEquals(expected, ids.size());
                    assertTrue(assignments.poll(Duration.ofSeconds(1)).isEmpty(), "nothing more: one assignment per point");
                    // every anomaly in full, whatever the model's assignments mode; the injected outliers of every model among them
                    List<ConsumerRecord<String, byte[]>> alerts = KafkaTestSupport.pollUntil(anomalies, TIMEOUT,
                            l -> outliers.stream().allMatch(o -> l.stream().anyMatch(rec -> new String(rec.value(), StandardCharsets.UTF_8).contains("\"" + o + "\""))));
                    Set<String> alertIds = new HashSet<>();
                    Set<String> alertModels = new HashSet<>();
                    for (ConsumerRecord<String, byte[]> rec : alerts) {
                        JsonNode a = Json.mapper().readTree(rec.value());
                        assertTrue(alertIds.add(a.get("id").asText()), "duplicate anomaly " + a.get("id"));
                        // a provisional score (warm-up) has no vectors in any mode
                        assertTrue(a.get("anomaly").asBoolean() && (a.has("responsibilities") || a.path("warmup").asBoolean()), "an anomaly's full record: " + a);
                        alertModels.add(rec.key());
                    }
                    assertTrue(alertIds.containsAll(outliers));
                    assertEquals(Set.of(models), alertModels);
                }
            }
        }
    }

    @Test
    void shouldRejectAnUnknownModeOrAMisspeltOverrideNamingTheSetting() {
        Map<String, Object> m = new HashMap<>(Map.of("bootstrap.servers", "localhost:9092", "assignments.mode", "none"));
        ConfigException e = assertThrows(ConfigException.class, () -> new OnlineEmConfig(m));
        assertTrue(e.getMessage().contains("assignments.mode"), e.getMessage());
        ConfigException o = assertThrows(ConfigException.class,
                () -> new OnlineEmConfig(Map.of("bootstrap.servers", "localhost:9092", "assignments.override.fx-.mod", "off")));
        assertTrue(o.getMessage().contains("assignments.override.<prefix>.mode"), o.getMessage());
        ConfigException t = assertThrows(ConfigException.class,
                () -> new OnlineEmConfig(Map.of("bootstrap.servers", "localhost:9092", "assignments.mod", "off")));
        assertTrue(t.getMessage().contains("did you mean assignments.mode"), t.getMessage());
        OnlineEmConfig c = new OnlineEmConfig(Map.of("bootstrap.servers", "localhost:9092", "assignments.override.fx-.mode", "off"));
        assertEquals(AssignmentsMode.OFF, c.assignmentsModeFor("fx-eur"));
        assertEquals(AssignmentsMode.FULL, c.assignmentsModeFor("sensor-1"));
    }
}
