package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.broker.EmbeddedKafkaBroker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code examples/embedding/EmbeddedApp.java} as its README runs it (its own JVM, Java's single-file launch) against
 * the in-process broker: the processor's topology with the application's own alert stage, every injected outlier
 * coming out on the application's "alerts" topic as one line.
 */
@Tag("integration")
class EmbeddingExampleIntegrationTest {
    static final int POINTS = 2000;
    static final Set<Integer> OUTLIERS = Set.of(600, 900, 1200, 1500, 1800);

    @Test
    void shouldTurnEveryAnomalyIntoAnAlertLineInTheEmbeddingApplication() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            String bootstrap = broker.bootstrapServers();
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process app = new ProcessBuilder(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                    "examples/embedding/EmbeddedApp.java", bootstrap).redirectErrorStream(true).start();
            List<String> console = Collections.synchronizedList(new ArrayList<>());
            Thread reader = new Thread(() -> new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))
                    .lines().forEach(console::add), "embedded-app-console");
            reader.setDaemon(true);
            reader.start();
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (console.stream().noneMatch(l -> l.startsWith("running:"))) {
                    assertTrue(app.isAlive(), "the example ended:\n" + String.join("\n", console));
                    assertTrue(System.nanoTime() < deadline, "the example did not start:\n" + String.join("\n", console));
                    Thread.sleep(100);
                }
                Random r = new Random(5);
                try (KafkaProducer<String, byte[]> p = KafkaTestSupport.producer(bootstrap)) {
                    for (int i = 0; i < POINTS; i++) {
                        double a = OUTLIERS.contains(i) ? 1000 : (i % 2 == 0 ? -3 : 3) + r.nextGaussian();
                        double b = OUTLIERS.contains(i) ? -1000 : r.nextGaussian();
                        String json = String.format(Locale.ROOT, "{\"id\": \"p%d\", \"x\": [%.6f, %.6f]}", i, a, b);
                        p.send(new ProducerRecord<>("points", "m-1", json.getBytes(StandardCharsets.UTF_8)));
                    }
                }
                Set<String> alerted = new TreeSet<>();
                try (KafkaConsumer<String, byte[]> c = KafkaTestSupport.consumer(bootstrap, "alerts")) {
                    KafkaTestSupport.pollUntil(c, Duration.ofSeconds(90), all -> {
                        for (ConsumerRecord<String, byte[]> rec : all) {
                            String line = new String(rec.value(), StandardCharsets.UTF_8);
                            assertTrue(line.startsWith("ALERT m-1 {"), line);
                            alerted.add(line.replaceAll(".*\"id\":\"(p\\d+)\".*", "$1"));
                        }
                        // the first outlier is the rarest: the p-values are calibrated, so once one such point has been
                        // seen the next one like it is rarer than 1 in 600 points, not rarer than the alarm budget's 1e-4
                        return alerted.contains("p600") && all.size() >= 2;
                    });
                }
                List<String> others = alerted.stream().filter(id -> !OUTLIERS.contains(Integer.parseInt(id.substring(1)))).toList();
                assertTrue(others.size() <= 1, "alerts on ordinary points: " + others + " of " + alerted);
            } finally {
                app.destroy();
                assertEquals(true, app.waitFor(60, TimeUnit.SECONDS), "the example stops on SIGTERM");
            }
        }
    }
}
