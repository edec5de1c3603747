package dev.onlineem.cli;

import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.OnlineHmmModel;
import dev.onlineem.em.OnlineMixtureModel;
import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.hmm.GaussianHmm;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.mixture.TrueMixture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drift}: the abrupt-change benchmark. Each run streams one random mixture, then another of the same
 * shape, through the service's mixture (its settings, K set per shape), and after each half-life past the change
 * measures the model's held-out mean log-likelihood against the new truth's. With {@code --model hmm}, each mixture's
 * components are the states of a chain that stays with probability {@link #STAY} (and moves to any other state alike),
 * the model is the service's HMM, and the held-out figure is the mean one-step predictive log-density of a held-out
 * sequence of the new chain, filtered by the model's parameters and by the truth's. Without Kafka.
 */
@Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Abrupt-change benchmark: a random mixture, then another, through the service's mixture;",
                "the held-out log-likelihood gap to the new truth after each half-life past the change, per seed and shape."})
public final class DriftCommand implements Callable<Integer> {
    /** A gap to the truth at most this (relative) counts as recovered. */
    static final double RECOVERED = 0.01;
    /** {@code --model hmm}: the chains' probability of staying in a state (visits of 50 points). */
    static final double STAY = 0.98;

    @Option(names = "--model", paramLabel = "TYPE", defaultValue = "mixture",
            description = "mixture: random mixtures of independent points; hmm: random chains of the same shapes (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--shapes", split = ",", paramLabel = "KxD", defaultValue = "2x2,3x3,4x5,3x4",
            description = "Mixtures to change between: components x dimension (default: ${DEFAULT-VALUE}).")
    List<String> shapes;

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "8", description = "Seeds per shape (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(names = "--before", paramLabel = "N", defaultValue = "20000", description = "Points of the first mixture (default: ${DEFAULT-VALUE}).")
    int before;

    @Option(names = "--half-lives", paramLabel = "H", defaultValue = "15",
            description = "Half-lives of the second mixture after the change (default: ${DEFAULT-VALUE}).")
    int halfLives;

    @Option(names = "--held-out", paramLabel = "N", defaultValue = "10000", description = "Held-out points of the new truth (default: ${DEFAULT-VALUE}).")
    int heldOut;

    @Option(names = "--separation", paramLabel = "S", defaultValue = "3",
            description = "Spread of the random means, in units of the components' scale (default: ${DEFAULT-VALUE}).")
    double separation;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "A service setting (repeatable), e.g. -D model.repair.window=0 for no repair.")
    Map<String, String> overrides = new HashMap<>();

    @Option(names = "--verbose", description = "One line per seed and shape with the gap after every half-life.")
    boolean verbose;

    /** One run's gaps to the new truth, relative, after each half-life past the change (index 0: at the change). */
    record Run(String shape, long seed, double[] gaps, long repairs) {
        /** Half-lives after which the gap stays within {@link #RECOVERED}; -1 when it never does. */
        int recoveredAfter() {
            int last = -1;
            for (int h = gaps.length - 1; h >= 0; h--) {
                if (gaps[h] > RECOVERED) {
                    break;
                }
                last = h;
            }
            return last;
        }
    }

    @Override
    public Integer call() throws java.io.IOException {
        if (!model.equals("mixture") && !model.equals("hmm")) {
            throw new IllegalArgumentException("--model " + model + " is invalid: use mixture or hmm");
        }
        if (model.equals("hmm")) {
            overrides.put(OnlineEmConfig.TYPE_CONFIG, "hmm");
        }
        OnlineEmConfig cfg = OnlineEmConfig.withoutKafka(OnlineEmConfig.read(null, overrides));
        if (!(cfg.defaultSettings().gammaMin() > 0)) {
            throw new IllegalArgumentException("drift measures the gap after each half-life, and model.half.life is 0 (a stationary "
                    + "model): set it above 0, e.g. -D model.half.life=2000");
        }
        List<Run> runs = new ArrayList<>();
        for (String shape : shapes) {
            String[] kd = shape.trim().split("x");
            int k = Integer.parseInt(kd[0]);
            int d = Integer.parseInt(kd[1]);
            for (int s = 1; s <= seeds; s++) {
                Run run = run(cfg, k, d, s);
                runs.add(run);
                if (verbose) {
                    System.out.printf(Locale.ROOT, "%s seed %d: repairs %d, gap %% by half-life %s%n", shape, s, run.repairs(), percents(run.gaps()));
                }
            }
        }
        report(runs, cfg);
        return 0;
    }

    /**
     * One run: 20,000 (--before) points of a random mixture's shape, then --half-lives half-lives of another's, with the
     * held-out gap to the new truth after each half-life. Mixtures: independent points, the gap of the held-out points' mean
     * log-density; chains ({@code --model hmm}): the held-out sequence's mean one-step predictive log-density, filtered.
     */
    Run run(OnlineEmConfig cfg, int k, int d, long seed) {
        boolean chains = model.equals("hmm");
        Random r = new Random(seed * 1_000_003L + k * 31L + d);
        TrueMixture a = TrueMixture.random(k, d, separation, r);
        TrueMixture b = TrueMixture.random(k, d, separation, r);
        int[] state = {0};
        Supplier<double[]> first = chains ? () -> step(a, state, r) : () -> a.sample(r);
        Supplier<double[]> second = chains ? () -> step(b, state, r) : () -> b.sample(r);
        double[][] test = new double[heldOut][];
        for (int i = 0; i < heldOut; i++) {
            test[i] = second.get();
        }
        double truth = chains ? mean(chain(b).predictiveLogDensities(test, 0)) : b.meanLogDensity(test);
        ModelSettings settings = cfg.defaultSettings().withK(k, k);
        int halfLife = (int) Math.round(Math.log(2) / -Math.log1p(-settings.gammaMin()));
        OnlineModel m = OnlineModel.create(settings);
        ToDoubleFunction<OnlineModel> heldOutLogDensity = chains
                ? x -> mean(((OnlineHmmModel) x).predictiveLogDensities(test))
                : x -> meanLogDensity((OnlineMixtureModel) x, test);
        PointResult out = new PointResult();
        long ts = 0;
        for (int i = 0; i < before; i++) {
            m.update(first.get(), ts++, out);
        }
        double[] gaps = new double[halfLives + 1];
        gaps[0] = (truth - heldOutLogDensity.applyAsDouble(m)) / Math.abs(truth);
        for (int h = 1; h <= halfLives; h++) {
            for (int i = 0; i < halfLife; i++) {
                m.update(second.get(), ts++, out);
            }
            gaps[h] = (truth - heldOutLogDensity.applyAsDouble(m)) / Math.abs(truth);
        }
        return new Run(k + "x" + d, seed, gaps, m.repairs());
    }

    /** The chain's next point: it stays in state[0] with probability {@link #STAY}, else moves to another state alike. */
    private static double[] step(TrueMixture t, int[] state, Random r) {
        int k = t.weights.length;
        if (k > 1 && r.nextDouble() > STAY) {
            state[0] = (state[0] + 1 + r.nextInt(k - 1)) % k;
        }
        return t.sampleFrom(state[0], r);
    }

    /** The true chain over t's components. */
    private static GaussianHmm chain(TrueMixture t) {
        int k = t.weights.length;
        int d = t.dimension();
        GaussianHmm h = new GaussianHmm(k, d, CovarianceType.FULL);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                h.transition[i][j] = k == 1 ? 1 : i == j ? STAY : (1 - STAY) / (k - 1);
            }
            System.arraycopy(t.means[i], 0, h.emissions.means[i], 0, d);
            h.emissions.covariance.setFromMatrix(h.emissions.covariances[i], t.covariances[i]);
        }
        h.emissions.refreshAll();
        return h;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** The mean log-density of the held-out points under the mixture's current parameters. */
    private static double meanLogDensity(OnlineMixtureModel m, double[][] test) {
        OnlineMixtureModel.Scorer scorer = m.scorer();
        double s = 0;
        for (double[] x : test) {
            s += scorer.logDensity(x);
        }
        return s / test.length;
    }

    private void report(List<Run> runs, OnlineEmConfig cfg) {
        ModelSettings s = cfg.defaultSettings();
        System.out.printf(Locale.ROOT, "drift: %d runs (%s), %d points before the change, %d half-lives after, repair.window %d%n",
                runs.size(), model.equals("hmm") ? "chains staying with probability " + STAY : "mixtures", before, halfLives, s.repairWindow());
        System.out.println("gap to the new truth's held-out mean log-likelihood (relative), over all runs:");
        System.out.println("half-lives after change   median      worst    runs within 1%");
        for (int h = 0; h <= halfLives; h++) {
            double[] g = new double[runs.size()];
            int within = 0;
            for (int i = 0; i < runs.size(); i++) {
                g[i] = runs.get(i).gaps()[h];
                within += g[i] <= RECOVERED ? 1 : 0;
            }
            Arrays.sort(g);
            System.out.printf(Locale.ROOT, "%24d %9.3f%% %9.3f%%    %d/%d%n", h, 100 * median(g), 100 * g[g.length - 1], within, runs.size());
        }
        int[] rec = new int[runs.size()];
        int never = 0;
        long repairs = 0;
        for (int i = 0; i < runs.size(); i++) {
            int h = runs.get(i).recoveredAfter();
            never += h < 0 ? 1 : 0;
            rec[i] = h < 0 ? Integer.MAX_VALUE : h;
            repairs += runs.get(i).repairs();
        }
        Arrays.sort(rec);
        System.out.printf(Locale.ROOT, "recovery (gap within 1%% for good), half-lives: median %s, worst %s; never recovered: %d of %d; repairs made: %d%n",
                halfLivesOrNever(rec[rec.length / 2]), halfLivesOrNever(rec[rec.length - 1]), never, rec.length, repairs);
        double[] at10 = new double[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            at10[i] = runs.get(i).gaps()[Math.min(10, halfLives)];
        }
        Arrays.sort(at10);
        System.out.printf(Locale.ROOT, "after %d half-lives: median gap %.3f%%, worst %.3f%%%n", Math.min(10, halfLives), 100 * median(at10),
                100 * at10[at10.length - 1]);
    }

    private static String halfLivesOrNever(int h) {
        return h == Integer.MAX_VALUE ? "never" : String.valueOf(h);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String percents(double[] g) {
        StringBuilder sb = new StringBuilder();
        for (double v : g) {
            sb.append(sb.length() > 0 ? " " : "").append(String.format(Locale.ROOT, "%.2f", 100 * v));
        }
        return sb.toString();
    }
}
