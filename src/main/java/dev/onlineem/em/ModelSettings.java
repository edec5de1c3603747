package dev.onlineem.em;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.base.SettingCheck;
import dev.onlineem.em.density.Distribution;
import dev.onlineem.em.features.FeatureSettings;
import dev.onlineem.em.hmm.RegimeSettings;
import dev.onlineem.em.mixture.DriftRepair;
import dev.onlineem.em.scoring.ScoreSettings;

/**
 * Everything that defines how one model learns. Immutable; validated on construction, each error
 * naming the setting (by its configuration name) and the accepted range.
 *
 * @param kMin fewest components; equal to {@code kMax} for a fixed K
 * @param kMax most components (an HMM's states); BIC on the warm-up buffer chooses when {@code kMin < kMax}
 * @param covarianceType full, diag or spherical
 * @param stepExponent alpha in gamma_t = (t + t0)^-alpha, in (0.5, 1]
 * @param stepOffset t0, at least 2
 * @param gammaMin floor of gamma_t; 0 for a stationary stream, 1 - 2^(-1/h) for a half-life of h points
 * @param mStepInterval points between M-steps (1: after every point)
 * @param regularization added to every covariance diagonal, in units of the variance of the warm-up
 *        data per coordinate (like scikit-learn's reg_covar on standardised data)
 * @param initPoints points buffered before the first fit
 * @param initRestarts k-means++ restarts of the warm-up batch EM
 * @param initMaxIterations batch-EM iterations per restart
 * @param weightFloor a component whose weight falls below this is re-seeded
 * @param seed seeds the warm-up's k-means++, so a model is reproducible
 * @param features the causal feature stage in front of the mixture
 * @param scoring how surprise becomes pValue, anomalyScore and alerts
 * @param kind mixture or hmm (then K is the number of states, and the remaining settings mean the same)
 * @param regime when an HMM announces a change of regime
 * @param averaging Polyak-Ruppert averaging of a mixture's statistics after warm-up: the published
 *        parameters are those of the running mean of the statistics (forgetting at the half-life, when
 *        there is one) rather than of the last iterate; the per-point E-step and scores still use the
 *        iterate. Mixtures only.
 * @param repairWindow drift repair ({@link DriftRepair}): the number of recent points a model keeps to test
 *        its structure against a fresh fit, and replaces it by when that fit predicts held-out recent points
 *        better; 0 turns repair off. Mixtures and HMMs.
 * @param distribution Gaussian or Student-t components (a mixture's components, an HMM's emissions), and a t's
 *        degrees of freedom when fixed
 * @param memoryBank an HMM with a half-life also learns a second chain with the stationary steps (t + t0)^-alpha (never
 *        below the half-life's floor), whose memory stays short for hundreds of thousands of points, and predicts with
 *        the two weighted by how well each predicted (fixed share). HMMs only; nothing without a half-life.
 */
public record ModelSettings(int kMin, int kMax, CovarianceType covarianceType, double stepExponent,
                              double stepOffset, double gammaMin, int mStepInterval, double regularization,
                              int initPoints, int initRestarts, int initMaxIterations, double weightFloor, long seed,
                              FeatureSettings features, ScoreSettings scoring, ModelKind kind, RegimeSettings regime,
                              boolean averaging, int repairWindow, Distribution distribution, boolean memoryBank) {

    public static final int DEFAULT_K = 2;
    public static final double DEFAULT_STEP_EXPONENT = 0.6;
    public static final double DEFAULT_STEP_OFFSET = 2;
    public static final double DEFAULT_REGULARIZATION = 1e-6;
    public static final int DEFAULT_INIT_POINTS = 500;
    public static final int DEFAULT_INIT_RESTARTS = 3;
    public static final int DEFAULT_INIT_MAX_ITERATIONS = 200;
    public static final double DEFAULT_WEIGHT_FLOOR = 1e-4;
    public static final long DEFAULT_SEED = 42;
    public static final int DEFAULT_REPAIR_WINDOW = 500;
    /** The smallest non-zero repair window: each half must hold enough points to fit and to judge a fit. */
    public static final int MIN_REPAIR_WINDOW = 50;

    public ModelSettings {
        SettingCheck.check(kMin >= 1, "k.min", kMin, "at least 1");
        SettingCheck.check(kMax >= kMin, "k.max", kMax, "at least k.min (" + kMin + ")");
        SettingCheck.check(covarianceType != null, "covariance.type", null, "one of full, diag, spherical");
        SettingCheck.check(stepExponent > 0.5 && stepExponent <= 1, "step.exponent", stepExponent, "in (0.5, 1]");
        SettingCheck.check(stepOffset >= 2, "step.offset", stepOffset, "at least 2");
        SettingCheck.check(gammaMin >= 0 && gammaMin < 1, "gamma.min", gammaMin, "in [0, 1) (or set half.life in points)");
        SettingCheck.check(mStepInterval >= 1, "mstep.interval", mStepInterval, "at least 1");
        SettingCheck.check(regularization > 0 && regularization < 1, "regularization", regularization, "in (0, 1)");
        SettingCheck.check(initPoints >= 2 * kMax, "init.points", initPoints, "at least 2 * k.max (" + 2 * kMax + ")");
        SettingCheck.check(initRestarts >= 1, "init.restarts", initRestarts, "at least 1");
        SettingCheck.check(initMaxIterations >= 1, "init.max.iterations", initMaxIterations, "at least 1");
        SettingCheck.check(features != null, "features", null, "set");
        SettingCheck.check(scoring != null, "anomaly", null, "set");
        SettingCheck.check(kind != null, "type", null, "one of mixture, hmm");
        SettingCheck.check(regime != null, "regime", null, "set");
        SettingCheck.check(!averaging || kind == ModelKind.MIXTURE, "averaging", averaging, "false for model.type=hmm (averaging applies to mixtures)");
        SettingCheck.check(repairWindow == 0 || repairWindow >= Math.max(MIN_REPAIR_WINDOW, 20 * kMax), "repair.window", repairWindow,
                "0 (off) or at least max(" + MIN_REPAIR_WINDOW + ", 20 * k.max) = " + Math.max(MIN_REPAIR_WINDOW, 20 * kMax));
        SettingCheck.check(weightFloor >= 0 && weightFloor * kMax < 0.5, "weight.floor", weightFloor, "in [0, 0.5 / k.max)");
        SettingCheck.check(distribution != null, "distribution", null, "one of gaussian, student-t");
    }

    /** gamma_min for a half-life of h points: 1 - 2^(-1/h). */
    public static double gammaMinForHalfLife(double halfLife) {
        if (!(halfLife >= 1)) {
            throw new IllegalArgumentException("setting half.life = " + halfLife + " is invalid: it must be at least 1 point");
        }
        return 1 - Math.pow(2, -1 / halfLife);
    }

    /**
     * The step gamma_t of the t-th online point (t counts the warm-up buffer too).
     * Without a half-life: gamma_t = (t + t0)^-alpha (Cappe &amp; Moulines), for a stationary stream.
     * With a half-life h: gamma_t = max(1 / (t + t0), 1 - 2^(-1/h)), so the statistics are the plain mean
     * of everything seen until that memory is as long as the half-life's, and an exponentially weighted
     * mean with half-life h after: the memory is h points from the start, whatever alpha says.
     */
    public double stepSize(long t) {
        if (gammaMin > 0) {
            return Math.max(1 / (t + stepOffset), gammaMin);
        }
        return stationaryStepSize(t);
    }

    /** The step of a stationary stream, (t + t0)^-alpha, whatever the half-life. */
    public double stationaryStepSize(long t) {
        return Math.pow(t + stepOffset, -stepExponent);
    }

    /** These settings with K in kMin..kMax instead. */
    public ModelSettings withK(int kMin, int kMax) {
        return new ModelSettings(kMin, kMax, covarianceType, stepExponent, stepOffset, gammaMin, mStepInterval, regularization,
                initPoints, initRestarts, initMaxIterations, weightFloor, seed, features, scoring, kind, regime, averaging, repairWindow,
                distribution, memoryBank);
    }

    /** These settings with this many batch-EM iterations per restart of the warm-up fit. */
    public ModelSettings withInitMaxIterations(int iterations) {
        return new ModelSettings(kMin, kMax, covarianceType, stepExponent, stepOffset, gammaMin, mStepInterval, regularization,
                initPoints, initRestarts, iterations, weightFloor, seed, features, scoring, kind, regime, averaging, repairWindow,
                distribution, memoryBank);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Fixed K (kMin == kMax). */
    public boolean fixedK() {
        return kMin == kMax;
    }

    /** Builds settings from the defaults above. */
    public static final class Builder {
        private int kMin = DEFAULT_K;
        private int kMax = DEFAULT_K;
        private CovarianceType covarianceType = CovarianceType.FULL;
        private double stepExponent = DEFAULT_STEP_EXPONENT;
        private double stepOffset = DEFAULT_STEP_OFFSET;
        private double gammaMin;
        private int mStepInterval = 1;
        private double regularization = DEFAULT_REGULARIZATION;
        private int initPoints = DEFAULT_INIT_POINTS;
        private int initRestarts = DEFAULT_INIT_RESTARTS;
        private int initMaxIterations = DEFAULT_INIT_MAX_ITERATIONS;
        private FeatureSettings features = FeatureSettings.NONE;
        private ScoreSettings scoring = ScoreSettings.DEFAULT;
        private double weightFloor = DEFAULT_WEIGHT_FLOOR;
        private long seed = DEFAULT_SEED;
        private ModelKind kind = ModelKind.MIXTURE;
        private RegimeSettings regime = RegimeSettings.DEFAULT;
        private boolean averaging;
        private int repairWindow = DEFAULT_REPAIR_WINDOW;
        private Distribution distribution = Distribution.GAUSSIAN;
        private boolean memoryBank = true;

        /** An HMM's second, short-memory chain (with a half-life); on by default. */
        public Builder memoryBank(boolean b) {
            this.memoryBank = b;
            return this;
        }

        /** Gaussian (the default) or Student-t components. */
        public Builder distribution(Distribution d) {
            this.distribution = d;
            return this;
        }

        /** Points kept for drift repair; 0 turns it off. */
        public Builder repairWindow(int w) {
            this.repairWindow = w;
            return this;
        }

        /** Polyak-Ruppert averaging of the statistics (mixtures only). */
        public Builder averaging(boolean a) {
            this.averaging = a;
            return this;
        }

        public Builder kind(ModelKind k) {
            this.kind = k;
            return this;
        }

        public Builder regime(RegimeSettings r) {
            this.regime = r;
            return this;
        }

        public Builder k(int k) {
            this.kMin = k;
            this.kMax = k;
            return this;
        }

        public Builder kRange(int min, int max) {
            this.kMin = min;
            this.kMax = max;
            return this;
        }

        public Builder covarianceType(CovarianceType t) {
            this.covarianceType = t;
            return this;
        }

        public Builder stepExponent(double a) {
            this.stepExponent = a;
            return this;
        }

        public Builder stepOffset(double t0) {
            this.stepOffset = t0;
            return this;
        }

        public Builder gammaMin(double g) {
            this.gammaMin = g;
            return this;
        }

        /** Sets gamma_min = 1 - 2^(-1/h); h &lt;= 0 means no floor (a stationary stream). */
        public Builder halfLife(double h) {
            this.gammaMin = h <= 0 ? 0 : gammaMinForHalfLife(h);
            return this;
        }

        public Builder mStepInterval(int m) {
            this.mStepInterval = m;
            return this;
        }

        public Builder regularization(double r) {
            this.regularization = r;
            return this;
        }

        public Builder initPoints(int n) {
            this.initPoints = n;
            return this;
        }

        public Builder initRestarts(int n) {
            this.initRestarts = n;
            return this;
        }

        public Builder initMaxIterations(int n) {
            this.initMaxIterations = n;
            return this;
        }

        public Builder anomalyAlpha(double a) {
            this.scoring = scoring.withAlpha(a);
            return this;
        }

        public Builder anomalyHalfLife(double h) {
            this.scoring = scoring.withHalfLife(h);
            return this;
        }

        public Builder features(FeatureSettings f) {
            this.features = f;
            return this;
        }

        public Builder scoring(ScoreSettings s) {
            this.scoring = s;
            return this;
        }

        public Builder weightFloor(double f) {
            this.weightFloor = f;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public ModelSettings build() {
            return new ModelSettings(kMin, kMax, covarianceType, stepExponent, stepOffset, gammaMin, mStepInterval,
                    regularization, initPoints, initRestarts, initMaxIterations, weightFloor, seed, features, scoring, kind, regime, averaging,
                    repairWindow, distribution, memoryBank);
        }
    }
}
