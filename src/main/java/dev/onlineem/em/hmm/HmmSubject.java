package dev.onlineem.em.hmm;

import dev.onlineem.em.mixture.BatchEm;
import dev.onlineem.em.mixture.DriftRepair;
import java.util.Random;

/**
 * Drift repair's view of an HMM ({@link DriftRepair.Subject}): the shadow is the better of Baum-Welch from the model's
 * own parameters and Baum-Welch from k-means++ seedings ({@link GaussianHmm#fit}) on the window's older half, with
 * the starts and iterations of a mixture's shadow; each fit is judged on the newer half by its one-step predictive
 * densities, filtering the whole window from the stationary law of its transitions, so the older half conditions the
 * newer as the stream did; the replacement is Baum-Welch on the whole window from the shadow, whose last filtered law
 * is where the online filter goes on. The number of states stays the model's.
 */
public final class HmmSubject implements DriftRepair.Subject<GaussianHmm.Fit> {
    private final GaussianHmm model;
    private final double regularization;
    private final int restarts;

    /**
     * @param model the model's current parameters. Not modified.
     * @param regularization the model's covariance regularisation
     * @param restarts the model's restarts at warm-up (a thorough check makes more)
     */
    public HmmSubject(GaussianHmm model, double regularization, int restarts) {
        this.model = model;
        this.regularization = regularization;
        this.restarts = restarts;
    }

    @Override
    public GaussianHmm.Fit shadow(double[][] train, boolean thorough, long seed) {
        // half a window with fewer points than the chain has parameters identifies no fit: one fresh start, not K + 2 (K=8,
        // d=16: 1,272 parameters, a thorough check 300 ms, and the CUSUM trips often on such a chain's misfit states)
        int starts = train.length < parameters() ? 1 : thorough ? DriftRepair.shadowStarts(restarts, model.k) : DriftRepair.LIGHT_STARTS;
        int iterations = thorough ? DriftRepair.SHADOW_ITERATIONS : DriftRepair.LIGHT_ITERATIONS;
        GaussianHmm.Fit own = model.copy().baumWelch(train, GaussianHmm.Initial.FREE, regularization, iterations, DriftRepair.SHADOW_TOLERANCE);
        GaussianHmm.Fit fresh = GaussianHmm.fit(train, model.k, model.emissions.type, model.emissions.distribution(), GaussianHmm.Initial.FREE,
                regularization, starts, iterations, DriftRepair.SHADOW_TOLERANCE, new Random(seed),
                new BatchEm(model.emissions.type, regularization, 1, iterations, DriftRepair.SHADOW_TOLERANCE));
        return fresh.logLikelihood > own.logLikelihood ? fresh : own;
    }

    /**
     * The shadow fits its own n points by more than {@link #PROMISING_GAIN} nats a point, beyond its free parameters / n,
     * better than the model does: a chain whose visits are long can leave a state out of the window's older half, and a
     * shadow without it loses the held-out judgement on the newer half however far off the model is (drift --model hmm,
     * 3x4 seed 1: a shadow 4.7 nats a point better on its own points judged 0.007 +- 0.96 on the held-out ones), so the
     * checks go on until a window holds every state. A stationary model's shadow gains about its parameters / (2 n) by
     * fitting its own points (0.1 nats a point at K=3, d=4, but 2.5 at K=8, d=16 with full covariances): the allowance of
     * twice that, Akaike's, keeps a stationary model from being checked over and over. With fewer than two points a
     * parameter in the half window (K=8, d=16: 1,272 parameters) a shadow's fit of its points says nothing.
     */
    static final double PROMISING_GAIN = 0.5;

    @Override
    public boolean promising(GaussianHmm.Fit shadow, double[][] train) {
        int parameters = parameters();
        if (train.length < 2 * parameters) {
            return false;
        }
        double gain = (shadow.logLikelihood - model.logLikelihood(train) - parameters) / train.length;
        return gain > PROMISING_GAIN;
    }

    /** The chain's free parameters. */
    private int parameters() {
        return GaussianHmm.freeParameters(model.k, model.dimension(), model.emissions.type, GaussianHmm.Initial.FREE);
    }

    @Override
    public double[] predictive(GaussianHmm.Fit fit, double[][] rows, int from) {
        return fit.hmm.predictiveLogDensities(rows, from);
    }

    @Override
    public double[] modelPredictive(double[][] rows, int from) {
        return model.predictiveLogDensities(rows, from);
    }

    @Override
    public boolean finite(GaussianHmm.Fit fit) {
        if (!Double.isFinite(fit.logLikelihood)) {
            return false;
        }
        for (double p : fit.filtered[fit.filtered.length - 1]) {
            if (!Double.isFinite(p)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public GaussianHmm.Fit refit(GaussianHmm.Fit shadow, double[][] rows) {
        return shadow.hmm.copy().baumWelch(rows, GaussianHmm.Initial.FREE, regularization, DriftRepair.REFIT_ITERATIONS,
                DriftRepair.SHADOW_TOLERANCE);
    }
}
