package dev.onlineem.stream;

import dev.onlineem.em.MixtureSnapshot;
import dev.onlineem.em.OnlineMixtureModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.StateCodec;
import dev.onlineem.serde.AssignmentMessage;
import dev.onlineem.serde.ModelSnapshotMessage;
import dev.onlineem.serde.Point;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The online-EM step per record. Models are held deserialised in memory for the life of the task, so
 * a record costs no store read or decode; after every update the model's encoded state is written to
 * the store, whose cache coalesces the writes and flushes them to the changelog at each commit, so
 * every committed offset's effects are durable and exactly-once stays exact.
 */
final class OnlineEmProcessor implements Processor<String, Point, String, Object> {
    static final String ASSIGNMENTS = "assignments-sink";
    static final String ANOMALIES = "anomalies-sink";
    static final String MODELS = "models-sink";

    private final String storeName;
    private final Function<String, dev.onlineem.em.MixtureSettings> settings;
    private final long snapshotEveryPoints;
    private final long snapshotIntervalMs;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, byte[]> store;
    private final Map<String, OnlineMixtureModel> models = new HashMap<>();
    private final Set<String> updatedSinceSnapshot = new LinkedHashSet<>();
    private final PointResult result = new PointResult();

    OnlineEmProcessor(String storeName, Function<String, dev.onlineem.em.MixtureSettings> settings,
                      long snapshotEveryPoints, long snapshotIntervalMs) {
        this.storeName = storeName;
        this.settings = settings;
        this.snapshotEveryPoints = snapshotEveryPoints;
        this.snapshotIntervalMs = snapshotIntervalMs;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        models.clear(); // a re-initialised task must read the store again, never trust memory
        updatedSinceSnapshot.clear();
        context.schedule(Duration.ofMillis(snapshotIntervalMs), PunctuationType.WALL_CLOCK_TIME, now -> publishUpdated());
    }

    @Override
    public void process(org.apache.kafka.streams.processor.api.Record<String, Point> record) {
        String key = record.key();
        if (key == null || key.isEmpty()) {
            throw new BadPointException("record has no key: the key is the model id");
        }
        Point point = record.value();
        if (point == null) {
            throw new BadPointException("record for model " + key + " has no value: a JSON point is expected");
        }
        OnlineMixtureModel model = models.get(key);
        if (model == null) {
            byte[] stored = store.get(key);
            model = stored == null ? new OnlineMixtureModel(settings.apply(key)) : StateCodec.decode(stored);
            models.put(key, model);
        }
        try {
            model.update(point.x(), result);
        } catch (IllegalArgumentException e) {
            throw new BadPointException(e.getMessage() + " for model " + key);
        }
        store.put(key, StateCodec.encode(model));
        long ts = point.ts() != null ? point.ts() : record.timestamp();
        AssignmentMessage a = assignment(key, point, ts);
        context.forward(record.withValue((Object) a).withTimestamp(ts), ASSIGNMENTS);
        if (a.anomaly()) {
            context.forward(record.withValue((Object) a).withTimestamp(ts), ANOMALIES);
        }
        if (result.initialisedNow || (!result.warmup && result.pointsSeen % snapshotEveryPoints == 0)) {
            publish(key, model, ts);
        } else if (!result.warmup) {
            updatedSinceSnapshot.add(key);
        }
    }

    private AssignmentMessage assignment(String key, Point point, long ts) {
        PointResult r = result;
        if (r.warmup) {
            return new AssignmentMessage(key, point.id(), ts, null, null, null, null, false, null, r.modelVersion, r.pointsSeen, true);
        }
        double[] imputed = r.hasMissing ? java.util.Arrays.copyOf(r.imputed, point.x().length) : null;
        return new AssignmentMessage(key, point.id(), ts, r.cluster, r.responsibilitiesCopy(), r.logDensity, r.pValue,
                r.anomaly, imputed, r.modelVersion, r.pointsSeen, false);
    }

    private void publish(String key, OnlineMixtureModel model, long ts) {
        MixtureSnapshot s = model.snapshot();
        if (s != null) {
            context.forward(new org.apache.kafka.streams.processor.api.Record<String, Object>(key, ModelSnapshotMessage.of(key, s), ts), MODELS);
        }
        updatedSinceSnapshot.remove(key);
    }

    private void publishUpdated() {
        long now = context.currentSystemTimeMs();
        for (String key : updatedSinceSnapshot.toArray(new String[0])) {
            OnlineMixtureModel m = models.get(key);
            if (m != null) {
                publish(key, m, now);
            }
        }
        updatedSinceSnapshot.clear();
    }

    @Override
    public void close() {
        models.clear();
        updatedSinceSnapshot.clear();
    }
}
