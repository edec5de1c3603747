package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.config.OnlineEmConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Against a dockerized broker, as users run the product in their pipelines (Testcontainers). The broker
 * image is {@code -Ddocker.kafka.image}, else the locally built {@value #LOCAL_KAFKA}&lt;Kafka version&gt;
 * where {@code scripts/docker-setup.sh} has built it, else the official {@code apache/kafka} image of
 * the same version. Points and bad records go in; the processor runs in this JVM, and then as the
 * processor image ({@code -Ddocker.processor.image}, default {@value #LOCAL_PROCESSOR}) in a container
 * on the broker's network; both must give every point exactly one assignment and every bad record
 * exactly one dead letter, read with {@code read_committed}. Skipped, with the reason, where no Docker
 * engine runs (or, for the second test, where the processor image was not built).
 */
@Tag("integration")
class DockerKafkaIntegrationTest {
    static final String LOCAL_KAFKA = "online-em/kafka:";
    static final String LOCAL_PROCESSOR = "online-em/processor:latest";
    static final int GOOD = 3000;

    private static Network network;
    private static KafkaContainer kafka;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startBroker() {
        DockerEngine.pinApiVersion();
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "skipped: no Docker engine (scripts/docker-setup.sh installs and starts one, and builds the images)");
        String image = System.getProperty("docker.kafka.image", "");
        if (image.isBlank()) {
            String local = LOCAL_KAFKA + AppInfoParser.getVersion();
            image = imageExists(local) ? local : "apache/kafka:" + AppInfoParser.getVersion();
        }
        System.out.println("docker test: broker image " + image);
        network = Network.newNetwork();
        kafka = new KafkaContainer(DockerImageName.parse(image).asCompatibleSubstituteFor("apache/kafka"))
                .withNetwork(network)
                .withListener("kafka:19092"); // for containers on the network
        boolean local = imageExists(image);
        try {
            kafka.start();
        } catch (RuntimeException e) {
            // an engine without a registry and without the local image (setup failed half-way): skip, as without Docker
            Assumptions.assumeTrue(local, "skipped: broker image " + image + " is not here and cannot be pulled ("
                    + e.getMessage() + "); scripts/docker-setup.sh builds it");
            throw e;
        }
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    static boolean imageExists(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Good points of three models and every 20th record a bad one; returns the bad records' coordinates. */
    private static Set<String> feed(String bootstrap, OnlineEmConfig config, Set<String> goodIds) throws Exception {
        Random r = new Random(3);
        List<Future<RecordMetadata>> bad = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = KafkaTestSupport.producer(bootstrap)) {
            for (int i = 0; i < GOOD; i++) {
                String model = StreamingIntegrationTest.MODELS[i % 3];
                producer.send(new ProducerRecord<>(config.pointsTopic(), model,
                        StreamingIntegrationTest.goodPoint(i, model, r).getBytes(StandardCharsets.UTF_8)));
                goodIds.add("good-" + i);
                if (i > 1000 && i % 20 == 0) {
                    FuzzIntegrationTest.Bad b = FuzzIntegrationTest.bad(r, model, model.equals("sensor-a") ? 2 : model.equals("sensor-b") ? 3 : 1);
                    bad.add(producer.send(new ProducerRecord<>(config.pointsTopic(), b.key(), b.value())));
                }
            }
        }
        Set<String> where = new HashSet<>();
        for (Future<RecordMetadata> f : bad) {
            RecordMetadata md = f.get();
            where.add(md.topic() + "/" + md.partition() + "/" + md.offset());
        }
        return where;
    }

    private static void assertExactlyOnce(Outputs out, Set<String> goodIds, Set<String> bad) {
        out.awaitAccounted(goodIds.size() + bad.size(), Duration.ofMinutes(3));
        long until = System.nanoTime() + 2_000_000_000L; // late duplicates would show here
        while (System.nanoTime() < until) {
            out.poll();
        }
        assertEquals(goodIds, out.assignments.keySet(), "assignments are exactly the good points");
        for (Map.Entry<String, List<JsonNode>> a : out.assignments.entrySet()) {
            assertEquals(1, a.getValue().size(), "point " + a.getKey() + " assigned " + a.getValue().size() + " times");
        }
        assertEquals(bad, out.deadLetters.keySet(), "dead letters are exactly the bad records");
        for (Map.Entry<String, List<String>> d : out.deadLetters.entrySet()) {
            assertEquals(1, d.getValue().size(), "bad record " + d.getKey() + " dead-lettered " + d.getValue().size() + " times");
        }
    }

    @Test
    void shouldScoreEveryPointOnceAgainstADockerizedBroker() throws Exception {
        String bootstrap = kafka.getBootstrapServers();
        OnlineEmConfig config = new OnlineEmConfig(StreamingIntegrationTest.config(bootstrap, "tc-", tmp));
        StreamApp.createTopics(config, 2);
        Set<String> goodIds = new HashSet<>();
        Set<String> bad = feed(bootstrap, config, goodIds);
        try (StreamApp app = StreamApp.start(config, 2); Outputs out = new Outputs(bootstrap, config)) {
            assertExactlyOnce(out, goodIds, bad);
        }
    }

    @Test
    void shouldScoreEveryPointOnceWithTheProcessorInAContainer() throws Exception {
        String image = System.getProperty("docker.processor.image", LOCAL_PROCESSOR);
        Assumptions.assumeTrue(imageExists(image), "skipped: no processor image " + image + " (scripts/docker-setup.sh builds it)");
        String bootstrap = kafka.getBootstrapServers();
        Map<String, Object> settings = StreamingIntegrationTest.config(bootstrap, "tcp-", tmp);
        OnlineEmConfig config = new OnlineEmConfig(settings);
        StreamApp.createTopics(config, 2);
        Set<String> goodIds = new HashSet<>();
        Set<String> bad = feed(bootstrap, config, goodIds);
        List<String> command = new ArrayList<>(List.of("run", "--config", "/app/config/application.properties", "--partitions", "2"));
        Map<String, Object> inContainer = new HashMap<>(settings);
        inContainer.put("bootstrap.servers", "kafka:19092");
        inContainer.put("state.dir", "/tmp/online-em-state");
        inContainer.forEach((k, v) -> command.add("-D" + k + "=" + v));
        try (GenericContainer<?> processor = new GenericContainer<>(DockerImageName.parse(image))
                .withNetwork(network)
                .withCommand(command.toArray(new String[0]))
                .withLogConsumer(new Slf4jLogConsumer(org.slf4j.LoggerFactory.getLogger("processor-container")));
             Outputs out = new Outputs(bootstrap, config)) {
            processor.start();
            assertExactlyOnce(out, goodIds, bad);
            assertTrue(processor.isRunning(), "the processor container kept running");
        }
    }
}
