package dev.onlineem.em.hmm;

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
        int starts = thorough ? DriftRepair.shadowStarts(restarts, model.k) : DriftRepair.LIGHT_STARTS;
        int iterations = thorough ? DriftRepair.SHADOW_ITERATIONS : DriftRepair.LIGHT_ITERATIONS;
        GaussianHmm.Fit own = model.copy().baumWelch(train, GaussianHmm.Initial.FREE, regularization, iterations, DriftRepair.SHADOW_TOLERANCE);
        GaussianHmm.Fit fresh = GaussianHmm.fit(train, model.k, model.emissions.type, model.emissions.distribution(), GaussianHmm.Initial.FREE,
                regularization, starts, iterations, DriftRepair.SHADOW_TOLERANCE, new Random(seed));
        return fresh.logLikelihood > own.logLikelihood ? fresh : own;
    }

    @Override
    public double[] predictive(GaussianHmm.Fit fit, double[][] rows, int from) {
        return fit.hmm.copy().predictiveLogDensities(rows, from);
    }

    @Override
    public double[] modelPredictive(double[][] rows, int from) {
        return model.copy().predictiveLogDensities(rows, from);
    }

    @Override
    public GaussianHmm.Fit refit(GaussianHmm.Fit shadow, double[][] rows) {
        return shadow.hmm.copy().baumWelch(rows, GaussianHmm.Initial.FREE, regularization, DriftRepair.REFIT_ITERATIONS,
                DriftRepair.SHADOW_TOLERANCE);
    }
}
