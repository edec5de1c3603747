package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.cli.MarketSimulator;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.features.TickBars;
import dev.onlineem.serde.JsonSerializer;
import dev.onlineem.serde.Tick;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once under crashes and broker restarts. One input stream (200,000 good points over five
 * models, one of them an HMM, with bad records among them; and the ticks of two symbols, with bad and
 * late ticks, whose bars feed two HMMs) is processed three times: uninterrupted, which is the
 * reference; by a separate JVM killed with SIGKILL at five random moments and restarted each time;
 * and in-process across a broker stop and start. Every run must account for every input exactly once
 * and publish the same assignments and final parameters as the reference.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashRecoveryIntegrationTest {
    static final String[] MODELS = {"crash-a", "crash-b", "crash-c", "crash-d", "crash-h"};
    static final String TICKS = "crash-ticks";
    static final int BARS = 1_000;
    static final String[] RUNS = {"ref", "crash", "restart"};
    static final int GOOD = 200_000;
    static final int PER_MODEL = GOOD / MODELS.length;
    static final double TOLERANCE = 1e-9;

    @TempDir
    static Path tmp;
    private EmbeddedKafkaBroker broker;
    private final Set<String> goodIds = new HashSet<>();
    private final Map<String, Set<String>> badCoordinates = new HashMap<>(); // run -> "topic/partition/offset"
    private Outputs reference;

    @BeforeAll
    void feedAndRunTheReference() throws Exception {
        broker = EmbeddedKafkaBroker.startTemporary();
        OnlineEmConfig ref = config("ref", tmp.resolve("ref-state"));
        for (String run : RUNS) {
            StreamApp.createTopics(config(run, tmp.resolve(run + "-state")), 2);
        }
        feed();
        reference = new Outputs(broker.bootstrapServers(), ref);
        try (StreamApp app = StreamApp.start(ref, 2)) {
            reference.awaitAccounted(goodIds.size() + badCoordinates.get("ref").size(), Duration.ofMinutes(5));
            for (String m : MODELS) {
                reference.snapshotAt(m, PER_MODEL, Duration.ofMinutes(1));
            }
        }
        assertExactlyOnce(reference, "ref");
    }

    @AfterAll
    void stopBroker() {
        if (reference != null) {
            reference.close();
        }
        broker.close();
    }

    /**
     * The integration-test settings with the topics of this run. Every run reads the same points (fed to
     * its own points topic, which its tick stage also writes bars to) and the one ticks topic.
     */
    Map<String, Object> settings(String name, Path stateDir) {
        Map<String, Object> m = StreamingIntegrationTest.config(broker.bootstrapServers(), name + "-", stateDir);
        m.put("ticks.topic", TICKS);
        m.put("ticks.bar.ms", "1000");
        m.put("model.override.ticks/.type", "hmm");
        m.put("model.override.crash-h.type", "hmm");
        m.put("model.override.crash-h.k", "3");
        m.put("model.init.points", "500");
        m.put("model.override.crash-c.k", "3");
        m.put("model.override.crash-c.distribution", "student-t"); // t components and a t HMM ride the kills bit for bit too
        m.put("model.override.crash-h.distribution", "student-t");
        m.put("model.override.crash-d.half.life", "5000");
        return m;
    }

    OnlineEmConfig config(String name, Path stateDir) {
        return new OnlineEmConfig(settings(name, stateDir));
    }

    /**
     * 200,000 good points round-robin over the models, and a bad record after every 200th once the models
     * exist, to every run's points topic; the ticks of 1,000 one-second bars of two symbols, with a bad or
     * late tick after every 100th, to the ticks topic. The good ids are the points' and the bars'.
     */
    private void feed() throws Exception {
        Random r = new Random(2026);
        Map<String, List<Future<RecordMetadata>>> bad = new HashMap<>();
        try (KafkaProducer<String, byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
            for (int i = 0; i < GOOD; i++) {
                String model = MODELS[i % MODELS.length];
                String id = "g" + i;
                byte[] good = point(id, model, i / MODELS.length, r).getBytes(StandardCharsets.UTF_8);
                String[] kinds = {"not json at all", "{\"id\":\"b" + i + "\",\"x\":[1,2,3,4,5,6,7]}", "{\"id\":\"b" + i + "\",\"x\":[]}"};
                for (String run : RUNS) {
                    String topic = config(run, tmp).pointsTopic();
                    producer.send(new ProducerRecord<>(topic, model, good));
                    if (i >= 5000 && i % 200 == 0) {
                        bad.computeIfAbsent(run, k -> new ArrayList<>()).add(producer.send(
                                new ProducerRecord<>(topic, model, kinds[(i / 200) % 3].getBytes(StandardCharsets.UTF_8))));
                    }
                }
                goodIds.add(id);
            }
            // event time of a live feed (the last day), record timestamps now: see FuzzIntegrationTest
            MarketSimulator market = new MarketSimulator(2026, List.of("XA", "XB"), 1000, (System.currentTimeMillis() - 86_400_000L) / 1000 * 1000);
            Map<String, TickBars> bars = new HashMap<>();
            List<Future<RecordMetadata>> badTicks = new ArrayList<>();
            int n = 0;
            for (int b = 0; b < BARS; b++) {
                for (Tick t : market.bar(b)) {
                    producer.send(new ProducerRecord<>(TICKS, t.symbol(), new JsonSerializer<Tick>().serialize(TICKS, t)));
                    List<TickBars.Bar> closed = new ArrayList<>();
                    bars.computeIfAbsent(t.symbol(), s -> new TickBars(config("ref", tmp).barSettings())).accept(t.price(), t.size(), t.ts(), closed);
                    for (TickBars.Bar c : closed) {
                        goodIds.add(t.symbol() + "@" + Instant.ofEpochMilli(c.start()));
                    }
                    if (b > 5 && ++n % 100 == 0) {
                        String v = n % 200 == 0 ? "{\"price\":-1,\"ts\":" + t.ts() + "}" : "{\"price\":100,\"ts\":" + (t.ts() - 3000) + "}";
                        badTicks.add(producer.send(new ProducerRecord<>(TICKS, t.symbol(), v.getBytes(StandardCharsets.UTF_8))));
                    }
                }
            }
            for (String run : RUNS) {
                bad.get(run).addAll(badTicks);
            }
        }
        for (Map.Entry<String, List<Future<RecordMetadata>>> e : bad.entrySet()) {
            Set<String> where = badCoordinates.computeIfAbsent(e.getKey(), k -> new HashSet<>());
            for (Future<RecordMetadata> f : e.getValue()) {
                RecordMetadata md = f.get();
                where.add(md.topic() + "/" + md.partition() + "/" + md.offset());
            }
        }
    }

    static String point(String id, String model, int own, Random r) {
        StringBuilder x = new StringBuilder();
        switch (model) {
            case "crash-a":
                x.append(r.nextGaussian() + (own % 2) * 5).append(',').append(r.nextGaussian());
                break;
            case "crash-b":
                for (int j = 0; j < 3; j++) {
                    x.append(j > 0 ? "," : "").append(r.nextDouble() < 0.2 && j < 2 ? "null" : Double.toString(r.nextGaussian() * (1 + j) + (own % 2) * 4));
                }
                break;
            case "crash-c":
                x.append(r.nextGaussian() * 0.5 + (own % 3) * 3);
                break;
            case "crash-h": { // a sticky 3-state chain in 2-d, some coordinates missing
                int state = (own / 50) % 3;
                x.append(r.nextGaussian() + state * 4).append(',').append(r.nextDouble() < 0.1 ? "null" : Double.toString(r.nextGaussian() - state));
                break;
            }
            default:
                double shift = own < PER_MODEL / 2 ? 0 : 2;
                for (int j = 0; j < 4; j++) {
                    x.append(j > 0 ? "," : "").append(r.nextGaussian() + (own % 2) * 6 + shift);
                }
        }
        return "{\"id\":\"" + id + "\",\"ts\":" + (KafkaTestSupport.EVENT_TIME_BASE + own) + ",\"x\":[" + x + "]}";
    }

    private void assertExactlyOnce(Outputs o, String run) {
        for (String id : goodIds) {
            List<JsonNode> a = o.assignments.get(id);
            assertTrue(a != null && a.size() == 1, run + ": point " + id + " has " + (a == null ? 0 : a.size()) + " assignments");
        }
        assertEquals(goodIds.size(), o.assignments.size(), run + ": assignments for ids that were never good points");
        assertEquals(badCoordinates.get(run), o.deadLetters.keySet(), run + ": dead letters are exactly the bad records");
        for (Map.Entry<String, List<String>> d : o.deadLetters.entrySet()) {
            assertEquals(1, d.getValue().size(), run + ": bad record " + d.getKey() + " dead-lettered " + d.getValue().size() + " times");
            assertTrue(d.getValue().get(0) != null && !d.getValue().get(0).isBlank(), run + ": dead letter without a reason");
        }
    }

    /** Largest relative difference from the reference over every assignment and every model's final parameters. */
    private double compareWithReference(Outputs o, String run) {
        double max = 0;
        for (String id : goodIds) {
            max = Math.max(max, Outputs.maxRelativeDifference(reference.assignments.get(id).get(0), o.assignments.get(id).get(0), run + ":" + id));
        }
        for (String m : MODELS) {
            JsonNode want = reference.snapshotAt(m, PER_MODEL, Duration.ZERO);
            JsonNode got = o.snapshotAt(m, PER_MODEL, Duration.ofMinutes(1));
            for (String field : new String[] {"weights", "means", "covariances", "version", "pointsSeen", "avgLogLikelihood", "transitionMatrix",
                "degreesOfFreedom"}) {
                if (want.get(field) == null && got.get(field) == null) {
                    continue; // a mixture has no transition matrix, a Gaussian no degrees of freedom
                }
                max = Math.max(max, Outputs.maxRelativeDifference(want.get(field), got.get(field), run + ":" + m + "." + field));
            }
        }
        return max;
    }

    @Test
    void shouldLoseNothingAndCountNothingTwiceWhenTheProcessIsKilledFiveTimes() throws Exception {
        Path stateDir = tmp.resolve("crash-state");
        OnlineEmConfig config = config("crash", stateDir);
        // static membership under a fixed id: a restarted process takes its partitions back at once
        Path configFile = KafkaTestSupport.propertiesFile(settings("crash", stateDir), tmp.resolve("crash.properties"),
                "group.instance.id", "crash-instance");
        Random r = new Random(5);
        List<Integer> killAt = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            killAt.add(20_000 + r.nextInt(GOOD - 40_000));
        }
        killAt.sort(null);
        int total = goodIds.size() + badCoordinates.get("crash").size();
        int kills = 0;
        List<String> log = new ArrayList<>();
        try (Outputs o = new Outputs(broker.bootstrapServers(), config)) {
            for (int cycle = 0; cycle <= killAt.size(); cycle++) {
                Process child = startChild(configFile, tmp.resolve("child-" + cycle + ".log"));
                try {
                    if (cycle < killAt.size()) {
                        o.awaitAccounted(killAt.get(cycle), Duration.ofMinutes(3));
                        child.destroyForcibly(); // SIGKILL: no shutdown hook, no commit, no flush
                        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
                        kills++;
                        log.add("killed at " + o.accounted() + " accounted (exit " + child.exitValue() + ")");
                    } else {
                        o.awaitAccounted(total, Duration.ofMinutes(5));
                        for (String m : MODELS) {
                            o.snapshotAt(m, PER_MODEL, Duration.ofMinutes(1));
                        }
                    }
                } finally {
                    if (child.isAlive()) {
                        child.destroy();
                        child.waitFor(60, TimeUnit.SECONDS);
                        child.destroyForcibly();
                    }
                }
            }
            // stragglers (duplicates) would come from transactions committed late; give them time to show
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) {
                o.poll();
            }
            assertEquals(5, kills);
            assertExactlyOnce(o, "crash");
            double max = compareWithReference(o, "crash");
            System.out.println("crash test: " + kills + " SIGKILL/restart cycles " + log + "; " + goodIds.size() + " good points and bars, "
                    + badCoordinates.get("crash").size() + " bad inputs; max relative difference from the uninterrupted run " + max);
            assertTrue(max <= TOLERANCE, "max relative difference " + max);
        }
    }

    @Test
    void shouldRideOutABrokerRestartMidStream() throws Exception {
        OnlineEmConfig config = config("restart", tmp.resolve("restart-state"));
        int total = goodIds.size() + badCoordinates.get("restart").size();
        try (StreamApp app = StreamApp.start(config, 2)) {
            Outputs before = new Outputs(broker.bootstrapServers(), config);
            before.awaitAccounted(total / 3, Duration.ofMinutes(3));
            before.close();
            broker.stop();
            Thread.sleep(5_000);
            broker.start();
            try (Outputs after = new Outputs(broker.bootstrapServers(), config)) {
                after.awaitAccounted(total, Duration.ofMinutes(5));
                for (String m : MODELS) {
                    after.snapshotAt(m, PER_MODEL, Duration.ofMinutes(1));
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (System.nanoTime() < until) {
                    after.poll();
                }
                assertTrue(app.streams().state().isRunningOrRebalancing(), "processor state " + app.streams().state());
                assertExactlyOnce(after, "restart");
                double max = compareWithReference(after, "broker restart");
                System.out.println("broker restart test: max relative difference from the uninterrupted run " + max);
                assertTrue(max <= TOLERANCE, "max relative difference " + max);
            }
        }
    }

    static Process startChild(Path configFile, Path logFile) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx768m", "-XX:+UseSerialGC"));
        // extra JVM options for diagnosis, e.g. -Dchild.jvm.args=-Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams=info
        for (String a : System.getProperty("child.jvm.args", "").trim().split("\\s+")) {
            if (!a.isEmpty()) {
                cmd.add(a);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.onlineem.cli.Main", "run", "--config", configFile.toString(),
                "--partitions", "2"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).directory(new File(".")).start();
    }
}
