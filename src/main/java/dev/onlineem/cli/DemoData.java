package dev.onlineem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.em.mixture.TrueMixture;
import dev.onlineem.serde.Point;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The demo's seeded generator: a drifting 3-regime stream with injected anomalies, a stream with missing values, a calm stream. */
final class DemoData {
    static final List<String> MODELS = List.of("drift-sensor", "gaps-meter", "calm-feed");
    private static final double[][] DRIFT_BEFORE = {{0, 0}, {6, 0}, {0, 6}};
    private static final double[][] DRIFT_AFTER = {{3, 3}, {9, 3}, {3, -4}};
    private static final double[][] GAPS = {{0, 0, 0}, {5, 5, -5}};
    private static final double[][] CALM = {{-2, 1}, {2, -1}};
    private final Random random;
    private final Map<String, Integer> injected = new HashMap<>();

    record Generated(String model, Point point) {
    }

    DemoData(long seed) {
        this.random = new Random(seed);
    }

    Generated next(int i, int total) {
        String model = MODELS.get(i % MODELS.size());
        int own = i / MODELS.size();
        String id = "p-" + i;
        double[] x;
        switch (model) {
            case "drift-sensor":
                double[][] means = i < total / 2 ? DRIFT_BEFORE : DRIFT_AFTER;
                x = sample(means, 1.0);
                if (own > 1000 && own % 400 == 0) {
                    double angle = random.nextDouble() * 2 * Math.PI;
                    x = new double[] {3 + 25 * Math.cos(angle), 3 + 25 * Math.sin(angle)};
                    id = "inj-" + i;
                    injected.merge(model, 1, Integer::sum);
                }
                break;
            case "gaps-meter":
                x = sample(GAPS, 1.0);
                for (int j = 0; j < x.length; j++) {
                    if (random.nextDouble() < 0.2) {
                        x[j] = Double.NaN;
                    }
                }
                if (Double.isNaN(x[0]) && Double.isNaN(x[1]) && Double.isNaN(x[2])) {
                    x[0] = GAPS[0][0];
                }
                break;
            default:
                x = sample(CALM, 0.7);
        }
        return new Generated(model, new Point(id, System.currentTimeMillis(), x));
    }

    private double[] sample(double[][] means, double sd) {
        double[] m = means[random.nextInt(means.length)];
        double[] x = new double[m.length];
        double shared = random.nextGaussian() * 0.5;
        for (int j = 0; j < m.length; j++) {
            x[j] = m[j] + sd * random.nextGaussian() + shared;
        }
        return x;
    }

    static final int HELD_OUT = 20_000;

    /** The generator's truth for the model (after the drift): equal weights, covariance sd^2 I + 0.25 (the shared term). */
    TrueMixture truth(String model) {
        double[][] means = finalMeans(model);
        double sd = model.equals("calm-feed") ? 0.7 : 1.0;
        int k = means.length;
        int d = means[0].length;
        double[] w = new double[k];
        double[][][] cov = new double[k][d][d];
        for (int c = 0; c < k; c++) {
            w[c] = 1.0 / k;
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    cov[c][i][j] = 0.25 + (i == j ? sd * sd : 0);
                }
            }
        }
        return new TrueMixture(w, means, cov);
    }

    /**
     * (L_truth - L_learned) / |L_truth|, L the mean log-likelihood of {@link #HELD_OUT} points drawn from the truth (a
     * generator of their own, seeded): how far below the truth the learned snapshot predicts.
     */
    double heldOutGap(String model, JsonNode snapshot) {
        TrueMixture truth = truth(model);
        TrueMixture learned = fromSnapshot(snapshot);
        double[][] test = truth.sample(HELD_OUT, new Random(model.hashCode()));
        double t = truth.meanLogDensity(test);
        return (t - learned.meanLogDensity(test)) / Math.abs(t);
    }

    private static TrueMixture fromSnapshot(JsonNode s) {
        int k = s.get("weights").size();
        double[] w = new double[k];
        double[][] means = new double[k][];
        double[][][] cov = new double[k][][];
        for (int c = 0; c < k; c++) {
            w[c] = s.get("weights").get(c).asDouble();
            means[c] = doubles(s.get("means").get(c));
            JsonNode rows = s.get("covariances").get(c);
            cov[c] = new double[rows.size()][];
            for (int i = 0; i < rows.size(); i++) {
                cov[c][i] = doubles(rows.get(i));
            }
        }
        return new TrueMixture(w, means, cov);
    }

    private static double[] doubles(JsonNode a) {
        double[] v = new double[a.size()];
        for (int j = 0; j < v.length; j++) {
            v[j] = a.get(j).asDouble();
        }
        return v;
    }

    int injected(String model) {
        return injected.getOrDefault(model, 0);
    }

    double[][] finalMeans(String model) {
        switch (model) {
            case "drift-sensor": return DRIFT_AFTER;
            case "gaps-meter": return GAPS;
            default: return CALM;
        }
    }

    String description(String model) {
        switch (model) {
            case "drift-sensor": return "3 regimes in 2-d that jump half-way, anomalies injected, K=3, half-life 2,000";
            case "gaps-meter": return "2 clusters in 3-d, 20% of coordinates missing, K=2";
            default: return "2 clusters in 2-d, stationary, K=2";
        }
    }
}
