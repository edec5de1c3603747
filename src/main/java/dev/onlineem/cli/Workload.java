package dev.onlineem.cli;

import dev.onlineem.serde.Point;
import dev.onlineem.serde.PointSerializer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * The seeded input: K well-separated spherical clusters in d dimensions per model, as the JSON the
 * points topic carries, made on demand (point i is the same whenever it is asked for, so a million
 * models' points take no memory here). Throughput points have ids {@code t<i>}, latency points {@code L<i>}.
 */
final class Workload {
    final int k;
    final int d;
    final int models;
    final int latencyPoints;
    private final int throughputPoints;
    private final long seed;
    private final double[][][] means;
    private final PointSerializer ser = new PointSerializer();
    /**
     * Event time of point 0: a day before this run, point i a millisecond after it. An output record carries its point's
     * event time, and the broker's 7-day retention deletes a segment whose records are all older than that at its next
     * check (the first 30 s after the broker starts, then every 5 minutes), active segment included: with points stamped
     * in 2023 a measurement whose reading spanned a check lost outputs it was still waiting for, and hung.
     */
    private static final long EVENT_TIME_BASE = System.currentTimeMillis() - 86_400_000L;

    Workload(int k, int d, int models, int throughputPoints, int latencyPoints, long seed) {
        this.k = k;
        this.d = d;
        this.models = models;
        this.latencyPoints = latencyPoints;
        this.throughputPoints = throughputPoints;
        this.seed = seed;
        Random r = new Random(seed);
        means = new double[models][k][d];
        for (double[][] mm : means) {
            for (double[] mu : mm) {
                for (int j = 0; j < d; j++) {
                    mu[j] = 4 * r.nextGaussian();
                }
            }
        }
    }

    /** The JSON of point i. */
    byte[] point(int i) {
        return ser.serialize(null, new Point(id(i), EVENT_TIME_BASE + i, values(i)));
    }

    /**
     * Point i's values: i.i.d. draws from its model's mixture, each from a generator of its own seeded by its index.
     * (A {@code java.util.Random} seeded with consecutive numbers, as builds before this one did, gives correlated first
     * draws: 99% of a model's consecutive points came from the same component, with a lag-1 autocorrelation of 0.32
     * in the noise, a slowly switching stream on which drift repair rightly went on replacing models.)
     */
    double[] values(int i) {
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + i);
        double[] mu = means[i % models][component(r)];
        double[] x = new double[d];
        for (int j = 0; j < d; j++) {
            x[j] = mu[j] + r.nextGaussian();
        }
        return x;
    }

    /** The component point i is drawn from. */
    int component(int i) {
        return component(new SplittableRandom(seed * 1_000_003L + i));
    }

    private int component(SplittableRandom r) {
        return r.nextInt(k);
    }

    private String id(int i) {
        return i < throughputPoints ? "t" + i : "L" + (i - throughputPoints);
    }

    int throughputPoints() {
        return throughputPoints;
    }

    String modelOf(int i) {
        return "bench-" + (i % models);
    }

    private static final byte[] LATENCY_ID = "\"id\":\"L".getBytes(StandardCharsets.UTF_8);

    /** The index in an {@code "id":"L<i>"} field of an input or assignment JSON, or -1. */
    static int latencyIndex(byte[] json) {
        byte[] marker = LATENCY_ID;
        outer:
        for (int s = 0; s + marker.length < json.length; s++) {
            for (int j = 0; j < marker.length; j++) {
                if (json[s + j] != marker[j]) {
                    continue outer;
                }
            }
            int v = 0;
            for (int p = s + marker.length; p < json.length && json[p] >= '0' && json[p] <= '9'; p++) {
                v = v * 10 + (json[p] - '0');
            }
            return v;
        }
        return -1;
    }
}
