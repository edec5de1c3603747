package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.base.StateFormat;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade across a change of the state format (profile {@code soak}): two instances of the
 * last release that wrote format 4 (commit {@value #OLD_REV_DEFAULT}, built from this repository's own
 * history into {@code target/upgrade/}; {@code -Dsoak.upgrade.from=REV} picks another) share an
 * application id while points keep arriving; then one instance and then the other is stopped as a deploy
 * stops it (SIGTERM) and started again from this build, on the same state directory. The new build must
 * take over the format-4 checkpoints the old one wrote (no model starts over: every model's pointsSeen
 * runs 1, 2, 3, ... across both rolls), write this build's format from then on, and account for every point exactly
 * once with no dead letter.
 */
@Tag("soak")
class RollingUpgradeIntegrationTest {
    static final String OLD_REV_DEFAULT = "b8b8d6576990698436d383e81ab00c00c5612014";
    static final List<String> MODELS = List.of("up-full", "up-diag", "up-hmm", "up-missing");

    @TempDir
    Path tmp;

    @Test
    void shouldCarryEveryModelAcrossARollingUpgradeFromFormat4ToFormat5() throws Exception {
        Path oldJar = oldJar(System.getProperty("soak.upgrade.from", OLD_REV_DEFAULT));
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            Map<String, Object> settings = StreamingIntegrationTest.config(broker.bootstrapServers(), "up-", tmp.resolve("unused"));
            settings.put("model.override.up-diag.covariance.type", "diag");
            settings.put("model.override.up-hmm.type", "hmm");
            settings.put("snapshot.interval.ms", "1000");
            OnlineEmConfig config = new OnlineEmConfig(settings);
            StreamApp.createTopics(config, 4);
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicInteger sent = new AtomicInteger();
            Map<String, Integer> perModel = new ConcurrentHashMap<>();
            Thread producer = new Thread(() -> produce(broker.bootstrapServers(), config, producing, sent, perModel), "upgrade-producer");
            producer.start();
            Process a = null;
            Process b = null;
            try (Outputs out = new Outputs(broker.bootstrapServers(), config)) {
                a = start(oldJar, settings, "a", "old-a");
                b = start(oldJar, settings, "b", "old-b");
                awaitProgress(out, sent, 3_000);
                Map<Byte, Integer> before = checkpointVersions(broker.bootstrapServers(), config);
                assertTrue(before.getOrDefault((byte) 4, 0) >= MODELS.size(), "the old build wrote format-4 checkpoints: " + before);

                stop(a);
                a = start(null, settings, "a", "new-a"); // this build, same state directory: a deploy of one instance
                awaitProgress(out, sent, 3_000);
                stop(b);
                b = start(null, settings, "b", "new-b");
                awaitProgress(out, sent, 3_000);

                producing.set(false);
                producer.join();
                out.awaitAccounted(sent.get(), Duration.ofMinutes(3));
                for (String m : MODELS) {
                    out.snapshotAt(m, perModel.get(m), Duration.ofMinutes(1));
                }
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (System.nanoTime() < until) {
                    out.poll();
                }
                assertEquals(sent.get(), out.assignments.size(), "one assignment per point");
                assertTrue(out.assignments.values().stream().allMatch(l -> l.size() == 1), "no point assigned twice");
                assertEquals(Map.of(), out.deadLetters, "dead letters");
                for (String m : MODELS) {
                    List<Long> seen = new ArrayList<>();
                    for (List<JsonNode> l : out.assignments.values()) {
                        if (l.get(0).get("model").asText().equals(m)) {
                            seen.add(l.get(0).get("pointsSeen").asLong());
                        }
                    }
                    seen.sort(null);
                    for (int i = 0; i < seen.size(); i++) {
                        assertEquals(i + 1, seen.get(i), m + ": pointsSeen runs 1.." + seen.size() + " across the upgrade");
                    }
                }
                Map<Byte, Integer> after = checkpointVersions(broker.bootstrapServers(), config);
                assertEquals(Map.of(StateFormat.VERSION, MODELS.size()), after, "every model's latest checkpoint in this build's format");
                System.out.printf("rolling upgrade from %s: %d points, checkpoints by format before %s, after %s%n",
                        oldJar.getFileName(), sent.get(), before, after);
            } finally {
                producing.set(false);
                producer.join(10_000);
                for (Process p : new Process[] {a, b}) {
                    if (p != null) {
                        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    }
                }
            }
        }
    }

    private static void produce(String bootstrap, OnlineEmConfig config, AtomicBoolean producing, AtomicInteger sent, Map<String, Integer> perModel) {
        Random r = new Random(11);
        try (KafkaProducer<String, byte[]> p = KafkaTestSupport.producer(bootstrap)) {
            for (int i = 0; producing.get(); i++) {
                String m = MODELS.get(i % MODELS.size());
                int own = perModel.merge(m, 1, Integer::sum);
                double shift = (own / 50) % 2 * 5;
                String y = m.equals("up-missing") && r.nextDouble() < 0.1 ? "null" : Double.toString(r.nextGaussian() - shift);
                String json = "{\"id\":\"" + m + "-" + own + "\",\"ts\":" + (1_700_000_000_000L + own * 1000L) + ",\"x\":["
                        + (r.nextGaussian() + shift) + "," + y + "]}";
                p.send(new ProducerRecord<>(config.pointsTopic(), m, json.getBytes(StandardCharsets.UTF_8)));
                sent.incrementAndGet();
                if (i % 10 == 0) {
                    p.flush();
                    Thread.sleep(20); // about 500 points a second
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until {@code more} further points than now are accounted for (the instances process again). */
    private static void awaitProgress(Outputs out, AtomicInteger sent, int more) {
        int target = out.accounted() + more;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (out.accounted() < target) {
            assertTrue(System.nanoTime() < deadline, "no progress: " + out.accounted() + " accounted of " + sent.get() + " sent");
            out.poll();
        }
    }

    /** How many models' latest checkpoints (the models store's changelog) are in each format version. */
    private static Map<Byte, Integer> checkpointVersions(String bootstrap, OnlineEmConfig config) {
        String topic = StreamApp.properties(config).get("application.id") + "-" + OnlineEmTopology.CHECKPOINT_STORE + "-changelog";
        Map<String, Byte> last = new TreeMap<>();
        KafkaTestSupport.readToEnd(bootstrap, topic, r -> {
            if (r.value() != null && r.value().length > 2) {
                last.put(r.partition() + "/" + r.key(), r.value()[2]); // "OE", then the version byte
            }
        });
        Map<Byte, Integer> byVersion = new TreeMap<>();
        last.values().forEach(v -> byVersion.merge(v, 1, Integer::sum));
        return byVersion;
    }

    private Process start(Path jar, Map<String, Object> settings, String instance, String incarnation) throws Exception {
        Path cfg = KafkaTestSupport.propertiesFile(settings, tmp.resolve(incarnation + ".properties"),
                "state.dir", tmp.resolve("state-" + instance).toString());
        if (jar == null) {
            return CrashRecoveryIntegrationTest.startChild(cfg, tmp.resolve(incarnation + ".log"));
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx768m", "-XX:+UseSerialGC", "-jar", jar.toString(), "run", "--config", cfg.toString(), "--partitions", "4")
                .redirectErrorStream(true).redirectOutput(tmp.resolve(incarnation + ".log").toFile()).start();
    }

    /** SIGTERM, as a deploy stops an instance: the shutdown hook closes the processor cleanly. */
    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "instance did not stop on SIGTERM");
    }

    /**
     * The jar of an earlier commit, built once from this repository's history into {@code target/upgrade/}
     * (git archive, then mvn package). Skips the test where there is no git history to build from.
     */
    static Path oldJar(String rev) throws Exception {
        Path dir = Path.of("target", "upgrade").toAbsolutePath();
        Path jar = dir.resolve("online-em-" + rev + ".jar");
        if (Files.exists(jar)) {
            return jar;
        }
        Files.createDirectories(dir);
        Path src = dir.resolve("src-" + rev);
        Path tar = dir.resolve(rev + ".tar");
        int archived = run(new File("."), dir.resolve("git.log"), "git", "archive", "--format=tar", "-o", tar.toString(), rev);
        Assumptions.assumeTrue(archived == 0, "skipped: commit " + rev + " cannot be had from git here (a shallow clone, or no git); see " + dir.resolve("git.log"));
        Files.createDirectories(src);
        assertEquals(0, run(src.toFile(), dir.resolve("tar.log"), "tar", "-xf", tar.toString()), "unpacking " + tar);
        int built = run(src.toFile(), dir.resolve("build-" + rev + ".log"), "mvn", "-B", "-q", "-ntp", "package", "-DskipTests");
        assertEquals(0, built, "building " + rev + " failed; see " + dir.resolve("build-" + rev + ".log"));
        Files.copy(src.resolve("target/online-em.jar"), jar, StandardCopyOption.REPLACE_EXISTING);
        return jar;
    }

    private static int run(File dir, Path log, String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return p.waitFor(15, TimeUnit.MINUTES) ? p.exitValue() : -1;
        } catch (java.io.IOException e) {
            return -1; // the command is not installed
        }
    }
}
