package dev.onlineem.stream;

import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.base.ModelSnapshot;
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
    private final LongAdder repeats = new LongAdder();
    private final LongAdder repairs = new LongAdder();
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
        if (r.repaired) {
            repairs.increment();
        }
        if (r.repeat) {
            repeats.increment();
        }
        latency.record(updateNanos);
        Recent recent = recent(id, true);
        double[] f = model.lastFeatures();
        synchronized (recent) {
            recent.add(f != null ? f : x, ts, r);
            if (!r.warmup && (r.initialisedNow || r.repaired || r.pointsSeen % historyEvery == 0)) {
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

    /** Points that would have alerted but repeated one of their model's recent alerts (the repeat rule), on this instance. */
    public long repeats() {
        return repeats.sum();
    }

    /** Times drift repair replaced a model's parameters on this instance. */
    public long repairs() {
        return repairs.sum();
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

    /** The time and point count of the model's last point here, or null when it has no history here. */
    public long[] last(String id) {
        Recent r = recent(id, false);
        if (r == null) {
            return null;
        }
        synchronized (r) {
            if (r.size == 0) {
                return null;
            }
            int i = (r.next - 1 + r.ts.length) % r.ts.length;
            return new long[] {r.ts[i], r.seen[i]};
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
                         boolean anomaly, boolean beyondRange, boolean repeat, int cluster, int regime, double[] probabilities) {
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

    /**
     * One model's ring of recent points, in parallel arrays whose slots are overwritten in place, so that
     * recording a point allocates nothing once the ring is full; {@link #copy} builds the readers' records.
     */
    private static final class Recent {
        final long[] ts;
        final long[] seen;
        final double[][] x;
        final boolean[] warmup;
        final boolean[] anomaly;
        final boolean[] beyondRange;
        final boolean[] repeat;
        final double[] logDensity;
        final double[] score;
        final double[] pValue;
        final int[] cluster;
        final int[] regime;
        final double[][] probabilities;
        int next;
        int size;
        final List<Weights> weights = new ArrayList<>();
        ModelSnapshot snapshot;
        long total;
        long anomalies;

        Recent(int capacity) {
            ts = new long[capacity];
            seen = new long[capacity];
            x = new double[capacity][];
            warmup = new boolean[capacity];
            anomaly = new boolean[capacity];
            beyondRange = new boolean[capacity];
            repeat = new boolean[capacity];
            logDensity = new double[capacity];
            score = new double[capacity];
            pValue = new double[capacity];
            cluster = new int[capacity];
            regime = new int[capacity];
            probabilities = new double[capacity][];
        }

        void add(double[] point, long time, PointResult r) {
            int i = next;
            x[i] = into(x[i], point, point.length);
            ts[i] = time;
            seen[i] = r.pointsSeen;
            warmup[i] = r.warmup;
            anomaly[i] = r.anomaly;
            beyondRange[i] = r.beyondRange;
            repeat[i] = r.repeat;
            logDensity[i] = r.logDensity;
            score[i] = r.anomalyScore;
            pValue[i] = r.pValue;
            cluster[i] = r.cluster;
            regime[i] = r.regime;
            if (r.regime >= 0) {
                probabilities[i] = into(probabilities[i], r.responsibilities, r.components);
            }
            next = (next + 1) % ts.length;
            size = Math.min(size + 1, ts.length);
            total++;
            if (r.anomaly) {
                anomalies++;
            }
        }

        /** {@code from[0..n)} copied into {@code slot}, reallocated only when its length differs. */
        private static double[] into(double[] slot, double[] from, int n) {
            double[] to = slot != null && slot.length == n ? slot : new double[n];
            System.arraycopy(from, 0, to, 0, n);
            return to;
        }

        void snapshot(ModelSnapshot s, long time) {
            if (s == null) {
                return;
            }
            snapshot = s;
            if (!weights.isEmpty() && weights.get(weights.size() - 1).pointsSeen() == s.pointsSeen()) {
                return;
            }
            weights.add(new Weights(time, s.pointsSeen(), s.weights()));
            if (weights.size() > 2 * ts.length) { // keep the newer half
                weights.subList(0, ts.length).clear();
            }
        }

        History copy() {
            List<Scored> pts = new ArrayList<>(size);
            for (int k = 0; k < size; k++) {
                int i = (next - size + k + ts.length) % ts.length;
                pts.add(new Scored(ts[i], seen[i], x[i].clone(), warmup[i], logDensity[i], score[i], pValue[i], anomaly[i], beyondRange[i], repeat[i], cluster[i], regime[i],
                        regime[i] >= 0 ? probabilities[i].clone() : null));
            }
            return new History(pts, List.copyOf(weights), snapshot, total, anomalies);
        }
    }
}
