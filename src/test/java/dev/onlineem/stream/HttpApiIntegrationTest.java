package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.OnlineEmConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API of two {@code run} instances (their own JVMs) sharing one application id on the embedded
 * broker: each answers for every model, its own directly and the other's by forwarding to the owner; health,
 * the model list across instances, errors, and metrics that Prometheus' own parser reads.
 */
@Tag("integration")
class HttpApiIntegrationTest {
    static final int MODELS = 8;
    static final int POINTS_PER_MODEL = 400;
    static final int HOSTILE = 5;
    static final int SPIKE = 250;
    static final int REPEAT = 380;

    @TempDir
    Path tmp;

    @Test
    void shouldAnswerForEveryModelFromEitherInstanceByForwardingToItsOwner() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String bootstrap = broker.bootstrapServers();
            Map<String, Object> settings = StreamingIntegrationTest.config(bootstrap, "http-", tmp.resolve("unused"));
            StreamApp.createTopics(new OnlineEmConfig(settings), 2);
            int[] ports = {freePort(), freePort()};
            List<Process> instances = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Path config = KafkaTestSupport.propertiesFile(settings, tmp.resolve("i" + i + ".properties"),
                            "state.dir", tmp.resolve("state-" + i).toString(), "http.port", String.valueOf(ports[i]),
                            "application.server", "localhost:" + ports[i]);
                    instances.add(CrashRecoveryIntegrationTest.startChild(config, tmp.resolve("i" + i + ".log")));
                }
                String[] base = {"http://localhost:" + ports[0], "http://localhost:" + ports[1]};
                for (String b : base) {
                    JsonNode live = HttpTestSupport.await200(b + "/health/live", Duration.ofSeconds(60)).json();
                    assertEquals("UP", live.get("status").asText());
                }
                // both in the group with their tasks before any point: a task that moved after its points were processed
                // would have an owner whose recent points (this instance's memory since it started) are empty
                for (String b : base) {
                    HttpTestSupport.await200(b + "/health/ready", Duration.ofSeconds(60));
                }
                produce(bootstrap, (String) settings.get("points.topic"));
                try (KafkaConsumer<String, byte[]> c = KafkaTestSupport.consumer(bootstrap, (String) settings.get("assignments.topic"))) {
                    KafkaTestSupport.pollUntil(c, Duration.ofMinutes(2), all -> all.size() >= MODELS * POINTS_PER_MODEL);
                }
                for (String b : base) {
                    JsonNode ready = HttpTestSupport.await200(b + "/health/ready", Duration.ofSeconds(60)).json();
                    assertEquals("RUNNING", ready.get("state").asText());
                    assertEquals(0, ready.get("restoringPartitions").asInt());
                }

                // the list: every model, from either instance, with both instances named
                for (String b : base) {
                    JsonNode list = HttpTestSupport.get(b + "/models").json();
                    Set<String> ids = new TreeSet<>();
                    list.get("models").forEach(m -> {
                        ids.add(m.get("model").asText());
                        assertEquals(POINTS_PER_MODEL, m.get("pointsSeen").asLong(), m.toString());
                        assertTrue(m.get("lastPointTs").asLong() > 0, m.toString());
                    });
                    assertEquals(modelIds(), ids, list.toString());
                    assertEquals(2, list.get("instances").size(), list.toString());
                }

                // every model from both instances: the same model, owned by one, forwarded by the other
                Set<String> forwardedBy = new HashSet<>();
                for (String id : modelIds()) {
                    JsonNode a = HttpTestSupport.get(base[0] + "/models/" + id).json();
                    JsonNode b = HttpTestSupport.get(base[1] + "/models/" + id).json();
                    assertEquals(POINTS_PER_MODEL, a.get("pointsSeen").asLong(), a.toString());
                    assertEquals(a.get("means"), b.get("means"), id);
                    assertEquals(a.get("covariances"), b.get("covariances"), id);
                    assertEquals(a.get("owner"), b.get("owner"), id);
                    assertEquals(2, a.get("dimension").asInt());
                    assertEquals(a.get("components").asInt(), a.get("weights").size());
                    assertTrue(a.get("recent").has("anomalies") && a.get("featureState").get("names").size() == 2, a.toString());
                    for (JsonNode r : List.of(a, b)) {
                        if (!r.get("owner").equals(r.get("servedBy"))) {
                            forwardedBy.add(r.get("servedBy").asText());
                        }
                    }
                    JsonNode recent = HttpTestSupport.get(base[1] + "/models/" + id + "/recent").json();
                    assertTrue(recent.get("points").size() > 0, recent.toString());
                    JsonNode last = recent.get("points").get(recent.get("points").size() - 1);
                    assertEquals(POINTS_PER_MODEL, last.get("seen").asLong(), last.toString());
                    assertTrue(last.path("beyondRange").asBoolean(), "the far last point is beyond the range: " + last);
                    assertFalse(recent.get("points").get(0).has("beyondRange"), recent.get("points").get(0).toString());
                    boolean repeatShown = false;
                    for (JsonNode p : recent.get("points")) {
                        if (p.get("seen").asLong() == REPEAT + 1) {
                            repeatShown = p.path("repeat").asBoolean() && !p.get("anomaly").asBoolean();
                        }
                    }
                    assertTrue(repeatShown, "the second spike is marked a repeat, not an anomaly: " + recent);
                }
                assertEquals(Set.of("localhost:" + ports[0], "localhost:" + ports[1]), forwardedBy,
                        "each instance forwarded a request for a model the other owns");

                // errors
                HttpTestSupport.Reply unknown = HttpTestSupport.get(base[0] + "/models/no-such-model");
                assertEquals(404, unknown.status(), unknown.body());
                assertTrue(unknown.json().get("error").asText().contains("no-such-model"), unknown.body());
                assertEquals(404, HttpTestSupport.get(base[1] + "/models/no-such-model").status(), "404 through forwarding too");
                assertEquals(404, HttpTestSupport.get(base[0] + "/nothing-here").status());
                assertEquals(404, HttpTestSupport.get(base[0] + "/models/m-0/history").status());
                HttpTestSupport.Reply post = HttpTestSupport.send(HttpRequest.newBuilder(URI.create(base[0] + "/models/m-0"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
                assertEquals(405, post.status(), "nothing on the HTTP side can change a model");

                // metrics: ours, summed over the instances, and Kafka Streams' own
                double points = 0;
                double repeats = 0;
                double deadLetters = 0;
                for (String b : base) {
                    HttpTestSupport.Reply m = HttpTestSupport.get(b + "/metrics");
                    assertEquals(200, m.status());
                    assertTrue(m.contentType().startsWith("text/plain"), m.contentType());
                    points += HttpTestSupport.sample(m.body(), "onlineem_points_total");
                    repeats += HttpTestSupport.sample(m.body(), "onlineem_repeats_total");
                    for (String line : HttpTestSupport.samples(m.body(), "onlineem_dead_letters_total")) {
                        deadLetters += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    }
                    assertNotNull(HttpTestSupport.sample(m.body(), "onlineem_models_held"), "models held");
                    assertTrue(m.body().contains("onlineem_update_seconds_bucket{le="), "update latency histogram");
                    assertTrue(m.body().contains("onlineem_restore_remaining_records "), "restore progress");
                    assertTrue(m.body().contains("kafka_stream_thread_process_total"), "Kafka Streams' own metrics");
                }
                // a point processed by one instance and, after a rebalance aborted its transaction, again by the other counts twice
                assertTrue(points >= MODELS * POINTS_PER_MODEL, "points " + points);
                assertTrue(deadLetters >= HOSTILE, "dead letters " + deadLetters);
                assertTrue(repeats >= MODELS, "each model's second spike repeated its first: " + repeats);
            } finally {
                for (Process p : instances) {
                    p.destroy();
                }
                for (Process p : instances) {
                    p.waitFor();
                }
            }
        }
    }

    @Test
    void shouldServeMetricsThatPrometheusOwnParserReads() throws Exception {
        Assumptions.assumeTrue(HttpTestSupport.prometheusParserAvailable(),
                "Prometheus' Python client is not installed (apt-get install python3-prometheus-client; .ci/run installs it)");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            Map<String, Object> settings = StreamingIntegrationTest.config(broker.bootstrapServers(), "prom-", tmp.resolve("state"));
            settings.put("http.port", String.valueOf(freePort()));
            OnlineEmConfig config = new OnlineEmConfig(settings);
            try (StreamApp app = StreamApp.start(config, 1); dev.onlineem.http.HttpApi api = dev.onlineem.http.HttpApi.start(app, config)) {
                app.awaitRunning(Duration.ofSeconds(60));
                produce(broker.bootstrapServers(), config.pointsTopic());
                String base = "http://localhost:" + api.port();
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                String exposition;
                do {
                    Thread.sleep(200);
                    exposition = HttpTestSupport.get(base + "/metrics").body();
                    assertTrue(System.nanoTime() < deadline, "points not all scored:\n" + HttpTestSupport.samples(exposition, "onlineem_points_total"));
                } while (HttpTestSupport.sample(exposition, "onlineem_points_total") < MODELS * POINTS_PER_MODEL
                        || HttpTestSupport.samples(exposition, "onlineem_dead_letters_total").isEmpty());
                List<String> families = HttpTestSupport.parsePrometheus(exposition);
                Set<String> names = new TreeSet<>();
                for (String f : families) {
                    names.add(f.split(" ")[0]);
                }
                for (String expected : List.of("onlineem_points", "onlineem_anomalies", "onlineem_dead_letters", "onlineem_model_points",
                        "onlineem_update_seconds", "onlineem_models_held", "onlineem_restore_remaining_records", "kafka_stream_thread_process")) {
                    assertTrue(names.contains(expected), expected + " among the parsed families " + names);
                }
                assertTrue(families.size() > 50, "families parsed: " + families.size());
            }
        }
    }

    static Set<String> modelIds() {
        Set<String> ids = new TreeSet<>();
        for (int m = 0; m < MODELS; m++) {
            ids.add("m-" + m);
        }
        return ids;
    }

    /** Two-cluster 2-d points for each model, interleaved, and a few records that are not JSON. */
    static void produce(String bootstrap, String topic) {
        Random r = new Random(11);
        try (KafkaProducer<String, byte[]> p = KafkaTestSupport.producer(bootstrap)) {
            for (int i = 0; i < POINTS_PER_MODEL; i++) {
                for (int m = 0; m < MODELS; m++) {
                    double c = (i % 2) * (3 + m);
                    // a spike after warm-up, an alert; one near it later, a repeat; the last point far beyond every earlier one:
                    // the range rule flags it, and the recent view says so
                    String x = i == POINTS_PER_MODEL - 1 ? "1000,-1000"
                            : i == SPIKE ? "40,-40"
                            : i == REPEAT ? "39.5,-39.5"
                            : (c + r.nextGaussian()) + "," + (r.nextGaussian() - c);
                    String v = "{\"id\":\"p" + i + "\",\"x\":[" + x + "]}";
                    p.send(new ProducerRecord<>(topic, "m-" + m, v.getBytes(StandardCharsets.UTF_8)));
                }
            }
            for (int h = 0; h < HOSTILE; h++) {
                p.send(new ProducerRecord<>(topic, "m-" + h, ("not json " + h).getBytes(StandardCharsets.UTF_8)));
            }
        }
    }

    static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
