package dev.onlineem.bench;

import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.density.Distribution;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;

/**
 * The per-point update of a warmed-up model, mixture or HMM (E-step or forward filter, sufficient statistics, M-step with Cholesky
 * refresh, anomaly sketch), full covariance. Run: {@code mvn -Pjmh test-compile exec:exec}
 * (add {@code -Djmh.args="dev.onlineem.bench -prof gc"} to see allocation per point).
 */
public class EmUpdateBenchmark extends NanosPerCallBenchmark {
    private static final int POOL = 1 << 14;

    /** K x d. */
    @Param({"4x2", "8x16", "3x3"})
    public String shape;

    /** mixture or hmm (Cappe's online EM: filter, auxiliary statistics, transition and emission M-step). */
    @Param({"mixture", "hmm"})
    public String kind;

    /** gaussian or student-t components (a t component adds its weight u per point and its df's Newton solve per M-step). */
    @Param({"gaussian", "student-t"})
    public String distribution;

    /** Drift repair's window (0: off): its checks are amortised into the per-point figure. */
    @Param({"500"})
    public int repairWindow;

    /**
     * The half-life in points (0: none, stationary steps). With one, an HMM also runs its memory bank's fast chain
     * (model.memory.bank): {@code -p halfLife=0,2000} sets the bank's cost beside the plain recursion's.
     */
    @Param({"0"})
    public double halfLife;

    /** Points between M-steps. */
    @Param({"1"})
    public int mStepInterval;

    private OnlineModel model;
    private double[][] points;
    private final PointResult result = new PointResult();
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        String[] kd = shape.split("x");
        int k = Integer.parseInt(kd[0]);
        int d = Integer.parseInt(kd[1]);
        points = points(k, d, "hmm".equals(kind));
        model = OnlineModel.create(ModelSettings.builder().k(k).covarianceType(CovarianceType.FULL).kind(ModelKind.parse(kind))
                .initPoints(Math.max(500, 20 * k * d)).mStepInterval(mStepInterval).repairWindow(repairWindow).halfLife(halfLife)
                .distribution(new Distribution(Distribution.Family.parse(distribution), 0)).build());
        for (double[] p : points) {
            model.update(p, result);
        }
    }

    /**
     * The benchmark's points: K centres drawn at 4 standard deviations, unit noise plus a shared half-unit term in every
     * coordinate; i.i.d. components for a mixture, a sticky chain (stay with 0.95) for an HMM. Seeded: the same every run.
     */
    static double[][] points(int k, int d, boolean hmm) {
        Random r = new Random(42);
        double[][] centres = new double[k][d];
        for (double[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = 4 * r.nextGaussian();
            }
        }
        double[][] points = new double[POOL][d];
        int state = 0;
        for (double[] p : points) {
            state = hmm ? (r.nextDouble() < 0.95 ? state : r.nextInt(k)) : r.nextInt(k);
            double[] c = centres[state];
            double shared = r.nextGaussian();
            for (int j = 0; j < d; j++) {
                p[j] = c[j] + r.nextGaussian() + 0.5 * shared;
            }
        }
        return points;
    }

    @Benchmark
    public double update() {
        double[] p = points[next];
        next = (next + 1) & (POOL - 1);
        model.update(p, result);
        return result.logDensity;
    }
}
