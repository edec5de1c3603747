package dev.onlineem.em.mixture;

import java.util.Random;

/**
 * Drift repair's view of a mixture ({@link DriftRepair.Subject}): the shadow is the better of batch EM from the
 * model's own parameters and from k-means++ starts on the window's older half (a CUSUM's check makes
 * {@link DriftRepair#shadowStarts} starts of {@link DriftRepair#SHADOW_ITERATIONS} iterations, a periodic one
 * {@link DriftRepair#LIGHT_STARTS} of {@link DriftRepair#LIGHT_ITERATIONS}); a mixture has no memory, so each held-out
 * point's predictive density is its mixture density; the replacement is a few EM iterations on the whole window
 * from the shadow. A t mixture's fresh components start at, and the shadow fits hold, the model's mean df.
 */
public final class MixtureSubject implements DriftRepair.Subject<BatchEm.Fit> {
    private final GaussianMixture model;
    private final double regularization;
    private final int restarts;

    /**
     * @param model the model's current parameters. Not modified.
     * @param regularization the model's covariance regularisation
     * @param restarts the model's k-means++ restarts at warm-up (a thorough check makes more)
     */
    public MixtureSubject(GaussianMixture model, double regularization, int restarts) {
        this.model = model;
        this.regularization = regularization;
        this.restarts = restarts;
    }

    @Override
    public BatchEm.Fit shadow(double[][] train, boolean thorough, long seed) {
        BatchEm em = thorough
                ? new BatchEm(model.type, regularization, DriftRepair.shadowStarts(restarts, model.k), DriftRepair.SHADOW_ITERATIONS,
                        DriftRepair.SHADOW_TOLERANCE)
                : new BatchEm(model.type, regularization, DriftRepair.LIGHT_STARTS, DriftRepair.LIGHT_ITERATIONS, DriftRepair.SHADOW_TOLERANCE);
        em = em.withDistribution(model.distribution()).holdingDf(meanDf(model));
        BatchEm.Fit shadow = em.iterate(train, model.copy());
        BatchEm.Fit fresh = em.fit(train, model.k, new Random(seed));
        return fresh.logLikelihood > shadow.logLikelihood ? fresh : shadow;
    }

    @Override
    public double[] predictive(BatchEm.Fit fit, double[][] rows, int from) {
        return logDensities(fit.mixture, rows, from);
    }

    @Override
    public double[] modelPredictive(double[][] rows, int from) {
        return logDensities(model, rows, from);
    }

    @Override
    public BatchEm.Fit refit(BatchEm.Fit shadow, double[][] rows) {
        BatchEm refit = new BatchEm(model.type, regularization, 1, DriftRepair.REFIT_ITERATIONS, DriftRepair.SHADOW_TOLERANCE)
                .withDistribution(model.distribution());
        return refit.iterate(rows, shadow.mixture);
    }

    @Override
    public boolean finite(BatchEm.Fit fit) {
        return Double.isFinite(fit.logLikelihood);
    }

    /** Log-densities of rows[from..] under a copy of g (its E-step's work arrays are its own). */
    private static double[] logDensities(GaussianMixture g, double[][] rows, int from) {
        GaussianMixture copy = g.copy();
        double[] r = new double[copy.k];
        double[] ll = new double[rows.length - from];
        for (int i = from; i < rows.length; i++) {
            ll[i - from] = copy.eStep(rows[i], r);
        }
        return ll;
    }

    /** The mixture's mean degrees of freedom (NaN for Gaussians), where a shadow's fresh components hold theirs. */
    private static double meanDf(GaussianMixture g) {
        if (!g.distribution().studentT()) {
            return Double.NaN;
        }
        double s = 0;
        for (int c = 0; c < g.k; c++) {
            s += g.degreesOfFreedom(c);
        }
        return s / g.k;
    }

}
