package dev.onlineem.cli;

import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineMixtureModel;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drift}: the abrupt-change benchmark. Each run streams one random mixture, then another of the same
 * shape, through the service's mixture (its settings, K set per shape), and after each half-life past the change
 * measures the model's held-out mean log-likelihood against the new truth's. Without Kafka.
 */
@Command(name = "drift", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Abrupt-change benchmark: a random mixture, then another, through the service's mixture;",
                "the held-out log-likelihood gap to the new truth after each half-life past the change, per seed and shape."})
public final class DriftCommand implements Callable<Integer> {
    /** A gap to the truth at most this (relative) counts as recovered. */
    static final double RECOVERED = 0.01;

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

    Run run(OnlineEmConfig cfg, int k, int d, long seed) {
        Random r = new Random(seed * 1_000_003L + k * 31L + d);
        TrueMixture a = TrueMixture.random(k, d, separation, r);
        TrueMixture b = TrueMixture.random(k, d, separation, r);
        double[][] test = b.sample(heldOut, r);
        double truth = b.meanLogDensity(test);
        ModelSettings base = cfg.defaultSettings();
        ModelSettings settings = base.withK(k, k);
        int halfLife = (int) Math.round(Math.log(2) / -Math.log1p(-settings.gammaMin()));
        OnlineMixtureModel m = new OnlineMixtureModel(settings);
        PointResult out = new PointResult();
        long ts = 0;
        for (int i = 0; i < before; i++) {
            m.update(a.sample(r), ts++, out);
        }
        double[] gaps = new double[halfLives + 1];
        gaps[0] = gap(m, test, truth);
        for (int h = 1; h <= halfLives; h++) {
            for (int i = 0; i < halfLife; i++) {
                m.update(b.sample(r), ts++, out);
            }
            gaps[h] = gap(m, test, truth);
        }
        return new Run(k + "x" + d, seed, gaps, m.repairs());
    }

    private static double gap(OnlineMixtureModel m, double[][] test, double truth) {
        OnlineMixtureModel.Scorer scorer = m.scorer();
        double s = 0;
        for (double[] x : test) {
            s += scorer.logDensity(x);
        }
        return (truth - s / test.length) / Math.abs(truth);
    }

    private void report(List<Run> runs, OnlineEmConfig cfg) {
        ModelSettings s = cfg.defaultSettings();
        System.out.printf(Locale.ROOT, "drift: %d runs, %d points before the change, %d half-lives after, repair.window %d%n",
                runs.size(), before, halfLives, s.repairWindow());
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
