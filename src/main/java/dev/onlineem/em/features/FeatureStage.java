package dev.onlineem.em.features;

import java.nio.ByteBuffer;

/**
 * One model's causal feature stage: keeps the last few points it has seen and turns each new point
 * into the feature vector that {@link FeatureSettings} lays out. Uses only points before the current one
 * (the current one's own coordinates aside), so a score never looks at the future. A missing coordinate
 * (NaN) stays missing in every feature built from it; a window statistic skips missing values and is
 * missing only when the whole window is.
 *
 * <p>Deterministic and serialisable bit for bit ({@link #writeTo}, {@link #readFrom}), like the rest of
 * the model's state. Mutable, not thread-safe; allocates nothing per point.
 */
public final class FeatureStage {
    private static final long DAY_MS = 86_400_000L;
    private static final long WEEK_MS = 7 * DAY_MS;
    /** 1970-01-01 was a Thursday, so 1970-01-05 a Monday: shifting by 4 days puts Monday 00:00 UTC at phase 0. */
    private static final long MONDAY_OFFSET_MS = 4 * DAY_MS;

    private final FeatureSettings settings;
    private final int d;
    private final int capacity;
    /** The last {@code capacity} points, oldest overwritten first: slot (seen - 1 - i) mod capacity holds x_{t-1-i}. */
    private final double[] history;
    private long seen;

    /** @param d the input points' dimension */
    public FeatureStage(FeatureSettings settings, int d) {
        this.settings = settings;
        this.d = d;
        this.capacity = settings.history();
        this.history = new double[capacity * d];
    }

    public FeatureSettings settings() {
        return settings;
    }

    /** Length of the feature vectors this stage writes. */
    public int outputDimension() {
        return settings.outputDimension(d);
    }

    /**
     * Builds the features of x, then remembers x.
     *
     * @param x the point, NaN for a missing coordinate. Not modified.
     * @param timestampMs the record's time, for the calendar features
     * @param out receives the feature vector ({@link #outputDimension()} values). Modified.
     * @return false, leaving {@code out} undefined, while the stage has seen fewer past points than its
     *         lags and window need
     */
    public boolean transform(double[] x, long timestampMs, double[] out) {
        boolean ready = seen >= capacity;
        if (ready) {
            build(x, timestampMs, out);
        }
        remember(x);
        return ready;
    }

    private void build(double[] x, long timestampMs, double[] out) {
        System.arraycopy(x, 0, out, 0, d);
        int at = d;
        for (int lag = 1; lag <= settings.lags(); lag++) {
            int back = slot(lag);
            int newer = lag == 1 ? -1 : slot(lag - 1);
            for (int j = 0; j < d; j++) {
                double past = history[back + j];
                if (settings.differences()) {
                    double later = newer < 0 ? x[j] : history[newer + j];
                    // x_{t-lag+1} - x_{t-lag}
                    out[at++] = later - past;
                } else {
                    out[at++] = past;
                }
            }
        }
        if (settings.window() > 0) {
            windowMoments(out, at);
            at += 2 * d;
        }
        if (settings.timeOfDay()) {
            at = circle(out, at, Math.floorMod(timestampMs, DAY_MS) / (double) DAY_MS);
        }
        if (settings.dayOfWeek()) {
            circle(out, at, Math.floorMod(timestampMs - MONDAY_OFFSET_MS, WEEK_MS) / (double) WEEK_MS);
        }
    }

    /** Offset in {@link #history} of x_{t-lag}, lag in [1, capacity]. */
    private int slot(int lag) {
        return (int) Math.floorMod(seen - lag, (long) capacity) * d;
    }

    /** mean_j and sd_j of coordinate j over the window's points, written at out[at + j] and out[at + d + j]. */
    private void windowMoments(double[] out, int at) {
        int w = settings.window();
        for (int j = 0; j < d; j++) {
            double sum = 0;
            int n = 0;
            for (int lag = 1; lag <= w; lag++) {
                double v = history[slot(lag) + j];
                if (!Double.isNaN(v)) {
                    sum += v;
                    n++;
                }
            }
            double mean = n == 0 ? Double.NaN : sum / n;
            double ss = 0;
            for (int lag = 1; lag <= w; lag++) {
                double v = history[slot(lag) + j];
                if (!Double.isNaN(v)) {
                    ss += (v - mean) * (v - mean);
                }
            }
            out[at + j] = mean;
            out[at + d + j] = n == 0 ? Double.NaN : Math.sqrt(ss / n);
        }
    }

    private static int circle(double[] out, int at, double phase) {
        out[at] = Math.cos(2 * Math.PI * phase);
        out[at + 1] = Math.sin(2 * Math.PI * phase);
        return at + 2;
    }

    private void remember(double[] x) {
        if (capacity > 0) {
            System.arraycopy(x, 0, history, (int) Math.floorMod(seen, (long) capacity) * d, d);
        }
        seen++;
    }

    /** Names of the features for points whose coordinates are named x0, x1, ...; allocates. */
    public String[] names() {
        String[] names = new String[d];
        for (int j = 0; j < d; j++) {
            names[j] = "x" + j;
        }
        return names(names);
    }

    /** Names of the features for points whose coordinates are named {@code names}; allocates. */
    public String[] names(String[] names) {
        String[] out = new String[outputDimension()];
        int at = 0;
        for (String n : names) {
            out[at++] = n;
        }
        for (int lag = 1; lag <= settings.lags(); lag++) {
            for (String n : names) {
                out[at++] = settings.differences() ? "diff(" + n + ")[t-" + (lag - 1) + "]" : n + "[t-" + lag + "]";
            }
        }
        if (settings.window() > 0) {
            for (String n : names) {
                out[at++] = "mean(" + n + ")";
            }
            for (String n : names) {
                out[at++] = "sd(" + n + ")";
            }
        }
        if (settings.timeOfDay()) {
            out[at++] = "cos(timeOfDay)";
            out[at++] = "sin(timeOfDay)";
        }
        if (settings.dayOfWeek()) {
            out[at++] = "cos(dayOfWeek)";
            out[at] = "sin(dayOfWeek)";
        }
        return out;
    }

    public int serializedSize() {
        return Long.BYTES + Double.BYTES * history.length;
    }

    public void writeTo(ByteBuffer out) {
        out.putLong(seen);
        for (double v : history) {
            out.putDouble(v);
        }
    }

    public static FeatureStage readFrom(ByteBuffer in, FeatureSettings settings, int d) {
        FeatureStage f = new FeatureStage(settings, d);
        f.seen = in.getLong();
        for (int i = 0; i < f.history.length; i++) {
            f.history[i] = in.getDouble();
        }
        return f;
    }
}
