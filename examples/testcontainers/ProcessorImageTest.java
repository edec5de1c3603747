import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * An integration test of one's own pipeline against the processor image, as a user writes it with Testcontainers
 * (org.testcontainers:testcontainers-kafka and testcontainers-junit-jupiter, JUnit 5, kafka-clients): a Kafka
 * broker and the processor in containers on one network, points in, assignments and anomalies out.
 *
 * <p>Images: {@code -Dkafka.image} (default apache/kafka:4.0.0) and {@code -Dprocessor.image} (default
 * online-em/processor:latest, built from the repository's Dockerfile). Skipped where no Docker engine runs.
 */
@Testcontainers(disabledWithoutDocker = true)
class ProcessorImageTest {
    static final String KAFKA_IMAGE = System.getProperty("kafka.image", "apache/kafka:4.0.0");
    static final String PROCESSOR_IMAGE = System.getProperty("processor.image", "online-em/processor:latest");
    static final Network NETWORK = Network.newNetwork();
    static final int POINTS = 1000;
    static final int OUTLIER = 700;

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer(DockerImageName.parse(KAFKA_IMAGE).asCompatibleSubstituteFor("apache/kafka"))
            .withNetwork(NETWORK)
            .withListener("kafka:19092"); // the broker as the processor's container reaches it

    @Test
    void scoresEveryPointOnceAndFlagsTheOutlier() throws Exception {
        try (GenericContainer<?> processor = new GenericContainer<>(DockerImageName.parse(PROCESSOR_IMAGE))
                .withNetwork(NETWORK)
                // the image's default command with the cluster's address; HTTP on the container's interface, for the health check
                .withCommand("run", "--config", "/app/config/application.properties", "-Dbootstrap.servers=kafka:19092",
                        "-Dhttp.bind.address=0.0.0.0", "-Dhttp.port=8080", "-Dapplication.server=processor:8080")
                .withNetworkAliases("processor")
                .withExposedPorts(8080)
                .waitingFor(Wait.forHttp("/health/ready").forPort(8080).withStartupTimeout(Duration.ofMinutes(2)))) {
            long start = System.nanoTime();
            processor.start(); // returns once /health/ready answers 200: topics created, the stream running
            System.out.printf(Locale.ROOT, "processor image: from start to ready in %.1f s%n", (System.nanoTime() - start) / 1e9);

            Random r = new Random(1);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(clientProperties(), new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < POINTS; i++) {
                    double a = i == OUTLIER ? 40 : (i % 2 == 0 ? -3 : 3) + r.nextGaussian();
                    double b = i == OUTLIER ? -40 : r.nextGaussian();
                    producer.send(new ProducerRecord<>("points", "sensor-1",
                            String.format(Locale.ROOT, "{\"id\": \"p%d\", \"x\": [%.6f, %.6f]}", i, a, b)));
                }
            }
            Set<String> assigned = new HashSet<>();
            int assignments = 0;
            try (KafkaConsumer<String, String> c = consumer("assignments")) {
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (assignments < POINTS && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(500))) {
                        assignments++;
                        assigned.add(rec.value().replaceAll(".*\"id\":\"(p\\d+)\".*", "$1"));
                    }
                }
            }
            assertEquals(POINTS, assignments, "one assignment per point");
            assertEquals(POINTS, assigned.size(), "every point assigned");
            try (KafkaConsumer<String, String> c = consumer("anomalies")) {
                boolean flagged = false;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!flagged && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> rec : c.poll(Duration.ofMillis(500))) {
                        flagged |= rec.value().contains("\"id\":\"p" + OUTLIER + "\"");
                    }
                }
                assertTrue(flagged, "the outlier p" + OUTLIER + " is on the anomalies topic");
            }
        }
    }

    private static Properties clientProperties() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBootstrapServers());
        return p;
    }

    /** The processor writes with exactly-once transactions: read only what it committed. */
    private static KafkaConsumer<String, String> consumer(String topic) {
        Properties p = clientProperties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "example-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }
}
