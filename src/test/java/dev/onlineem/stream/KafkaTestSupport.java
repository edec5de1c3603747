package dev.onlineem.stream;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Clients for integration tests: a producer of raw points and read_committed consumers that poll to a deadline. */
final class KafkaTestSupport {
    /**
     * Event time for test points: two days ago, on a whole second. An output record carries its point's event time, and
     * the broker's time-based retention (7 days) deletes a partition's segments whose records are all older than that at
     * its next check (30 s after it starts, then every 5 minutes), the active one included: points from years ago would
     * lose their outputs while a test still reads them (the README's Messages section says so).
     */
    static final long EVENT_TIME_BASE = (System.currentTimeMillis() - 2 * 86_400_000L) / 1000 * 1000;

    private KafkaTestSupport() {
    }

    static KafkaProducer<String, byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 5), new StringSerializer(), new ByteArraySerializer());
    }

    static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /**
     * A processor configuration file for a child JVM ({@code run --config}): the settings, then the
     * overrides (alternating keys and values), written to {@code file}.
     */
    static Path propertiesFile(Map<String, Object> settings, Path file, String... overrides) {
        Properties p = new Properties();
        settings.forEach((k, v) -> p.put(k, String.valueOf(v)));
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            p.put(overrides[i], overrides[i + 1]);
        }
        try (java.io.OutputStream o = java.nio.file.Files.newOutputStream(file)) {
            p.store(o, file.getFileName().toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return file;
    }

    /** Every record of every partition of a topic, read_committed from the beginning to the end as of now. */
    static void readToEnd(String bootstrap, String topic, java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        readToEnd(bootstrap, topic, "read_committed", each);
    }

    /** As {@link #readToEnd(String, String, java.util.function.Consumer)}, with the isolation level given. */
    static void readToEnd(String bootstrap, String topic, String isolation, java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic, Duration.ofSeconds(30))) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
            while (parts.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not read " + topic + " to its end");
                }
                c.poll(Duration.ofMillis(200)).forEach(each);
            }
        }
    }

    /** Polls until {@code done} holds for everything read so far, or fails at the deadline. */
    static List<ConsumerRecord<String, byte[]>> pollUntil(KafkaConsumer<String, byte[]> c, Duration timeout,
                                                          Predicate<List<ConsumerRecord<String, byte[]>>> done) {
        List<ConsumerRecord<String, byte[]>> all = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(all)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " with " + all.size() + " records");
            }
            c.poll(Duration.ofMillis(200)).forEach(all::add);
        }
        return all;
    }
}
