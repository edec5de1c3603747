package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.serde.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
class StreamingIntegrationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final Pattern BAD_ID = Pattern.compile("bad-\\d+");
    private static EmbeddedKafkaBroker broker;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.startTemporary();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    static Map<String, Object> config(String bootstrap, String prefix, Path stateDir) {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", bootstrap);
        m.put("application.id", prefix + "app");
        m.put("state.dir", stateDir.toString());
        m.put("commit.interval.ms", "100");
        m.put("points.topic", prefix + "points");
        m.put("ticks.topic", prefix + "ticks");
        m.put("regimes.topic", prefix + "regimes");
        m.put("assignments.topic", prefix + "assignments");
        m.put("anomalies.topic", prefix + "anomalies");
        m.put("models.topic", prefix + "models");
        m.put("dead.letter.topic", prefix + "dlq");
        m.put("model.init.points", "200");
        m.put("snapshot.every.points", "1000");
        m.put("model.override.fx-.k", "3");
        return m;
    }

    /** Good points of three models, with ids good-N; sensor-b has missing values. */
    static String goodPoint(int i, String model, Random r) {
        switch (model) {
            case "sensor-a":
                return "{\"id\":\"good-" + i + "\",\"x\":[" + (r.nextGaussian() + (i % 2) * 4) + "," + r.nextGaussian() + "]}";
            case "sensor-b":
                String y = r.nextDouble() < 0.2 ? "null" : Double.toString(r.nextGaussian() * 2);
                return "{\"id\":\"good-" + i + "\",\"ts\":" + (1_700_000_000_000L + i) + ",\"x\":[" + r.nextGaussian() + "," + y + "," + (r.nextGaussian() - 3) + "]}";
            default:
                return "{\"id\":\"good-" + i + "\",\"x\":[" + (r.nextGaussian() + (i % 3) * 5) + "]}";
        }
    }

    static final String[] MODELS = {"sensor-a", "sensor-b", "fx-c"};

    @Test
    void shouldAccountForEveryPointExactlyOnceAndResumeFromTheChangelog() throws Exception {
        String prefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
        OnlineEmConfig config = new OnlineEmConfig(config(broker.bootstrapServers(), prefix, tmp.resolve("state-1")));
        Set<String> good = new HashSet<>();
        Set<String> bad = new HashSet<>();
        Map<String, Integer> perModel = new HashMap<>();
        Random r = new Random(17);
        try (StreamApp app = StreamApp.start(config, 2);
             KafkaProducer<String, byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
            for (int i = 0; i < 20_000; i++) {
                String model = MODELS[i % 3];
                producer.send(new ProducerRecord<>(config.pointsTopic(), model, goodPoint(i, model, r).getBytes(StandardCharsets.UTF_8)));
                good.add("good-" + i);
                perModel.merge(model, 1, Integer::sum);
                if (i % 500 == 250) {
                    int b = i / 500;
                    String[] hostile = {
                        "{\"id\":\"bad-" + b + "a\",\"x\":[1,2",                       // truncated JSON
                        "{\"id\":\"bad-" + b + "b\",\"x\":[1,\"two\"]}",               // string inside x
                        "{\"id\":\"bad-" + b + "c\",\"x\":[1,2,3,4,5]}",               // wrong dimension for sensor-a
                        "{\"id\":\"bad-" + b + "d\",\"x\":[1e400,1]}",                 // not a finite double
                        "{\"id\":\"bad-" + b + "e\",\"x\":[]}",                        // empty x
                    };
                    for (String h : hostile) {
                        producer.send(new ProducerRecord<>(config.pointsTopic(), "sensor-a", h.getBytes(StandardCharsets.UTF_8)));
                        bad.add(h.substring(7, h.indexOf('"', 7)));
                    }
                    producer.send(new ProducerRecord<>(config.pointsTopic(), null, ("{\"id\":\"bad-" + b + "f\",\"x\":[1,2]}").getBytes(StandardCharsets.UTF_8)));
                    bad.add("bad-" + b + "f");
                }
            }
            producer.flush();
            Map<String, Long> lastPointsSeen = new HashMap<>();
            try (KafkaConsumer<String, byte[]> assignments = KafkaTestSupport.consumer(broker.bootstrapServers(), config.assignmentsTopic());
                 KafkaConsumer<String, byte[]> dlq = KafkaTestSupport.consumer(broker.bootstrapServers(), config.deadLetterTopic())) {
                List<ConsumerRecord<String, byte[]>> out = KafkaTestSupport.pollUntil(assignments, TIMEOUT, l -> l.size() >= good.size());
                List<ConsumerRecord<String, byte[]>> dead = KafkaTestSupport.pollUntil(dlq, TIMEOUT, l -> l.size() >= bad.size());
                Set<String> seen = new HashSet<>();
                for (ConsumerRecord<String, byte[]> rec : out) {
                    JsonNode a = Json.mapper().readTree(rec.value());
                    assertTrue(seen.add(a.get("id").asText()), "duplicate assignment for " + a.get("id"));
                    lastPointsSeen.merge(rec.key(), a.get("pointsSeen").asLong(), Math::max);
                    assertTrue(a.get("warmup").asBoolean() || Double.isFinite(a.get("logDensity").asDouble()));
                }
                assertEquals(good, seen);
                Set<String> deadIds = new HashSet<>();
                for (ConsumerRecord<String, byte[]> rec : dead) {
                    Matcher m = Pattern.compile("bad-\\d+[a-f]").matcher(new String(rec.value(), StandardCharsets.UTF_8));
                    assertTrue(m.find());
                    assertTrue(deadIds.add(m.group()), "duplicate dead letter " + m.group());
                    assertTrue(rec.headers().lastHeader("__streams.errors.message") != null, "dead letter without a reason");
                }
                assertEquals(bad, deadIds);
                // nothing more arrives: exactly one output per input
                assertTrue(assignments.poll(Duration.ofSeconds(1)).isEmpty());
            }
            for (String model : MODELS) {
                assertEquals((long) perModel.get(model), lastPointsSeen.get(model), model);
            }
            try (KafkaConsumer<String, byte[]> models = KafkaTestSupport.consumer(broker.bootstrapServers(), config.modelsTopic())) {
                List<ConsumerRecord<String, byte[]>> snaps = KafkaTestSupport.pollUntil(models, TIMEOUT,
                        l -> l.stream().map(ConsumerRecord::key).distinct().count() == 3);
                JsonNode fx = Json.mapper().readTree(snaps.stream().filter(s -> s.key().equals("fx-c")).findFirst().orElseThrow().value());
                assertEquals(3, fx.get("weights").size());
            }
            app.close();

            // A new instance with an empty state directory restores every model from the changelog.
            OnlineEmConfig again = new OnlineEmConfig(config(broker.bootstrapServers(), prefix, tmp.resolve("state-2")));
            try (StreamApp restarted = StreamApp.start(again, 2);
                 KafkaConsumer<String, byte[]> assignments = KafkaTestSupport.consumer(broker.bootstrapServers(), config.assignmentsTopic())) {
                for (int i = 0; i < 30; i++) {
                    producer.send(new ProducerRecord<>(config.pointsTopic(), "sensor-a", goodPoint(100_000 + i, "sensor-a", r).getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush();
                List<ConsumerRecord<String, byte[]>> out = KafkaTestSupport.pollUntil(assignments, TIMEOUT, l -> l.size() >= good.size() + 30);
                JsonNode first = Json.mapper().readTree(out.stream().filter(x -> new String(x.value(), StandardCharsets.UTF_8).contains("good-100000\""))
                        .findFirst().orElseThrow().value());
                assertEquals(perModel.get("sensor-a") + 1L, first.get("pointsSeen").asLong());
                assertFalse(first.get("warmup").asBoolean());
            }
        }
    }
}
