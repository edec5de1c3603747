package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.OnlineEmConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Published state is never stale: a processor killed right after its input is fully processed, before
 * its snapshot interval came round, leaves its final models unpublished; the instance that takes the
 * task over publishes them.
 */
@Tag("integration")
class FinalSnapshotAfterKillIntegrationTest {
    static final Map<String, Integer> POINTS = Map.of("last-a", 1_234, "last-b", 1_777, "last-h", 1_501);

    @TempDir
    Path tmp;

    @Test
    void shouldPublishTheFinalSnapshotOfAModelWhoseProcessorWasKilledBeforeItsSnapshotInterval() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            Map<String, Object> settings = StreamingIntegrationTest.config(broker.bootstrapServers(), "last-", tmp.resolve("state"));
            settings.put("model.override.last-h.type", "hmm");
            OnlineEmConfig config = new OnlineEmConfig(settings);
            StreamApp.createTopics(config, 2);
            Random r = new Random(8);
            int total = 0;
            try (KafkaProducer<String, byte[]> producer = KafkaTestSupport.producer(broker.bootstrapServers())) {
                for (Map.Entry<String, Integer> m : POINTS.entrySet()) {
                    for (int i = 0; i < m.getValue(); i++) {
                        String p = "{\"id\":\"" + m.getKey() + "-" + i + "\",\"x\":[" + (r.nextGaussian() + (i / 100 % 2) * 5) + "," + r.nextGaussian() + "]}";
                        producer.send(new ProducerRecord<>(config.pointsTopic(), m.getKey(), p.getBytes(StandardCharsets.UTF_8)));
                        total++;
                    }
                }
            }
            try (Outputs out = new Outputs(broker.bootstrapServers(), config)) {
                // first owner: never publishes on the interval (one hour); killed once every point is accounted for
                Process first = CrashRecoveryIntegrationTest.startChild(configFile(settings, "first", 3_600_000), tmp.resolve("first.log"));
                try {
                    out.awaitAccounted(total, Duration.ofMinutes(3));
                } finally {
                    first.destroyForcibly();
                    assertTrue(first.waitFor(30, TimeUnit.SECONDS));
                }
                for (Map.Entry<String, Integer> m : POINTS.entrySet()) {
                    long last = lastPublished(out, m.getKey());
                    assertTrue(last < m.getValue(), m.getKey() + ": the killed owner had published up to " + last);
                }
                // second owner: restores the task and publishes what the first left unpublished
                Process second = CrashRecoveryIntegrationTest.startChild(configFile(settings, "second", 1_000), tmp.resolve("second.log"));
                try {
                    for (Map.Entry<String, Integer> m : POINTS.entrySet()) {
                        JsonNode s = out.snapshotAt(m.getKey(), m.getValue(), Duration.ofMinutes(2));
                        assertEquals((long) m.getValue(), s.get("pointsSeen").asLong());
                    }
                    assertEquals(total, out.assignments.size(), "the second owner reprocessed nothing");
                } finally {
                    second.destroy();
                    second.waitFor(60, TimeUnit.SECONDS);
                    second.destroyForcibly();
                }
            }
        }
    }

    private static long lastPublished(Outputs out, String model) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < until) {
            out.poll();
        }
        List<JsonNode> s = out.snapshots.getOrDefault(model, List.of());
        return s.isEmpty() ? 0 : s.get(s.size() - 1).get("pointsSeen").asLong();
    }

    private Path configFile(Map<String, Object> settings, String name, long snapshotIntervalMs) {
        // static membership under a fixed id: the second owner takes the partitions at once
        return KafkaTestSupport.propertiesFile(settings, tmp.resolve(name + ".properties"),
                "snapshot.interval.ms", String.valueOf(snapshotIntervalMs), "group.instance.id", "last-instance");
    }
}
