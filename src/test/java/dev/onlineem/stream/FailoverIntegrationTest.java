package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.OnlineEmConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failover with the service's defaults (an instance id derived from host and state directory, a 10 s
 * session timeout): the time from
 * SIGKILL of a processor JVM to the first output for points sent after the kill, for every model, while
 * points keep arriving at 400 a second over 2 partitions. The tests check that the work resumes and that
 * the instances are static members; the times are printed as figures (README, "Reliability"), not asserted:
 * a loaded machine must not fail a test by being slow.
 */
@Tag("integration")
class FailoverIntegrationTest {
    private static final List<String> MODELS = List.of("fo-a", "fo-b", "fo-c", "fo-d");

    @TempDir
    Path tmp;

    @Test
    void shouldResumeOutputSoonAfterAKilledInstanceRestarts() throws Exception {
        try (Scenario s = new Scenario("restart", 0)) {
            Process a = s.start("a");
            s.awaitFlowing();
            long killed = s.kill(a);
            Process again = s.start("a"); // the same instance restarted: same state directory
            try {
                double seconds = s.secondsUntilEveryModelResumes(killed);
                System.out.printf("failover figure: SIGKILL to first output of every model, instance restarted, no standby: %.1f s%n", seconds);
                // the restarted instance came back under the id of the one killed: one static member, no second one
                List<String> members = s.staticMembers();
                assertEquals(1, members.size(), "static members " + members);
            } finally {
                again.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @ParameterizedTest(name = "num.standby.replicas={0}")
    @ValueSource(ints = {0, 1})
    void shouldMoveAKilledInstancesModelsToTheOtherInstance(int standbys) throws Exception {
        try (Scenario s = new Scenario("standby" + standbys, standbys)) {
            Process a = s.start("a");
            Process b = s.start("b");
            try {
                s.awaitFlowing();
                Thread.sleep(5_000); // both members in the group, standbys restored
                long killed = s.kill(a);
                double seconds = s.secondsUntilEveryModelResumes(killed);
                System.out.printf("failover figure: SIGKILL to first output of every model, the other instance takes over, %d standby: %.1f s%n", standbys, seconds);
                assertEquals(1, s.staticMembers().size(), "the killed member left the group: " + s.staticMembers());
            } finally {
                b.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** A broker, topics, a steady producer and the outputs; instances are child JVMs. */
    private final class Scenario implements AutoCloseable {
        final EmbeddedKafkaBroker broker;
        final Map<String, Object> settings;
        final OnlineEmConfig config;
        final Outputs out;
        final Map<String, Long> sentAt = new ConcurrentHashMap<>(); // point id -> System.nanoTime() when sent
        final AtomicBoolean producing = new AtomicBoolean(true);
        final Thread producer;
        final String name;

        Scenario(String name, int standbys) throws Exception {
            this.name = name;
            broker = EmbeddedKafkaBroker.startTemporary();
            settings = StreamingIntegrationTest.config(broker.bootstrapServers(), "fo" + name + "-", tmp.resolve("unused"));
            settings.put("num.standby.replicas", String.valueOf(standbys));
            config = new OnlineEmConfig(settings);
            StreamApp.createTopics(config, 2);
            out = new Outputs(broker.bootstrapServers(), config);
            producer = new Thread(this::produce, "failover-producer");
            producer.start();
        }

        private void produce() {
            Random r = new Random(3);
            try (KafkaProducer<String, byte[]> p = KafkaTestSupport.producer(broker.bootstrapServers())) {
                for (int i = 0; producing.get(); i++) {
                    String model = MODELS.get(i % MODELS.size());
                    String id = model + "-" + i;
                    String json = "{\"id\":\"" + id + "\",\"x\":[" + r.nextGaussian() + "," + r.nextGaussian() + "]}";
                    p.send(new ProducerRecord<>(config.pointsTopic(), model, json.getBytes(StandardCharsets.UTF_8)));
                    p.flush();
                    sentAt.put(id, System.nanoTime());
                    Thread.sleep(2, 500_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        Process start(String instance) throws Exception {
            Path cfg = KafkaTestSupport.propertiesFile(settings, tmp.resolve(name + "-" + instance + ".properties"),
                    "state.dir", tmp.resolve(name + "-state-" + instance).toString());
            return CrashRecoveryIntegrationTest.startChild(cfg, tmp.resolve(name + "-" + instance + "-" + System.nanoTime() + ".log"));
        }

        /** The group.instance.id of every member of the application's consumer group. */
        List<String> staticMembers() throws Exception {
            String app = (String) settings.get("application.id");
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(app)).all().get(30, TimeUnit.SECONDS).get(app);
                List<String> ids = new ArrayList<>();
                for (MemberDescription m : g.members()) {
                    String id = m.groupInstanceId().orElseThrow(() -> new AssertionError("a dynamic member: " + m));
                    assertTrue(id.startsWith(app + "-"), id);
                    ids.add(id);
                }
                return ids;
            }
        }

        void awaitFlowing() {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (out.assignments.size() < 2_000) {
                assertTrue(System.nanoTime() < deadline, "no steady output: " + out.assignments.size() + " assignments");
                out.poll();
            }
        }

        long kill(Process p) throws Exception {
            p.destroyForcibly(); // SIGKILL
            long at = System.nanoTime();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            return at;
        }

        /** Seconds from the kill until every model has an assignment for a point sent after the kill. */
        double secondsUntilEveryModelResumes(long killedAt) {
            long deadline = killedAt + TimeUnit.MINUTES.toNanos(2);
            Map<String, Long> resumed = new ConcurrentHashMap<>();
            while (resumed.size() < MODELS.size()) {
                assertTrue(System.nanoTime() < deadline, "models resumed after the kill: " + resumed.keySet());
                out.poll();
                long now = System.nanoTime();
                for (Map.Entry<String, List<JsonNode>> e : out.assignments.entrySet()) {
                    Long sent = sentAt.get(e.getKey());
                    if (sent != null && sent > killedAt) {
                        resumed.putIfAbsent(e.getValue().get(0).get("model").asText(), now);
                    }
                }
            }
            long last = resumed.values().stream().mapToLong(Long::longValue).max().getAsLong();
            return (last - killedAt) / 1e9;
        }

        @Override
        public void close() throws Exception {
            producing.set(false);
            producer.join(10_000);
            out.close();
            broker.close();
        }
    }
}
