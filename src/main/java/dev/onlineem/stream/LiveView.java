package dev.onlineem.stream;

import dev.onlineem.em.ModelSnapshot;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * What this process's stream threads show the HTTP layer: per model, its last points as scored (feature
 * vector, log-density, anomaly score, flag, cluster or regime probabilities) and a history of its weights;
 * process-wide counters for the metrics. Written by the stream threads, read by the HTTP threads; memory
 * only (a restarted or migrated task starts a fresh history; the durable state is the stores').
 *
 * <p>Bounded: {@code recentPoints} points per model, {@code maxModels} models (the least recently updated
 * one is dropped first). It exists only while the HTTP server is on, so a processor without one pays nothing.
 */
public final class LiveView {
    private final int recentPoints;
    private final int maxModels;
    private final int historyEvery;
    private final Map<String, Recent> models;
    private final LongAdder points = new LongAdder();
    private final LongAdder anomalies = new LongAdder();
    /** The stream threads' live model counts, by task. */
    private final Set<LongSupplier> held = ConcurrentHashMap.newKeySet();
    private volatile LatencyRecorder latency = nanos -> { };

    /** Where the update time of each point goes (the metrics' histogram). */
    public interface LatencyRecorder {
        void record(long nanos);
    }

    /**
     * @param recentPoints points kept per model
     * @param maxModels models kept
     * @param historyEvery a model's weights are recorded every this many points (and at each published snapshot)
     */
    public LiveView(int recentPoints, int maxModels, int historyEvery) {
        this.recentPoints = recentPoints;
        this.maxModels = maxModels;
        this.historyEvery = historyEvery;
        this.models = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Recent> eldest) {
                return size() > LiveView.this.maxModels;
            }
        };
    }

    public void latencyRecorder(LatencyRecorder r) {
        this.latency = r;
    }

    /** One scored point of one model (on the stream thread, right after the update). */
    void point(String id, OnlineModel model, double[] x, long ts, PointResult r, long updateNanos) {
        points.increment();
        if (r.anomaly) {
            anomalies.increment();
        }
        latency.record(updateNanos);
        Recent recent = recent(id, true);
        double[] f = model.lastFeatures();
        synchronized (recent) {
            recent.add(f != null ? f.clone() : x.clone(), ts, r);
            if (!r.warmup && (r.initialisedNow || r.pointsSeen % historyEvery == 0)) {
                recent.snapshot(model.snapshot(), ts);
            }
        }
    }

    /** A snapshot the processor has just published. */
    void published(String id, ModelSnapshot s, long ts) {
        Recent recent = recent(id, false);
        if (recent != null && s != null) {
            synchronized (recent) {
                recent.snapshot(s, ts);
            }
        }
    }

    void register(LongSupplier heldModels) {
        held.add(heldModels);
    }

    void unregister(LongSupplier heldModels) {
        held.remove(heldModels);
    }

    private Recent recent(String id, boolean create) {
        synchronized (models) {
            Recent r = models.get(id);
            if (r == null && create) {
                r = new Recent(recentPoints);
                models.put(id, r);
            }
            return r;
        }
    }

    public long points() {
        return points.sum();
    }

    public long anomalies() {
        return anomalies.sum();
    }

    /** Models the stream threads hold in memory now. */
    public long modelsHeld() {
        long n = 0;
        for (LongSupplier s : held) {
            n += s.getAsLong();
        }
        return n;
    }

    /** Ids of the models with a recent history here, and their points and anomalies since this process began serving them. */
    public Map<String, long[]> counts() {
        Map<String, long[]> out = new LinkedHashMap<>();
        List<Map.Entry<String, Recent>> entries;
        synchronized (models) {
            entries = new ArrayList<>(models.entrySet());
        }
        for (Map.Entry<String, Recent> e : entries) {
            synchronized (e.getValue()) {
                out.put(e.getKey(), new long[] {e.getValue().total, e.getValue().anomalies});
            }
        }
        return out;
    }

    /** The model's points and anomalies since this process began serving it, or null when it has no history here. */
    public long[] count(String id) {
        Recent r = recent(id, false);
        if (r == null) {
            return null;
        }
        synchronized (r) {
            return new long[] {r.total, r.anomalies};
        }
    }

    /** A copy of the model's recent history, or null when this process has none. */
    public History history(String id) {
        Recent r = recent(id, false);
        if (r == null) {
            return null;
        }
        synchronized (r) {
            return r.copy();
        }
    }

    /** A point as scored. Fields of a warm-up point other than its coordinates, time and count are NaN or -1. */
    public record Scored(long ts, long pointsSeen, double[] x, boolean warmup, double logDensity, double anomalyScore, double pValue,
                         boolean anomaly, int cluster, int regime, double[] probabilities) {
    }

    /** The weights (a mixture's mixing weights, an HMM's stationary distribution) at some point count. */
    public record Weights(long ts, long pointsSeen, double[] weights) {
    }

    /**
     * A model's recent history: its last points (oldest first), its weights over time, the last snapshot
     * taken here, and its points and anomalies since this process began serving it.
     */
    public record History(List<Scored> points, List<Weights> weights, ModelSnapshot snapshot, long total, long anomalies) {
        /** Anomalies among the recent points. */
        public long recentAnomalies() {
            return points.stream().filter(Scored::anomaly).count();
        }
    }

    private static final class Recent {
        final Scored[] ring;
        int next;
        int size;
        final List<Weights> weights = new ArrayList<>();
        ModelSnapshot snapshot;
        long total;
        long anomalies;

        Recent(int capacity) {
            ring = new Scored[capacity];
        }

        void add(double[] x, long ts, PointResult r) {
            boolean hmm = r.regime >= 0;
            ring[next] = new Scored(ts, r.pointsSeen, x, r.warmup, r.logDensity, r.anomalyScore, r.pValue, r.anomaly, r.cluster, r.regime,
                    hmm ? r.responsibilitiesCopy() : null);
            next = (next + 1) % ring.length;
            size = Math.min(size + 1, ring.length);
            total++;
            if (r.anomaly) {
                anomalies++;
            }
        }

        void snapshot(ModelSnapshot s, long ts) {
            if (s == null) {
                return;
            }
            snapshot = s;
            if (!weights.isEmpty() && weights.get(weights.size() - 1).pointsSeen() == s.pointsSeen()) {
                return;
            }
            weights.add(new Weights(ts, s.pointsSeen(), s.weights().clone()));
            if (weights.size() > 2 * ring.length) { // keep the newer half
                weights.subList(0, ring.length).clear();
            }
        }

        History copy() {
            List<Scored> pts = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                pts.add(ring[(next - size + i + ring.length) % ring.length]);
            }
            return new History(pts, List.copyOf(weights), snapshot, total, anomalies);
        }
    }
}
