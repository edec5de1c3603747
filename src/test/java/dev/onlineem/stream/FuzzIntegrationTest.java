package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.cli.MarketSimulator;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.features.TickBars;
import dev.onlineem.serde.JsonSerializer;
import dev.onlineem.serde.Tick;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input on the real broker: more than 10,000 bad records of every kind interleaved with
 * 20,000 good points (one model an HMM) and the ticks of two symbols, with bad ticks of every kind. The good points must come out exactly as from a clean run of the same good
 * points, every bad record must be in the dead-letter topic once with a reason, and the processor
 * must keep running.
 */
@Tag("integration")
class FuzzIntegrationTest {
    static final int GOOD = 20_000;
    static final String[] MODELS = StreamingIntegrationTest.MODELS;
    private static EmbeddedKafkaBroker broker;
    @TempDir
    static Path tmp;

    @BeforeAll
    static void startBroker() {
        broker = EmbeddedKafkaBroker.startTemporary();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    /** A bad record: its kind (for the report), key and value. */
    record Bad(String kind, String key, byte[] value) {
    }

    static final String[] NON_FINITE = {"NaN", "-NaN", "+NaN", "nan", "Infinity", "-Infinity", "+Infinity", "infinity", "inf", "-inf",
        "INF", "1e400", "-1e400", "1E999", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "0x1p2000", "1e308", "-1e308", "1.7976931348623157e308"};

    /** One bad record of a random kind; {@code model} exists and has dimension {@code dim}. */
    static Bad bad(Random r, String model, int dim) {
        String good = "{\"id\":\"z\",\"x\":[" + "1.5,".repeat(dim - 1) + "2.5]}";
        switch (r.nextInt(16)) {
            case 0: {
                byte[] b = new byte[r.nextInt(200)];
                r.nextBytes(b);
                return new Bad("random bytes", model, b);
            }
            case 1:
                return new Bad("truncated JSON", model, utf8(good.substring(0, 1 + r.nextInt(good.length() - 2))));
            case 2: {
                String[] invalid = {"{\"x\":[1,2,]}", "{'x':[1,2]}", "{x:[1,2]}", "{\"x\":[1 2]}", "{\"x\":[1,2]", "}{", "{\"x\":[01,2]}",
                    "{\"x\":[1,2]} trailing", "{\"x\":[1,2]}{\"x\":[1,2]}", "{\"x\":[.5,1]}", "{\"x\":[1.,2]}", "{\"x\":[--1,2]}"};
                return new Bad("invalid JSON", model, utf8(invalid[r.nextInt(invalid.length)]));
            }
            case 3: {
                String[] shapes = {"[1,2]", "\"text\"", "42", "null", "true", "{}", "{\"id\":\"a\"}", "{\"x\":{\"a\":1}}", "{\"x\":[[1,2]]}",
                    "{\"x\":\"1,2\"}", "{\"x\":1}", "{\"id\":[1],\"x\":[1,2]}", "{\"ts\":\"yesterday\",\"x\":[1,2]}", "{\"ts\":-5,\"x\":[1,2]}",
                    "{\"x\":[1,2],\"x\":[3,4]}", "{\"ts\":1.5,\"x\":[1,2]}"};
                return new Bad("wrong shape", model, utf8(shapes[r.nextInt(shapes.length)]));
            }
            case 4:
                return new Bad("empty x", model, utf8("{\"id\":\"e\",\"x\":[]}"));
            case 5:
                return new Bad("x too long", model, utf8("{\"x\":[" + "1,".repeat(1024 + r.nextInt(2000)) + "1]}"));
            case 6:
                return new Bad("wrong dimension", model, utf8("{\"x\":[" + "1,".repeat(dim + r.nextInt(4)) + "1]}"));
            case 7:
                return new Bad("string or boolean in x", model, utf8("{\"x\":[" + (r.nextBoolean() ? "\"1.0\"" : "true") + ",1".repeat(dim - 1) + "]}"));
            case 8: {
                String v = NON_FINITE[r.nextInt(NON_FINITE.length)];
                return new Bad("non-finite or huge number", model, utf8("{\"x\":[" + v + ",1".repeat(dim - 1) + "]}"));
            }
            case 9: {
                int depth = 20 + r.nextInt(5000);
                return new Bad("deep nesting", model, utf8("{\"x\":" + "[".repeat(depth) + "1" + "]".repeat(depth) + "}"));
            }
            case 10:
                return new Bad("null key", null, utf8(good));
            case 11:
                return new Bad("empty key", "", utf8(good));
            case 12:
                return new Bad("unknown field", model, utf8("{\"id\":\"u\",\"x\":[" + "1,".repeat(dim - 1) + "1],\"" + (r.nextBoolean() ? "@class" : "extra") + "\":1}"));
            case 13:
                return new Bad("every coordinate missing", model, utf8("{\"x\":[" + "null,".repeat(dim - 1) + "null]}"));
            case 14:
                return new Bad("null value", model, null);
            default:
                return new Bad("model id too long", "m".repeat(1025 + r.nextInt(5000)), utf8(good));
        }
    }

    /** One bad tick of a random kind for {@code symbol}, whose last good tick was at {@code ts}. */
    static Bad badTick(Random r, String symbol, long ts) {
        String good = "{\"symbol\":\"" + symbol + "\",\"price\":101.5,\"size\":3,\"ts\":" + ts + "}";
        switch (r.nextInt(10)) {
            case 0: {
                byte[] b = new byte[r.nextInt(200)];
                r.nextBytes(b);
                return new Bad("tick: random bytes", symbol, b);
            }
            case 1:
                return new Bad("tick: truncated JSON", symbol, utf8(good.substring(0, 1 + r.nextInt(good.length() - 2))));
            case 2: {
                String[] prices = {"0", "-1", "-0.0", "1e400", "NaN", "\"1.5\"", "null", "[1]", "true"};
                return new Bad("tick: bad price", symbol, utf8(good.replace("101.5", prices[r.nextInt(prices.length)])));
            }
            case 3: {
                String[] sizes = {"-5", "1e400", "\"big\"", "-Infinity"};
                return new Bad("tick: bad size", symbol, utf8(good.replace("\"size\":3", "\"size\":" + sizes[r.nextInt(sizes.length)])));
            }
            case 4:
                return new Bad("tick: late", symbol, utf8(good.replace("\"ts\":" + ts, "\"ts\":" + (ts - 5_000))));
            case 5:
                return new Bad("tick: far ahead", symbol, utf8(good.replace("\"ts\":" + ts, "\"ts\":" + (ts + 10 * 86_400_000L))));
            case 6:
                return new Bad("tick: symbol is not the key", symbol, utf8(good.replace(symbol, "OTHER")));
            case 7: {
                String[] shapes = {"[1,2]", "{}", "\"tick\"", "{\"symbol\":\"" + symbol + "\"}", "{\"price\":1,\"ts\":\"now\"}", "{\"price\":1,\"ts\":1.5}"};
                return new Bad("tick: wrong shape", symbol, utf8(shapes[r.nextInt(shapes.length)]));
            }
            case 8:
                return new Bad("tick: no key", r.nextBoolean() ? null : "", utf8(good));
            default:
                return new Bad("tick: symbol too long", "S".repeat(1020 + r.nextInt(100)), utf8(good.replace(symbol, "S")));
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldProcessGoodPointsAsIfTheBadOnesWereAbsentAndDeadLetterEveryBadOne() throws Exception {
        Map<String, Object> cleanSettings = StreamingIntegrationTest.config(broker.bootstrapServers(), "clean-", tmp.resolve("clean"));
        Map<String, Object> fuzzSettings = StreamingIntegrationTest.config(broker.bootstrapServers(), "fuzz-", tmp.resolve("fuzz"));
        for (Map<String, Object> m : List.of(cleanSettings, fuzzSettings)) {
            m.put("model.override.sensor-b.type", "hmm"); // 3-d with missing values: an HMM among the mixtures
            m.put("model.override.ticks/.type", "hmm");
            m.put("ticks.bar.ms", "1000");
        }
        OnlineEmConfig clean = new OnlineEmConfig(cleanSettings);
        OnlineEmConfig fuzz = new OnlineEmConfig(fuzzSettings);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            // the input topic accepts a 10 MB record, as a cluster configured for large messages would
            admin.createTopics(List.of(new NewTopic(fuzz.pointsTopic(), 2, (short) -1).configs(Map.of("max.message.bytes", String.valueOf(16 << 20)))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        StreamApp.createTopics(clean, 2);
        StreamApp.createTopics(fuzz, 2);

        Map<String, Integer> dims = Map.of("sensor-a", 2, "sensor-b", 3, "fx-c", 1);
        Map<Future<RecordMetadata>, String> badSends = new HashMap<>();
        Random goodRandom = new Random(17);
        Random badRandom = new Random(99);
        Map<String, Object> big = new HashMap<>();
        big.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        big.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        big.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        big.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L << 20);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(big, new StringSerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < GOOD; i++) {
                String model = MODELS[i % MODELS.length];
                byte[] point = utf8(StreamingIntegrationTest.goodPoint(i, model, goodRandom));
                producer.send(new ProducerRecord<>(clean.pointsTopic(), model, point));
                producer.send(new ProducerRecord<>(fuzz.pointsTopic(), model, point));
                if (i >= 100) { // every model exists, so a wrong dimension is wrong
                    if (badRandom.nextInt(3) != 0) { // two good points in three are followed by a bad record
                        Bad bad = bad(badRandom, model, dims.get(model));
                        badSends.put(producer.send(new ProducerRecord<>(fuzz.pointsTopic(), bad.key(), bad.value())), bad.kind());
                    }
                }
                if (i == 5_000 || i == 10_000 || i == 15_000) {
                    byte[] huge = utf8("{\"id\":\"huge\",\"x\":[" + "1.25,".repeat(2_000_000) + "1]}"); // 10 MB
                    badSends.put(producer.send(new ProducerRecord<>(fuzz.pointsTopic(), model, huge)), "10 MB value");
                }
            }
        }
        // ticks of two symbols (400 one-second bars each), a bad tick after one good tick in three
        // event time of a live feed: the last day; record timestamps now (old ones would make the broker roll a segment per batch and delete by retention)
        MarketSimulator market = new MarketSimulator(23, List.of("FZ1", "FZ2"), 1000, (System.currentTimeMillis() - 86_400_000L) / 1000 * 1000);
        Map<String, TickBars> expectedBars = new HashMap<>();
        int goodBars = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(big, new StringSerializer(), new ByteArraySerializer())) {
            for (int b = 0; b < 400; b++) {
                for (Tick t : market.bar(b)) {
                    byte[] tick = new JsonSerializer<Tick>().serialize(null, t);
                    producer.send(new ProducerRecord<>(clean.ticksTopic(), t.symbol(), tick));
                    producer.send(new ProducerRecord<>(fuzz.ticksTopic(), t.symbol(), tick));
                    List<TickBars.Bar> closed = new ArrayList<>();
                    expectedBars.computeIfAbsent(t.symbol(), s -> new TickBars(fuzz.barSettings())).accept(t.price(), t.size(), t.ts(), closed);
                    goodBars += closed.size();
                    if (b >= 10 && badRandom.nextInt(3) == 0) {
                        Bad bad = badTick(badRandom, t.symbol(), t.ts());
                        badSends.put(producer.send(new ProducerRecord<>(fuzz.ticksTopic(), bad.key(), bad.value())), bad.kind());
                    }
                }
            }
        }
        Map<String, String> badKinds = new HashMap<>(); // "topic/partition/offset" -> kind
        for (Map.Entry<Future<RecordMetadata>, String> e : badSends.entrySet()) {
            RecordMetadata md = e.getKey().get();
            badKinds.put(md.topic() + "/" + md.partition() + "/" + md.offset(), e.getValue());
        }
        assertTrue(badKinds.size() >= 10_000, "only " + badKinds.size() + " bad records");
        int good = GOOD + goodBars;

        try (StreamApp cleanApp = StreamApp.start(clean, 2); StreamApp fuzzApp = StreamApp.start(fuzz, 2);
             Outputs cleanOut = new Outputs(broker.bootstrapServers(), clean);
             Outputs fuzzOut = new Outputs(broker.bootstrapServers(), fuzz)) {
            cleanOut.awaitAccounted(good, Duration.ofMinutes(5));
            fuzzOut.awaitAccounted(good + badKinds.size(), Duration.ofMinutes(5));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) {
                fuzzOut.poll();
            }
            assertTrue(fuzzApp.streams().state().isRunningOrRebalancing(), "processor state " + fuzzApp.streams().state());

            assertEquals(good, fuzzOut.assignments.size(), "assignments for bad records");
            assertEquals(good, cleanOut.assignments.size());
            double max = 0;
            for (Map.Entry<String, List<com.fasterxml.jackson.databind.JsonNode>> e : cleanOut.assignments.entrySet()) {
                List<com.fasterxml.jackson.databind.JsonNode> got = fuzzOut.assignments.get(e.getKey());
                assertTrue(got != null && got.size() == 1, e.getKey() + " has " + (got == null ? 0 : got.size()) + " assignments");
                // ts falls back to the record timestamp for points without one, and the two topics were written at different moments
                com.fasterxml.jackson.databind.node.ObjectNode want = e.getValue().get(0).deepCopy();
                com.fasterxml.jackson.databind.node.ObjectNode have = got.get(0).deepCopy();
                want.remove("ts");
                have.remove("ts");
                max = Math.max(max, Outputs.maxRelativeDifference(want, have, e.getKey()));
            }
            assertEquals(0.0, max, "good points must be processed as if the bad ones were absent");

            assertEquals(badKinds.keySet(), fuzzOut.deadLetters.keySet(), "dead letters are exactly the bad records");
            Map<String, TreeMap<String, Integer>> reasonsByKind = new TreeMap<>();
            for (Map.Entry<String, List<String>> d : fuzzOut.deadLetters.entrySet()) {
                assertEquals(1, d.getValue().size(), "bad record " + d.getKey() + " dead-lettered " + d.getValue().size() + " times");
                String reason = d.getValue().get(0);
                assertTrue(reason != null && reason.length() > 10, "dead letter " + d.getKey() + " without a reason");
                String kind = badKinds.get(d.getKey());
                String gist = reason.replaceAll("[0-9]+", "N");
                gist = gist.substring(0, Math.min(90, gist.length()));
                reasonsByKind.computeIfAbsent(kind, k -> new TreeMap<>()).merge(gist, 1, Integer::sum);
            }
            StringBuilder report = new StringBuilder("fuzz test: " + badKinds.size() + " bad records, " + GOOD + " good points and "
                    + goodBars + " bars from good ticks\n");
            reasonsByKind.forEach((kind, reasons) -> report.append("  ").append(kind).append(": ").append(reasons).append('\n'));
            System.out.println(report);
            assertReason(reasonsByKind, "10 MB value", "max.record.bytes");
            assertReason(reasonsByKind, "wrong dimension", "dimension");
            assertReason(reasonsByKind, "null key", "key");
            assertReason(reasonsByKind, "empty key", "key");
            assertReason(reasonsByKind, "x too long", "max.dimension");
            assertReason(reasonsByKind, "unknown field", "unknown field");
            assertReason(reasonsByKind, "deep nesting", "");
            assertReason(reasonsByKind, "model id too long", "too long");
            assertReason(reasonsByKind, "tick: bad price", "price");
            assertReason(reasonsByKind, "tick: bad size", "size");
            assertReason(reasonsByKind, "tick: late", "late tick");
            assertReason(reasonsByKind, "tick: far ahead", "ticks.max.ahead.ms");
            assertReason(reasonsByKind, "tick: symbol is not the key", "is not its key");
            assertReason(reasonsByKind, "tick: no key", "key is the symbol");
            assertReason(reasonsByKind, "tick: symbol too long", "too long");
        }
    }

    /** Every dead letter of this kind names the expected cause. */
    private static void assertReason(Map<String, TreeMap<String, Integer>> reasonsByKind, String kind, String fragment) {
        TreeMap<String, Integer> reasons = reasonsByKind.get(kind);
        assertTrue(reasons != null && !reasons.isEmpty(), "no dead letters of kind " + kind);
        for (String reason : reasons.keySet()) {
            assertTrue(reason.contains(fragment), kind + ": reason \"" + reason + "\" does not mention " + fragment);
        }
    }
}
