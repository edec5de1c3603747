package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.cli.MarketSimulator;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.OnlineMixtureModel;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.StateCodec;
import dev.onlineem.serde.Json;
import dev.onlineem.serde.JsonSerializer;
import dev.onlineem.serde.Tick;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnlineEmTopologyTest {
    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> points;
    private TestOutputTopic<String, String> assignments;
    private TestOutputTopic<String, String> models;
    private TestOutputTopic<String, String> anomalies;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    static Map<String, Object> baseConfig(Path stateDir) {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", "unused:9092");
        m.put("application.id", "topology-test");
        m.put("state.dir", stateDir.toString());
        m.put("model.k", "2");
        m.put("model.init.points", "50");
        m.put("snapshot.every.points", "100");
        m.put("model.override.fx-.k", "3");
        m.put("model.override.fx-.half.life", "5000");
        m.put("model.override.regime-.type", "hmm");
        m.put("model.override.regime-.k", "2");
        m.put("model.override.regime-.init.points", "250");
        m.put("model.override.ticks/.type", "hmm");
        m.put("model.override.ticks/.init.points", "200");
        m.put("ticks.bar.ms", "1000");
        return m;
    }

    @BeforeEach
    void setUp() {
        OnlineEmConfig config = new OnlineEmConfig(baseConfig(stateDir));
        Properties props = StreamApp.properties(config);
        driver = new TopologyTestDriver(OnlineEmTopology.build(config), props);
        points = driver.createInputTopic("points", new StringSerializer(), new ByteArraySerializer());
        assignments = driver.createOutputTopic("assignments", new StringDeserializer(), new StringDeserializer());
        models = driver.createOutputTopic("models", new StringDeserializer(), new StringDeserializer());
        anomalies = driver.createOutputTopic("anomalies", new StringDeserializer(), new StringDeserializer());
        deadLetters = driver.createOutputTopic("points-dlq", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void tearDown() {
        driver.close();
    }

    @Test
    void shouldPublishRegimesTransitionsAndRegimeChangesForHmmModels() throws Exception {
        TestOutputTopic<String, String> regimes = driver.createOutputTopic("regimes", new StringDeserializer(), new StringDeserializer());
        Random r = new Random(5);
        int n = 600;
        for (int i = 0; i < n; i++) {
            double level = (i / 100) % 2 == 0 ? 0 : 5; // regimes of 100 points
            send("regime-a", "{\"id\":\"p" + i + "\",\"x\":[" + (level + r.nextGaussian()) + "]}");
        }
        List<String> out = assignments.readValuesToList();
        assertEquals(n, out.size());
        JsonNode last = Json.mapper().readTree(out.get(n - 1));
        assertEquals(1, last.get("regime").asInt(), "the last block has the high level: regime 1 (ascending means)");
        assertEquals(2, last.get("regimeProbabilities").size());
        assertNull(last.get("cluster"));
        List<String> events = regimes.readValuesToList();
        // the warm-up (250 points) sees both levels; then the first announcement and one per block boundary (300, 400, 500)
        assertEquals(4, events.size(), events.size() + " regime events: " + events);
        JsonNode e = Json.mapper().readTree(events.get(events.size() - 1));
        assertEquals(1, e.get("regime").asInt());
        assertEquals(0, e.get("previousRegime").asInt());
        assertTrue(e.get("probability").asDouble() >= 0.8);
        JsonNode model = Json.mapper().readTree(models.readValuesToList().get(0));
        assertEquals("hmm", model.get("type").asText());
        assertEquals(2, model.get("transitionMatrix").size());
        assertTrue(model.get("expectedDurations").get(0).asDouble() > 10, model.toString());
    }

    @Test
    void shouldTurnTicksIntoBarsAndBarsIntoRegimesOfTheSymbolsHmm() throws Exception {
        TestInputTopic<String, Tick> ticks = driver.createInputTopic("ticks", new StringSerializer(), new JsonSerializer<>());
        TestOutputTopic<String, String> bars = driver.createOutputTopic("points", new StringDeserializer(), new StringDeserializer());
        MarketSimulator market = new MarketSimulator(11, List.of("ALPHA"), 1000, 0);
        int n = 800;
        long produced = 0;
        for (int b = 0; b < n; b++) {
            for (Tick t : market.bar(b)) {
                ticks.pipeInput(t.symbol(), t, t.ts());
                produced++;
            }
        }
        List<TestRecord<String, String>> points = bars.readRecordsToList();
        assertEquals(n - 1, points.size(), "every bar but the last, still open, is a point");
        JsonNode p = Json.mapper().readTree(points.get(5).value());
        assertEquals("ticks/ALPHA", points.get(5).key());
        assertEquals("ALPHA@1970-01-01T00:00:05Z", p.get("id").asText());
        assertEquals(6000, p.get("ts").asLong(), "a bar's time is its end");
        assertEquals(4, p.get("x").size(), "volatility, return, volume, range");
        List<String> out = assignments.readValuesToList();
        assertEquals(n - 1, out.size());
        int right = 0;
        int scored = 0;
        for (String a : out) {
            JsonNode j = Json.mapper().readTree(a);
            if (j.get("warmup").asBoolean()) {
                continue;
            }
            scored++;
            long start = Instant.parse(j.get("id").asText().substring("ALPHA@".length())).toEpochMilli();
            right += j.get("regime").asInt() == market.regime("ALPHA", start) ? 1 : 0;
        }
        assertEquals(n - 1 - 200, scored);
        assertTrue(right >= 0.95 * scored, right + " of " + scored + " bars in the true regime (regime 0 = calm)");
        assertTrue(produced > 10_000);
    }

    @Test
    void shouldDeadLetterBadAndLateTicksWithTheReasonAndGoOn() throws Exception {
        TestInputTopic<String, byte[]> ticks = driver.createInputTopic("ticks", new StringSerializer(), new ByteArraySerializer());
        TestOutputTopic<String, String> bars = driver.createOutputTopic("points", new StringDeserializer(), new StringDeserializer());
        String[] bad = {
            "{\"price\": 0, \"ts\": 1500}",
            "{\"price\": -3, \"ts\": 1500}",
            "{\"symbol\": \"BETA\", \"price\": 3, \"ts\": 1500}",
            "{\"price\": 101, \"size\": -1, \"ts\": 1500}",
            "{\"price\": 101, \"ts\": 500}", // late: bar [0, 1000) closed at 1200
            "{\"price\": 101, \"ts\": 999999999999}", // far ahead of the record's time
        };
        ticks.pipeInput("ALPHA", "{\"price\": 100, \"size\": 1, \"ts\": 100}".getBytes(StandardCharsets.UTF_8), 100);
        ticks.pipeInput("ALPHA", "{\"price\": 100.5, \"size\": 1, \"ts\": 1200, \"exchange\": \"X\"}".getBytes(StandardCharsets.UTF_8), 1200);
        for (String b : bad) {
            ticks.pipeInput("ALPHA", b.getBytes(StandardCharsets.UTF_8), 1500);
        }
        ticks.pipeInput(null, "{\"price\": 100, \"ts\": 1500}".getBytes(StandardCharsets.UTF_8), 1500);
        ticks.pipeInput("ALPHA", "{\"price\": 101, \"size\": 2, \"ts\": 2100}".getBytes(StandardCharsets.UTF_8), 2100);
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(bad.length + 1, dead.size());
        assertReason(dead.get(0), "bad tick: price 0.0 is not a finite positive number (symbol ALPHA)");
        assertReason(dead.get(1), "price -3.0");
        assertReason(dead.get(2), "tick's symbol BETA is not its key ALPHA");
        assertReason(dead.get(3), "size -1.0");
        assertReason(dead.get(4), "late tick: ts 500 falls in the bar [0, 1000)");
        assertReason(dead.get(5), "more than ticks.max.ahead.ms");
        assertReason(dead.get(6), "tick has no key");
        List<TestRecord<String, String>> points = bars.readRecordsToList();
        assertEquals(2, points.size(), "bars [0, 1000) and [1000, 2000), untouched by the rejected ticks");
        JsonNode second = Json.mapper().readTree(points.get(1).value());
        assertEquals(Math.log(100.5 / 100), second.get("x").get(1).asDouble(), 1e-15);
        assertEquals(Math.log1p(1), second.get("x").get(2).asDouble(), 1e-15);
    }

    private void send(String key, String json) {
        points.pipeInput(key, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private static String point(String id, double... x) {
        StringBuilder sb = new StringBuilder("{\"id\":\"" + id + "\",\"x\":[");
        for (int i = 0; i < x.length; i++) {
            sb.append(i > 0 ? "," : "").append(Double.isNaN(x[i]) ? "null" : Double.toString(x[i]));
        }
        return sb.append("]}").toString();
    }

    @Test
    void shouldEmitOneAssignmentPerPointAndASnapshotWhenWarmUpEnds() throws Exception {
        Random r = new Random(1);
        for (int i = 0; i < 120; i++) {
            send("sensor-1", point("p" + i, r.nextGaussian() + (i % 2) * 5, r.nextGaussian()));
        }
        List<TestRecord<String, String>> out = assignments.readRecordsToList();
        assertEquals(120, out.size());
        JsonNode first = Json.mapper().readTree(out.get(0).value());
        assertTrue(first.get("warmup").asBoolean());
        assertNull(first.get("logDensity"));
        assertNull(first.get("provisional"));
        // from the 10th point the warm-up's provisional model scores, and says so
        JsonNode tenth = Json.mapper().readTree(out.get(10).value());
        assertTrue(tenth.get("warmup").asBoolean());
        assertTrue(tenth.get("provisional").asBoolean());
        assertTrue(Double.isFinite(tenth.get("logDensity").asDouble()) && tenth.get("pValue").asDouble() > 0, tenth.toString());
        assertNull(tenth.get("cluster"));
        JsonNode last = Json.mapper().readTree(out.get(119).value());
        assertFalse(last.get("warmup").asBoolean());
        assertEquals("p119", last.get("id").asText());
        assertEquals(2, last.get("responsibilities").size());
        assertEquals(120, last.get("pointsSeen").asLong());
        assertNull(last.get("provisional"), "the model's own scores carry no provisional field");
        List<TestRecord<String, String>> snaps = models.readRecordsToList();
        assertEquals(2, snaps.size(), "one at the end of warm-up (50), one at pointsSeen=100");
        JsonNode snap = Json.mapper().readTree(snaps.get(0).value());
        assertEquals("sensor-1", snap.get("model").asText());
        assertEquals(50, snap.get("pointsSeen").asLong());
        byte[] stored = ModelCheckpointStore.of(driver.getAllStateStores().get(OnlineEmTopology.CHECKPOINT_STORE)).get("sensor-1");
        // the test driver commits after each record, so each commit saw one point: a full state at the first point and
        // at 101 (checkpoint.points = 100 past the one before), the points in between logged
        assertEquals(101, StateCodec.decode(stored).pointsSeen());
        // one log batch a commit for the points after it: those of 2..100 went when the full state at 101 was written
        List<byte[]> batches = ModelStates.batches(driver.<String, byte[]>getKeyValueStore(OnlineEmTopology.LOG_STORE));
        assertEquals(19, batches.size(), "points 102..120 logged");
        assertEquals(120, ModelStates.read("sensor-1", k -> stored, k -> null, batches, 100).pointsSeen());
    }

    @Test
    void shouldPublishAModelAtOnceWhenDriftRepairReplacesIt() throws Exception {
        // 3,000 points of two clusters, then 2,000 of two others: drift repair replaces the model after the change, and its new
        // parameters go out at that point, not at the next multiple of snapshot.every.points (100)
        Random r = new Random(5);
        for (int i = 0; i < 5_000; i++) {
            boolean after = i >= 3_000;
            int c = r.nextInt(2);
            double cx = after ? (c == 0 ? 20 : -20) : c * 5;
            double cy = after ? (c == 0 ? 20 : 30) : 0;
            send("sensor-r", point("p" + i, cx + r.nextGaussian(), cy + r.nextGaussian()));
        }
        List<Long> published = new ArrayList<>();
        for (TestRecord<String, String> rec : models.readRecordsToList()) {
            published.add(Json.mapper().readTree(rec.value()).get("pointsSeen").asLong());
        }
        List<Long> offSchedule = published.stream().filter(n -> n != 50 && n % 100 != 0).toList();
        assertFalse(offSchedule.isEmpty(), "a snapshot at a repair: " + published);
        assertTrue(offSchedule.stream().allMatch(n -> n > 3_000), "repairs come after the change: " + offSchedule);
    }

    @Test
    void shouldPublishEachUpdatedModelAboutOneIntervalAfterItsFirstUnpublishedUpdateNotAllAtOnce() throws Exception {
        // snapshot.interval.ms is the default 10,000: punctuations every 1,000 ms of wall-clock time
        Random r = new Random(4);
        for (String m : List.of("a", "b")) {
            for (int i = 0; i < 60; i++) { // past warm-up (50): published then, later points unpublished
                send(m, point(m + i, r.nextGaussian() + (i % 2) * 5, r.nextGaussian()));
            }
            driver.advanceWallClockTime(java.time.Duration.ofMillis(4_000)); // "b" first updated 4 s after "a"
        }
        models.readRecordsToList(); // the two end-of-warm-up snapshots
        send("a", point("a-late", 1, 1)); // already waiting: keeps its place
        driver.advanceWallClockTime(java.time.Duration.ofMillis(2_000)); // 10 s after "a"'s first update, 6 s after "b"'s
        List<TestRecord<String, String>> first = models.readRecordsToList();
        assertEquals(List.of("a"), first.stream().map(TestRecord::key).collect(java.util.stream.Collectors.toList()));
        assertEquals(61, Json.mapper().readTree(first.get(0).value()).get("pointsSeen").asLong(), "with the point sent since");
        driver.advanceWallClockTime(java.time.Duration.ofMillis(3_000));
        assertEquals(List.of(), models.readRecordsToList(), "b is 9 s old");
        driver.advanceWallClockTime(java.time.Duration.ofMillis(1_000));
        assertEquals(List.of("b"), models.readRecordsToList().stream().map(TestRecord::key).collect(java.util.stream.Collectors.toList()));
        driver.advanceWallClockTime(java.time.Duration.ofMillis(30_000));
        assertEquals(List.of(), models.readRecordsToList(), "nothing updated since");
    }

    @Test
    void shouldGiveTheSameOutputsWhenColdModelsAreDroppedFromMemoryAndRestored(@TempDir Path otherDir) {
        // the same interleaved points of 7 models (one a 3-state HMM, one with missing values) through a task that
        // holds every model and through one that holds 2 and restores the others from the stores at their next point
        Map<String, Object> small = baseConfig(otherDir);
        small.put("state.held.models", "2");
        small.put("application.id", "topology-test-evicting");
        OnlineEmConfig config = new OnlineEmConfig(small);
        try (TopologyTestDriver evicting = new TopologyTestDriver(OnlineEmTopology.build(config), StreamApp.properties(config))) {
            TestInputTopic<String, byte[]> in = evicting.createInputTopic("points", new StringSerializer(), new ByteArraySerializer());
            TestOutputTopic<String, String> out = evicting.createOutputTopic("assignments", new StringDeserializer(), new StringDeserializer());
            TestOutputTopic<String, String> snaps = evicting.createOutputTopic("models", new StringDeserializer(), new StringDeserializer());
            Random r = new Random(17);
            String[] ids = {"a", "b", "c", "fx-d", "e", "regime-f", "g"};
            for (int i = 0; i < 7 * 250; i++) {
                String id = ids[(i * 5 + i / 7) % 7];
                double[] x = {r.nextGaussian() + (i % 3) * 4, r.nextGaussian()};
                if (id.equals("e") && i % 5 == 0) {
                    x[1] = Double.NaN;
                }
                byte[] json = point("p" + i, x).getBytes(StandardCharsets.UTF_8);
                long ts = 1_700_000_000_000L + 1000L * i;
                points.pipeInput(id, json, ts);
                in.pipeInput(id, json, ts);
            }
            List<TestRecord<String, String>> expected = assignments.readRecordsToList();
            List<TestRecord<String, String>> actual = out.readRecordsToList();
            assertEquals(7 * 250, actual.size());
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).key(), actual.get(i).key());
                assertEquals(expected.get(i).value(), actual.get(i).value(), "output " + i);
            }
            assertEquals(models.readValuesToList(), snaps.readValuesToList(), "the same snapshots");
        }
    }

    @Test
    void shouldRestoreAModelBitForBitFromItsCommittedStateAndFromPointsAnEarlierBuildLogged() throws Exception {
        OnlineEmConfig config = new OnlineEmConfig(baseConfig(stateDir));
        OnlineMixtureModel reference = new OnlineMixtureModel(config.settingsFor("sensor-9"));
        OnlineMixtureModel at200 = new OnlineMixtureModel(config.settingsFor("sensor-9"));
        OnlineMixtureModel fresh = new OnlineMixtureModel(config.settingsFor("fresh"));
        PointResult ignored = new PointResult();
        Random r = new Random(9);
        double[][] xs = new double[257][];
        for (int i = 0; i < 257; i++) {
            double[] x = {r.nextGaussian() + (i % 2) * 5, Double.NaN};
            if (i % 7 != 0) {
                x[1] = r.nextGaussian();
            }
            xs[i] = x;
            long ts = 1_700_000_000_000L + 1000L * i; // the state keeps the last point's time, so the reference gets the same
            send("sensor-9", point("p" + i, x).replace("{", "{\"ts\":" + ts + ","));
            reference.update(x, ts, ignored);
            if (i < 200) {
                at200.update(x, ts, ignored);
            }
            if (i < 30) {
                send("fresh", point("f" + i, x).replace("{", "{\"ts\":" + ts + ","));
                fresh.update(x, ts, ignored);
            }
        }
        // a new task would see exactly these stores: each model's state as of the last commit
        ModelCheckpointStore store = ModelCheckpointStore.of(driver.getAllStateStores().get(OnlineEmTopology.CHECKPOINT_STORE));
        KeyValueStore<String, byte[]> log = driver.getKeyValueStore(OnlineEmTopology.LOG_STORE);
        ModelStates restored = new ModelStates(store, log, config::settingsFor, 100, 10);
        assertArrayEquals(StateCodec.encode(reference), StateCodec.encode(restored.get("sensor-9")));
        assertArrayEquals(StateCodec.encode(fresh), StateCodec.encode(restored.get("fresh")));
        // what builds before state format 6 left: a full state every 100 points, each point after it in slot id#(seq mod 100)
        store.put("old-9", StateCodec.encode(at200));
        for (int seq = 201; seq <= 257; seq++) {
            ByteBuffer entry = ByteBuffer.allocate(8 * 4).order(ByteOrder.LITTLE_ENDIAN).putLong(seq).putLong(1_700_000_000_000L + 1000L * (seq - 1));
            entry.asDoubleBuffer().put(xs[seq - 1]);
            log.put("old-9#" + seq % 100, entry.array());
        }
        log.put("old-9#" + 258 % 100, ByteBuffer.allocate(8 * 4).order(ByteOrder.LITTLE_ENDIAN).putLong(158).array()); // stale: ends the replay
        assertArrayEquals(StateCodec.encode(reference), StateCodec.encode(restored.get("old-9")));
    }

    @Test
    void shouldLogQuietModelsInOneBatchACommitAndDropBatchesOnceNoModelNeedsThem() {
        // 40 models taking a point each a commit, as with many sensors; one of them stops after 20 points. The store is
        // left at the last commit and loaded by a new task, as after a crash
        OnlineEmConfig config = new OnlineEmConfig(baseConfig(stateDir));
        ModelCheckpointStore store = ModelCheckpointStore.of(driver.getAllStateStores().get(OnlineEmTopology.CHECKPOINT_STORE));
        KeyValueStore<String, byte[]> log = driver.getKeyValueStore(OnlineEmTopology.LOG_STORE);
        long bound = 20_000;
        ModelStates states = new ModelStates(store, log, config::settingsFor, 100, 1_000, bound);
        Map<String, OnlineModel> reference = new HashMap<>();
        PointResult result = new PointResult();
        Random r = new Random(4);
        int maxBatches = 0;
        for (int round = 0; round < 300; round++) {
            for (int m = 0; m < 40; m++) {
                String id = "s-" + m;
                if (m == 7 && round >= 20) {
                    continue; // stopped
                }
                double[] x = {r.nextGaussian() + (round % 2) * 4, r.nextGaussian()};
                long ts = 1_700_000_000_000L + round;
                OnlineModel model = states.get(id);
                model.update(x, ts, result);
                states.accepted(id, model, x, ts);
                reference.computeIfAbsent(id, k -> OnlineModel.create(config.settingsFor(k))).update(x, ts, result);
            }
            states.writeChanged();
            maxBatches = Math.max(maxBatches, states.batchCount());
            assertTrue(states.batchBytes() <= bound + 8_000, "the log stays within its bound: " + states.batchBytes());
        }
        // one batch a commit, none for ever: the stopped model's state was written in full once its batch was the oldest
        assertEquals(states.batchCount(), ModelStates.batches(log).size());
        assertTrue(maxBatches > 1 && maxBatches < 300, maxBatches + " batches at most");
        assertEquals(20, StateCodec.decode(store.get("s-7")).pointsSeen(), "the stopped model's full state");
        assertTrue(StateCodec.decode(store.get("s-3")).pointsSeen() < 300, "a quiet model's last points are in the log");
        ModelStates restored = new ModelStates(store, log, config::settingsFor, 100, 1_000);
        // a task that commits before any point loads the models the batches hold points of, writing nothing: about 10 ms of
        // loading a commit (LOAD_BUDGET_NANOS), so a cold JVM takes a few commits where a warm one took one
        ModelStates drained = new ModelStates(store, log, config::settingsFor, 100, 1_000);
        for (int commit = 0; commit < 100 && drained.heldCount() < 39; commit++) {
            drained.writeChanged();
        }
        assertEquals(39, drained.heldCount(), "every model with points in the batches: all but the stopped one, written in full");
        assertEquals(states.batchCount(), ModelStates.batches(log).size(), "no batch dropped: none was written in full");
        List<byte[]> batches = ModelStates.batches(log);
        Map<String, List<byte[]>> byId = ModelStates.batchesById(batches);
        for (Map.Entry<String, OnlineModel> e : reference.entrySet()) {
            byte[] want = StateCodec.encode(e.getValue());
            assertArrayEquals(want, StateCodec.encode(restored.get(e.getKey())), e.getKey());
            assertArrayEquals(want, StateCodec.encode(drained.get(e.getKey())), e.getKey() + " loaded by a commit");
            assertArrayEquals(want, StateCodec.encode(ModelStates.read(e.getKey(), store::get, log::get, batches, 100)), e.getKey() + " read");
            assertArrayEquals(want, StateCodec.encode(ModelStates.read(e.getKey(), store::get, log::get,
                    byId.getOrDefault(e.getKey(), List.of()), 100)), e.getKey() + " read with the others");
        }
        // every model written in full: the next commit drops every batch
        ModelStates tiny = new ModelStates(store, log, config::settingsFor, 100, 1_000, 0);
        tiny.get("s-0");
        tiny.writeChanged();
        assertEquals(0, ModelStates.batches(log).size());
        assertArrayEquals(StateCodec.encode(reference.get("s-3")), StateCodec.encode(
                new ModelStates(store, log, config::settingsFor, 100, 1_000).get("s-3")));
    }

    @Test
    void shouldApplyPerPrefixModelSettings() throws Exception {
        Random r = new Random(2);
        for (int i = 0; i < 60; i++) {
            send("fx-eurusd", point("p" + i, r.nextGaussian() + (i % 3) * 6));
        }
        JsonNode last = Json.mapper().readTree(assignments.readRecordsToList().get(59).value());
        assertEquals(3, last.get("responsibilities").size());
    }

    @Test
    void shouldImputeMissingCoordinatesInTheAssignment() throws Exception {
        Random r = new Random(3);
        for (int i = 0; i < 60; i++) {
            double a = r.nextGaussian();
            send("m", point("p" + i, a, 2 * a + 0.1 * r.nextGaussian()));
        }
        send("m", point("gap", 1.0, Double.NaN));
        List<TestRecord<String, String>> out = assignments.readRecordsToList();
        JsonNode gap = Json.mapper().readTree(out.get(out.size() - 1).value());
        assertEquals(2.0, gap.get("imputed").get(1).asDouble(), 0.3);
    }

    @Test
    void shouldRouteMalformedRecordsToTheDeadLetterTopicWithTheReason() {
        Random r = new Random(4);
        for (int i = 0; i < 60; i++) {
            send("s", point("p" + i, r.nextGaussian(), r.nextGaussian()));
        }
        send("s", "{not json");
        send("s", "{\"x\": [1, \"two\"]}");
        send("s", point("wrong-dim", 1, 2, 3));
        send(null, point("no-key", 1, 2));
        send("s", "{\"x\": [1e400, 1]}");
        send("s", point("after", 0.1, 0.2));
        // TopologyTestDriver forwards only the processing-handler's dead letters; the deserialization
        // handler's (bad JSON, strings in x, 1e400) are checked on the real broker in StreamingIntegrationTest.
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(2, dead.size());
        assertReason(dead.get(0), "dimension 2 expected, got 3 for model s");
        assertReason(dead.get(1), "no key");
        assertTrue(new String(dead.get(0).value(), StandardCharsets.UTF_8).contains("wrong-dim"));
        assertNotNull(dead.get(0).headers().lastHeader("__streams.errors.offset"));
        List<TestRecord<String, String>> out = assignments.readRecordsToList();
        assertEquals(61, out.size());
        assertTrue(out.get(60).value().contains("\"after\""));
        assertTrue(anomalies.readRecordsToList().size() <= out.size());
    }

    private static void assertReason(TestRecord<byte[], byte[]> r, String expected) {
        Header h = r.headers().lastHeader("__streams.errors.message");
        assertNotNull(h, "no reason header");
        String reason = new String(h.value(), StandardCharsets.UTF_8);
        assertTrue(reason.contains(expected), "reason '" + reason + "' should contain '" + expected + "'");
    }

    @Test
    void shouldFailFastNamingABadSetting() {
        Map<String, Object> m = baseConfig(stateDir);
        m.put("model.override.sensor-.init.points", "1");
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> new OnlineEmConfig(m));
        assertTrue(e.getMessage().contains("model.override.sensor-.init.points"), e.getMessage());
        Map<String, Object> m2 = baseConfig(stateDir);
        m2.put("model.covariance.type", "banana");
        Exception e2 = org.junit.jupiter.api.Assertions.assertThrows(org.apache.kafka.common.config.ConfigException.class, () -> new OnlineEmConfig(m2));
        assertTrue(e2.getMessage().contains("model.covariance.type"), e2.getMessage());
    }
}
