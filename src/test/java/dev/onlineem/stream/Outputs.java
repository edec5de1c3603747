package dev.onlineem.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.serde.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Everything one application wrote, read with {@code read_committed}: assignments by point id (every
 * copy, so duplicates show), dead letters by source coordinates, and model snapshots.
 */
final class Outputs implements AutoCloseable {
    final Map<String, List<JsonNode>> assignments = new HashMap<>();
    final Map<String, List<String>> deadLetters = new HashMap<>(); // "topic/partition/offset" of the source record -> reasons
    final Map<String, List<JsonNode>> snapshots = new HashMap<>(); // model -> snapshots in order
    private final KafkaConsumer<String, byte[]> assignmentReader;
    private final KafkaConsumer<String, byte[]> deadLetterReader;
    private final KafkaConsumer<String, byte[]> modelReader;

    Outputs(String bootstrap, dev.onlineem.config.OnlineEmConfig config) {
        assignmentReader = KafkaTestSupport.consumer(bootstrap, config.assignmentsTopic());
        deadLetterReader = KafkaTestSupport.consumer(bootstrap, config.deadLetterTopic());
        modelReader = KafkaTestSupport.consumer(bootstrap, config.modelsTopic());
    }

    /** Reads what has arrived since the last call. */
    void poll() {
        for (ConsumerRecord<String, byte[]> r : assignmentReader.poll(Duration.ofMillis(100))) {
            JsonNode a = parse(r.value());
            assignments.computeIfAbsent(a.get("id").asText(), k -> new ArrayList<>(1)).add(a);
        }
        for (ConsumerRecord<String, byte[]> r : deadLetterReader.poll(Duration.ofMillis(20))) {
            String where = header(r.headers(), "__streams.errors.topic") + "/" + header(r.headers(), "__streams.errors.partition") + "/" + header(r.headers(), "__streams.errors.offset");
            deadLetters.computeIfAbsent(where, k -> new ArrayList<>(1)).add(header(r.headers(), "__streams.errors.message"));
        }
        for (ConsumerRecord<String, byte[]> r : modelReader.poll(Duration.ofMillis(20))) {
            snapshots.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(parse(r.value()));
        }
    }

    int accounted() {
        return assignments.size() + deadLetters.size();
    }

    /** Polls until {@code n} distinct inputs are accounted for, or fails at the deadline. */
    void awaitAccounted(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (accounted() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + accounted() + " of " + n + " inputs accounted for after " + timeout);
            }
            poll();
        }
    }

    /** The snapshot of this model taken at exactly this pointsSeen, polling until it arrives. */
    JsonNode snapshotAt(String model, long pointsSeen, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (JsonNode s : snapshots.getOrDefault(model, List.of())) {
                if (s.get("pointsSeen").asLong() == pointsSeen) {
                    return s;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no snapshot of " + model + " at pointsSeen " + pointsSeen);
            }
            poll();
        }
    }

    /** The last value of a header as text, or null. */
    static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    static JsonNode parse(byte[] json) {
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The largest relative difference between the numbers of two JSON documents of the same shape;
     * any difference in shape, text or booleans fails.
     */
    static double maxRelativeDifference(JsonNode a, JsonNode b, String path) {
        if (a.isNumber() && b.isNumber()) {
            double x = a.asDouble();
            double y = b.asDouble();
            if (x == y) {
                return 0;
            }
            return Math.abs(x - y) / Math.max(Math.max(Math.abs(x), Math.abs(y)), 1e-300);
        }
        if (a.getNodeType() != b.getNodeType() || a.size() != b.size()) {
            throw new AssertionError(path + ": " + a + " differs from " + b);
        }
        double max = 0;
        if (a.isObject()) {
            Set<String> names = new TreeSet<>();
            a.fieldNames().forEachRemaining(names::add);
            for (String f : names) {
                if (!b.has(f)) {
                    throw new AssertionError(path + "." + f + " missing in " + b);
                }
                max = Math.max(max, maxRelativeDifference(a.get(f), b.get(f), path + "." + f));
            }
        } else if (a.isArray()) {
            Iterator<JsonNode> ia = a.elements();
            Iterator<JsonNode> ib = b.elements();
            for (int i = 0; ia.hasNext(); i++) {
                max = Math.max(max, maxRelativeDifference(ia.next(), ib.next(), path + "[" + i + "]"));
            }
        } else if (!a.equals(b)) {
            throw new AssertionError(path + ": " + a + " differs from " + b);
        }
        return max;
    }

    @Override
    public void close() {
        assignmentReader.close();
        deadLetterReader.close();
        modelReader.close();
    }
}
