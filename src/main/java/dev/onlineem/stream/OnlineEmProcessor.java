package dev.onlineem.stream;

import dev.onlineem.config.AssignmentsMode;
import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.base.ModelSnapshot;
import dev.onlineem.serde.AssignmentMessage;
import dev.onlineem.serde.ModelSnapshotMessage;
import dev.onlineem.serde.Point;
import dev.onlineem.serde.RegimeEventMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The online-EM step per record. Models are held deserialised in memory (up to {@code state.held.models}
 * per task, least recently used dropped first), so a record of a held model costs no store read or decode
 * and no store write: {@link ModelStates} writes what changed once per commit (a busy model's full state, a quiet
 * model's few points), in the commit's own transaction, so every committed offset's effects are durable and
 * exactly-once stays exact.
 */
final class OnlineEmProcessor implements Processor<String, Point, String, Object> {
    static final String ASSIGNMENTS = "assignments-sink";
    static final String ANOMALIES = "anomalies-sink";
    static final String MODELS = "models-sink";
    static final String REGIMES = "regimes-sink";

    /** Longest accepted model id (record key), in characters. */
    static final int MAX_MODEL_ID_LENGTH = 1024;

    private final Function<String, ModelSettings> settings;
    private final Function<String, AssignmentsMode> assignmentsMode;
    private final ProcessorSettings stage;

    private ProcessorContext<String, Object> context;
    private ModelStates models;
    /**
     * Models updated since their last published snapshot, each with the wall-clock time of its first such update, oldest
     * first; mirrored (without the times) in the changelogged "unpublished" store.
     */
    private final LinkedHashMap<String, Long> updatedSinceSnapshot = new LinkedHashMap<>();
    private KeyValueStore<String, byte[]> unpublished;
    private static final byte[] MARK = {1};
    private final PointResult result = new PointResult();
    /** The HTTP layer's view, or null when the server is off. */
    private final LiveView live;
    private final LongSupplier heldModels = () -> models == null ? 0 : models.heldCount();

    OnlineEmProcessor(Function<String, ModelSettings> settings, Function<String, AssignmentsMode> assignmentsMode, ProcessorSettings stage,
                      LiveView live) {
        this.settings = settings;
        this.assignmentsMode = assignmentsMode;
        this.stage = stage;
        this.live = live;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        ModelCheckpointStore checkpoints = ModelCheckpointStore.of(context.getStateStore(OnlineEmTopology.CHECKPOINT_STORE));
        KeyValueStore<String, byte[]> log = context.getStateStore(OnlineEmTopology.LOG_STORE);
        // a re-initialised task reads the stores again, never trusts memory
        this.models = new ModelStates(checkpoints, log, settings, stage.checkpointPoints(), stage.heldModels());
        checkpoints.beforeCommit(models::writeChanged);
        this.unpublished = context.getStateStore(OnlineEmTopology.UNPUBLISHED_STORE);
        updatedSinceSnapshot.clear();
        // models whose latest state a previous owner of this task may not have published (it was killed
        // before its snapshot interval came round): the first punctuation publishes them
        try (KeyValueIterator<String, byte[]> it = unpublished.all()) {
            it.forEachRemaining(kv -> updatedSinceSnapshot.put(kv.key, 0L));
        }
        // a hundredth of the interval: each model is published about one interval after its first unpublished update, so
        // 100,000 models updated over a few seconds are published over a few seconds, not all in one punctuation; with
        // ticks of a tenth, each tick published a tenth of them at once (10,000 snapshots, about half a second of the
        // stream thread), and a point arriving then waited for it: bench's latency p99 at 100,000 models 573 to 1,068 ms
        // when a tick fell in its latency window (docs/benchmarks.md)
        context.schedule(Duration.ofMillis(Math.max(1, stage.snapshotIntervalMs() / PUBLISH_TICKS)), PunctuationType.WALL_CLOCK_TIME,
                this::publishUpdated);
        if (live != null) {
            live.register(heldModels);
        }
    }

    @Override
    public void process(Record<String, Point> record) {
        String key = checkedKey(record);
        Point point = record.value();
        OnlineModel model = modelFor(key);
        long ts = point.ts() != null ? point.ts() : record.timestamp();
        learn(key, model, point, ts);
        forwardResults(key, point, ts, record.headers());
        // a model that has just warmed up, or whose parameters drift repair has just replaced, is published at once
        if (result.initialisedNow || result.repaired || (!result.warmup && result.pointsSeen % stage.snapshotEveryPoints() == 0)) {
            publish(key, model, ts);
        } else if (!result.warmup && !updatedSinceSnapshot.containsKey(key)) {
            updatedSinceSnapshot.put(key, context.currentSystemTimeMs());
            unpublished.put(key, MARK);
        }
    }

    /** The record's key, the model id, once the record is known to have a usable key and a value. */
    private static String checkedKey(Record<String, Point> record) {
        String key = record.key();
        if (key == null || key.isEmpty()) {
            throw new BadPointException("record has no key: the key is the model id");
        }
        if (record.value() == null) {
            throw new BadPointException("record for model " + key + " has no value: a JSON point is expected");
        }
        if (key.length() > MAX_MODEL_ID_LENGTH) {
            throw new BadPointException("model id of " + key.length() + " characters is too long: at most " + MAX_MODEL_ID_LENGTH);
        }
        return key;
    }

    /** The model of this id, held, restored or new; a new one only while the task holds fewer than {@code max.models}. */
    private OnlineModel modelFor(String key) {
        OnlineModel model = models.get(key);
        if (model.pointsSeen() == 0 && models.count() >= stage.maxModels()) {
            throw new BadPointException("model limit reached: this task (input partition " + context.taskId().partition()
                    + ") already holds max.models = " + stage.maxModels() + " models, so new model " + key
                    + " is not created; raise max.models or spread model ids over more partitions");
        }
        return model;
    }

    /** Scores the point and learns from it into {@link #result}; the change becomes durable at the next commit. */
    private void learn(String key, OnlineModel model, Point point, long ts) {
        long started = live == null ? 0 : System.nanoTime();
        try {
            model.update(point.x(), ts, result);
        } catch (IllegalArgumentException e) {
            throw new BadPointException(e.getMessage() + " for model " + key);
        }
        if (live != null) {
            live.point(key, model, point.x(), ts, result, System.nanoTime() - started);
        }
        models.accepted(key, model, point.x(), ts);
    }

    /** The point's assignment as its mode asks, its anomaly (always in full) and any regime change. */
    private void forwardResults(String key, Point point, long ts, Headers headers) {
        AssignmentsMode mode = assignmentsMode.apply(key);
        int d = point.x().length;
        AssignmentMessage full = mode == AssignmentsMode.FULL || result.anomaly ? AssignmentMessage.of(key, point.id(), ts, result, true, d) : null;
        if (mode != AssignmentsMode.OFF) {
            AssignmentMessage a = mode == AssignmentsMode.FULL ? full : AssignmentMessage.of(key, point.id(), ts, result, false, d);
            context.forward(new Record<String, Object>(key, a, ts, headers), ASSIGNMENTS);
        }
        if (result.anomaly) {
            context.forward(new Record<String, Object>(key, full, ts, headers), ANOMALIES);
        }
        if (result.regimeChanged) {
            PointResult r = result;
            RegimeEventMessage e = new RegimeEventMessage(key, point.id(), ts, r.regime, r.previousRegime < 0 ? null : r.previousRegime,
                    r.regimeProbability, r.responsibilitiesCopy(), r.pointsSeen);
            context.forward(new Record<String, Object>(key, e, ts, headers), REGIMES);
        }
    }

    private void publish(String key, OnlineModel model, long ts) {
        ModelSnapshot s = model.snapshot();
        if (s != null) {
            context.forward(new Record<String, Object>(key, ModelSnapshotMessage.of(key, s), ts), MODELS);
            if (live != null) {
                live.published(key, s, ts);
            }
        }
        if (updatedSinceSnapshot.remove(key) != null) {
            unpublished.delete(key);
        }
    }

    /**
     * Publishes, oldest first, each model whose first unpublished update is at least one interval old, for at most
     * {@link #PUBLISH_BUDGET_NANOS} of this thread's time; the rest stay due for the next tick.
     */
    private void publishUpdated(long now) {
        List<String> due = new ArrayList<>();
        for (Map.Entry<String, Long> e : updatedSinceSnapshot.entrySet()) {
            if (e.getValue() > now - stage.snapshotIntervalMs() || due.size() == MAX_DUE_PER_TICK) {
                break; // the rest were first updated later still, or wait for the next tick
            }
            due.add(e.getKey());
        }
        long deadline = System.nanoTime() + PUBLISH_BUDGET_NANOS;
        for (String key : due) {
            OnlineModel m = models.held(key);
            if (m == null) {
                m = models.get(key); // marked by a previous owner of the task: restore it
            }
            publish(key, m, now); // which also clears the mark
            if (System.nanoTime() - deadline > 0) {
                break;
            }
        }
    }

    /**
     * A tick publishes snapshots for at most this long (then points go on, and the rest wait for the next tick): with
     * 100,000 models, those updated in a burst came due together, and one tick of 10,000 snapshots held the points behind
     * it for about half a second (bench's latency p99 573 to 1,208 ms; 121 ms without wall-clock snapshots).
     */
    static final long PUBLISH_BUDGET_NANOS = 20_000_000L;
    /** ... and looks at no more due models than this (a backlog is not walked again at every tick). */
    static final int MAX_DUE_PER_TICK = 2_000;

    /** Punctuations per {@code snapshot.interval.ms}. */
    static final int PUBLISH_TICKS = 100;

    @Override
    public void close() {
        if (live != null) {
            live.unregister(heldModels);
        }
        if (models != null) {
            models.clear();
        }
        updatedSinceSnapshot.clear();
    }
}
