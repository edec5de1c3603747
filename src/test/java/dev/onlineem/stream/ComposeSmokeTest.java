package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.cli.Main;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's {@code docker-compose.yml} as a user runs it: broker and processor up, 2,000 points
 * of a two-cluster stream sent with the {@code produce} command to the broker's host port, every point's
 * assignment and a model snapshot read back with {@code read_committed}, then everything torn down with
 * its volume. Uses {@code docker compose} (v2) where it works, else {@code docker-compose} (v1). Images:
 * the local broker image where {@code scripts/docker-setup.sh} has built it (else apache/kafka) and the
 * processor image online-em/processor:latest. Skipped, with the reason, without an engine, compose or
 * the processor image.
 */
@Tag("integration")
class ComposeSmokeTest {
    static final String PROJECT = "onlineem-smoke";
    static final int POINTS = 2000;

    @TempDir
    Path tmp;

    @Test
    void shouldScoreProducedPointsAndPublishAModelThroughDockerCompose() throws Exception {
        DockerEngine.pinApiVersion();
        Assumptions.assumeTrue(DockerEngine.apiVersion() != null, "skipped: no Docker engine (scripts/docker-setup.sh starts one)");
        List<String> compose = composeCommand();
        Assumptions.assumeTrue(compose != null, "skipped: neither `docker compose` nor `docker-compose` is installed (scripts/docker-setup.sh installs it)");
        Assumptions.assumeTrue(DockerKafkaIntegrationTest.imageExists(DockerKafkaIntegrationTest.LOCAL_PROCESSOR),
                "skipped: no processor image " + DockerKafkaIntegrationTest.LOCAL_PROCESSOR + " (scripts/docker-setup.sh builds it)");
        String localKafka = DockerKafkaIntegrationTest.LOCAL_KAFKA + AppInfoParser.getVersion();
        String kafkaImage = DockerKafkaIntegrationTest.imageExists(localKafka) ? localKafka : "apache/kafka:" + AppInfoParser.getVersion();
        Map<String, String> env = Map.of("KAFKA_IMAGE", kafkaImage);
        Path log = tmp.resolve("compose.log");
        down(compose, env, log); // a run killed before its tear-down leaves the project behind
        try {
            long t0 = System.nanoTime();
            int up = run(with(compose, "up", "-d"), env, Duration.ofMinutes(5), log);
            assertEquals(0, up, "compose up failed: " + Files.readString(log));
            System.out.printf("compose smoke: %s up (broker %s) in %.1f s%n", String.join(" ", compose), kafkaImage, (System.nanoTime() - t0) / 1e9);

            // as a user's script would: the processor has made its topics (the broker creates none on its own)
            try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
                    Map.<String, Object>of("bootstrap.servers", "localhost:29092"))) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (!admin.listTopics().names().get().containsAll(List.of("points", "assignments", "models"))) {
                    assertTrue(System.nanoTime() < deadline, "the processor made no topics; processor log:\n" + logs(compose, env, tmp.resolve("logs.txt")));
                    Thread.sleep(250);
                }
            }
            System.out.printf("compose smoke: the processor's topics made %.1f s after the start%n", (System.nanoTime() - t0) / 1e9);

            Path csv = tmp.resolve("points.csv");
            StringBuilder sb = new StringBuilder("a,b\n");
            Random r = new Random(12);
            for (int i = 0; i < POINTS; i++) {
                sb.append(r.nextGaussian() + (i % 2) * 6).append(',').append(r.nextGaussian() - (i % 2) * 3).append('\n');
            }
            Files.writeString(csv, sb.toString());
            int produced = Main.commandLine().execute("produce", "--input", csv.toString(), "--model", "smoke",
                    "--bootstrap-servers", "localhost:29092", "--topic", "points");
            assertEquals(0, produced, "produce failed");

            Set<Long> pointsSeen = new HashSet<>();
            JsonNode snapshot = null;
            try (KafkaConsumer<String, byte[]> assignments = KafkaTestSupport.consumer("localhost:29092", "assignments");
                 KafkaConsumer<String, byte[]> models = KafkaTestSupport.consumer("localhost:29092", "models")) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (pointsSeen.size() < POINTS || snapshot == null) {
                    assertTrue(System.nanoTime() < deadline, "read back " + pointsSeen.size() + " of " + POINTS + " assignments, snapshot "
                            + snapshot + "; processor log:\n" + logs(compose, env, tmp.resolve("logs.txt")));
                    for (ConsumerRecord<String, byte[]> rec : assignments.poll(Duration.ofMillis(200))) {
                        JsonNode a = Outputs.parse(rec.value());
                        assertEquals("smoke", a.get("model").asText());
                        assertTrue(pointsSeen.add(a.get("pointsSeen").asLong()), "a point assigned twice: " + a);
                    }
                    for (ConsumerRecord<String, byte[]> rec : models.poll(Duration.ofMillis(50))) {
                        snapshot = Outputs.parse(rec.value());
                    }
                }
            }
            assertEquals("smoke", snapshot.get("model").asText());
            assertEquals(2, snapshot.get("dimension").asInt());
            System.out.printf("compose smoke: %d assignments and a snapshot at pointsSeen %d read back in %.1f s from up%n",
                    pointsSeen.size(), snapshot.get("pointsSeen").asLong(), (System.nanoTime() - t0) / 1e9);
        } finally {
            assertEquals(0, down(compose, env, log), "compose down failed: " + Files.readString(log));
        }
    }

    /** {@code docker compose} where the v2 plugin answers, else {@code docker-compose}, else null. */
    static List<String> composeCommand() {
        if (run(List.of("docker", "compose", "version"), Duration.ofSeconds(30)) == 0) {
            return List.of("docker", "compose");
        }
        if (run(List.of("docker-compose", "version"), Duration.ofSeconds(30)) == 0) {
            return List.of("docker-compose");
        }
        return null;
    }

    private static int down(List<String> compose, Map<String, String> env, Path log) {
        return run(with(compose, "down", "-v", "--remove-orphans"), env, Duration.ofMinutes(2), log);
    }

    private static String logs(List<String> compose, Map<String, String> env, Path out) {
        run(with(compose, "logs", "--tail", "60", "online-em"), env, Duration.ofSeconds(60), out);
        try {
            return Files.readString(out);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<String> with(List<String> compose, String... args) {
        List<String> c = new ArrayList<>(compose);
        c.addAll(List.of("-p", PROJECT, "-f", new File("docker-compose.yml").getAbsolutePath()));
        c.addAll(List.of(args));
        return c;
    }

    private static int run(List<String> cmd, Duration timeout) {
        return run(cmd, Map.of(), timeout, null);
    }

    /** Exit status of the command (its output appended to {@code log}, or discarded), -1 if it cannot run or times out. */
    private static int run(List<String> cmd, Map<String, String> env, Duration timeout, Path log) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            if (log == null) {
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            } else {
                pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

}
