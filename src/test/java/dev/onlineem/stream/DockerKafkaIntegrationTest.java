package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.serde.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The end-to-end check against a dockerized broker, as users run it in their pipelines. Skipped without Docker. */
@Tag("integration")
@Testcontainers(disabledWithoutDocker = true)
class DockerKafkaIntegrationTest {
    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.0");

    @TempDir
    Path tmp;

    @Test
    void shouldScoreEveryPointOnceAgainstADockerizedBroker() throws Exception {
        String bootstrap = KAFKA.getBootstrapServers();
        OnlineEmConfig config = new OnlineEmConfig(StreamingIntegrationTest.config(bootstrap, "tc-", tmp));
        Set<String> sent = new HashSet<>();
        Random r = new Random(3);
        try (StreamApp app = StreamApp.start(config, 2);
             KafkaProducer<String, byte[]> producer = KafkaTestSupport.producer(bootstrap);
             KafkaConsumer<String, byte[]> assignments = KafkaTestSupport.consumer(bootstrap, config.assignmentsTopic())) {
            for (int i = 0; i < 3000; i++) {
                String model = StreamingIntegrationTest.MODELS[i % 3];
                producer.send(new ProducerRecord<>(config.pointsTopic(), model,
                        StreamingIntegrationTest.goodPoint(i, model, r).getBytes(StandardCharsets.UTF_8)));
                sent.add("good-" + i);
            }
            producer.flush();
            List<ConsumerRecord<String, byte[]>> out = KafkaTestSupport.pollUntil(assignments, Duration.ofSeconds(180), l -> l.size() >= sent.size());
            Set<String> seen = new HashSet<>();
            for (ConsumerRecord<String, byte[]> rec : out) {
                JsonNode a = Json.mapper().readTree(rec.value());
                assertTrue(seen.add(a.get("id").asText()));
            }
            assertEquals(sent, seen);
        }
    }
}
