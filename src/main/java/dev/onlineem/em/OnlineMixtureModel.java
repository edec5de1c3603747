package dev.onlineem.em;

import java.util.Arrays;
import java.util.Random;

/**
 * One model's whole state and its per-point pipeline: the causal feature stage ({@link FeatureStage}),
 * then a warm-up buffer, then stepwise online EM (Cappe &amp; Moulines 2009) on the feature vectors, then
 * the anomaly scores ({@link AnomalyScorer}) of each point's predictive surprise.
 *
 * <p>Internally the model works on standardised coordinates z = (x - c) / s, with c and s the
 * warm-up buffer's per-coordinate mean and standard deviation: it keeps the second-moment statistics
 * well conditioned whatever the data's offset and scale, and makes the covariance regularisation
 * relative to the data. Everything it reports is in the data's own units.
 *
 * <p>Deterministic: the same state and the same point give the same new state, bit for bit, so a
 * replay after a crash reproduces an uninterrupted run. Mutable and not thread-safe.
 */
public final class OnlineMixtureModel implements OnlineModel {
    /** Standardised coordinates beyond this magnitude are scored but not learned from (their squares would overflow). */
    static final double LEARN_LIMIT = 1e100;
    /**
     * Largest accepted |coordinate|: the warm-up's sums of squared deviations over up to a few thousand
     * points must stay below Double.MAX_VALUE (2e152 squared is 4e304).
     */
    public static final double MAX_ABS_VALUE = 1e152;
    /** Rate of the running average of logDensity reported in snapshots: a half-life of 1,000 points. */
    private static final double LOG_LIKELIHOOD_RATE = 1 - Math.pow(2, -1 / 1000.0);
    /**
     * With an M-step after every point, a component whose statistics moved by less than this (relative,
     * gamma r_k / s0_k) keeps its mean, covariance and Cholesky factor: under pure decay they are exactly
     * unchanged, and the next real change recomputes them from the statistics, so nothing accumulates.
     */
    static final double NEGLIGIBLE_CHANGE = 1e-13;

    final ModelSettings settings;
    int dimension;                // of the input points; 0 until the first point fixes it
    FeatureStage features;        // null until the first point
    int featureDimension;         // of the vectors the mixture models
    long pointsSeen;
    long modelVersion;

    // warm-up
    double[][] buffer;
    int buffered;

    // online phase
    double[] center;
    double[] scale;
    double logScaleSum;           // sum_j log s_j, derived from scale (not serialised)
    GaussianMixture mixture;
    SufficientStatistics stats;
    AnomalyScorer scorer;
    long t;                       // online step counter (starts at the warm-up size)
    int sinceMStep;
    double lastStepSize;
    double avgLogLikelihood;

    // work arrays, never serialised
    private double[] z;
    private double[] resp;
    private double[] featureVector;
    private final AnomalyScorer.Score score = new AnomalyScorer.Score();

    /** A new, empty model; the first point fixes its dimension. */
    public OnlineMixtureModel(ModelSettings settings) {
        this.settings = settings;
    }

    @Override
    public ModelKind kind() {
        return ModelKind.MIXTURE;
    }

    @Override
    public ModelSettings settings() {
        return settings;
    }

    /** The model's dimension, or 0 before its first point. */
    public int dimension() {
        return dimension;
    }

    public long pointsSeen() {
        return pointsSeen;
    }

    public long modelVersion() {
        return modelVersion;
    }

    /** Whether warm-up is over and the model has parameters. */
    public boolean isInitialised() {
        return mixture != null;
    }

    /** Components of the current parameters (0 during warm-up). */
    public int components() {
        return mixture == null ? 0 : mixture.k;
    }

    /**
     * Turns the point into features, scores them under the current model, then learns from them.
     *
     * @param x the point, in the data's units; NaN marks a missing coordinate. Not modified.
     * @param timestampMs the record's time (epoch milliseconds), for the calendar features
     * @param out receives the result. Modified.
     * @throws IllegalArgumentException (the model unchanged) when the dimension differs from the
     *         model's, a coordinate is infinite, or every coordinate is missing
     */
    public void update(double[] x, long timestampMs, PointResult out) {
        validate(x, dimension);
        if (dimension == 0) {
            dimension = x.length;
            features = new FeatureStage(settings.features(), dimension);
            featureDimension = features.outputDimension();
            allocateFeatureWork();
            buffer = new double[settings.initPoints()][];
        }
        out.beginPoint();
        boolean ready = features.transform(x, timestampMs, featureVector);
        if (!ready) {
            pointsSeen++;
            out.markWarmup(modelVersion, pointsSeen);
            return;
        }
        if (mixture == null) {
            buffer[buffered++] = featureVector.clone();
            pointsSeen++;
            out.markWarmup(modelVersion, pointsSeen);
            if (buffered == settings.initPoints()) {
                initialise();
                out.initialisedNow = true;
                out.modelVersion = modelVersion;
            }
            return;
        }
        scoreAndLearn(featureVector, x, out);
    }

    /** The checks every model kind makes on a point before it changes anything. */
    static void validate(double[] x, int dimension) {
        if (dimension != 0 && x.length != dimension) {
            throw new IllegalArgumentException("dimension " + dimension + " expected, got " + x.length);
        }
        if (x.length == 0) {
            throw new IllegalArgumentException("the point has no coordinates");
        }
        boolean anyObserved = false;
        for (int j = 0; j < x.length; j++) {
            if (Double.isInfinite(x[j])) {
                throw new IllegalArgumentException("coordinate " + j + " is " + x[j] + "; only finite numbers or missing values are accepted");
            }
            if (Math.abs(x[j]) > MAX_ABS_VALUE) {
                throw new IllegalArgumentException("coordinate " + j + " is " + x[j] + ", beyond the largest accepted magnitude "
                        + MAX_ABS_VALUE + " (sums of squares must stay finite in double precision): rescale the data");
            }
            anyObserved |= !Double.isNaN(x[j]);
        }
        if (!anyObserved) {
            throw new IllegalArgumentException("every coordinate of the point is missing");
        }
    }

    /** @param f the feature vector the mixture models; @param x the input point (for imputation) */
    private void scoreAndLearn(double[] f, double[] x, PointResult out) {
        int d = featureDimension;
        int k = mixture.k;
        boolean learnable = true;
        for (int j = 0; j < d; j++) {
            z[j] = (f[j] - center[j]) / scale[j];
            if (Math.abs(z[j]) > LEARN_LIMIT) {
                learnable = false;
            }
        }
        // E-step under the current theta: the score is predictive
        double ll = mixture.eStep(z, resp, true);
        double jacobian = mixture.missingCount > 0 ? observedLogScale(z) : logScaleSum;
        double logDensity = ll - jacobian;
        scorer.score(-logDensity, score);
        writeScore(out, x, logDensity, k);
        double rate = Math.max(1.0 / (t + 1), LOG_LIKELIHOOD_RATE);
        avgLogLikelihood += rate * (Math.max(logDensity, -1e300) - avgLogLikelihood);
        pointsSeen++;
        if (learnable) {
            // gamma_t: (t + t0)^-alpha, or with a half-life max(1 / (t + t0), gamma_min)
            double gamma = settings.stepSize(t);
            // s += gamma (T(x) - s)
            stats.blend(1 - gamma, gamma, resp, mixture);
            t++;
            lastStepSize = gamma;
            if (++sinceMStep >= settings.mStepInterval()) {
                sinceMStep = 0;
                mStep(settings.mStepInterval() == 1 ? gamma : Double.NaN);
            }
        } else {
            lastStepSize = 0;
        }
        out.stepSize = lastStepSize;
        out.pointsSeen = pointsSeen;
        out.modelVersion = modelVersion;
    }

    private void writeScore(PointResult out, double[] x, double logDensity, int k) {
        out.ensureCapacity(k, dimension);
        out.logDensity = logDensity;
        out.pValue = score.pValue;
        out.likelihoodPValue = score.likelihoodPValue;
        out.anomalyScore = score.anomalyScore;
        out.anomaly = score.anomaly;
        out.components = k;
        int best = 0;
        for (int c = 0; c < k; c++) {
            out.responsibilities[c] = resp[c];
            if (resp[c] > resp[best]) {
                best = c;
            }
        }
        out.cluster = best;
        out.impute(x, resp, mixture.expected, k, center, scale);
    }

    /**
     * M-step from the statistics, then re-seeding of any component whose weight collapsed.
     *
     * @param gamma the step of the single point since the last M-step, or NaN after several points
     */
    private void mStep(double gamma) {
        double total = stats.totalWeight();
        for (int c = 0; c < mixture.k; c++) {
            if (gamma * resp[c] <= NEGLIGIBLE_CHANGE * stats.s0[c]) {
                stats.mStepWeight(mixture, c, total);
            } else {
                stats.mStepComponent(mixture, c, total, settings.regularization());
            }
        }
        modelVersion = pointsSeen;
        double floor = settings.weightFloor();
        for (int c = 0; c < mixture.k; c++) {
            if (mixture.weights[c] < floor) {
                reseed(c);
            }
        }
    }

    /**
     * Re-seeds collapsed component c by splitting the heaviest component h in two along its principal
     * axis v (variance lambda), moment-matched like the two halves of a Gaussian:
     * mu = mu_h +- sqrt(2/pi) sqrt(lambda) v, Sigma = Sigma_h - (2/pi) lambda v v', each with weight pi_h / 2.
     * A component that is starved after a drift usually means another one stretched over several
     * clusters; the split gives the stretched one back its second half.
     */
    private void reseed(int c) {
        int k = mixture.k;
        int d = featureDimension;
        int h = 0;
        for (int i = 1; i < k; i++) {
            if (mixture.weights[i] > mixture.weights[h]) {
                h = i;
            }
        }
        double[] v = new double[d];
        double lambda = principalAxis(h, v);
        double offset = Math.sqrt(2 / Math.PI * lambda);
        double w = stats.s0[h] / 2;
        double[] muA = new double[d];
        double[] muB = new double[d];
        for (int j = 0; j < d; j++) {
            muA[j] = mixture.means[h][j] + offset * v[j];
            muB[j] = mixture.means[h][j] - offset * v[j];
        }
        // Sigma' = Sigma_h - (2/pi) lambda v v', written into component h's parameters before it is copied
        shrinkAlong(h, v, 2 / Math.PI * lambda);
        stats.setComponent(c, w, muA, mixture, h);
        stats.setComponent(h, w, muB, mixture, h);
        double total = stats.totalWeight();
        stats.mStepComponent(mixture, c, total, settings.regularization());
        stats.mStepComponent(mixture, h, total, settings.regularization());
    }

    /** The principal axis of component h's covariance (power iteration), written to v; returns its variance. */
    private double principalAxis(int h, double[] v) {
        int d = featureDimension;
        double[] next = new double[d];
        for (int j = 0; j < d; j++) {
            v[j] = 1 / Math.sqrt(d) * (1 + 1e-3 * j); // deterministic start, not orthogonal to any axis in practice
        }
        double lambda = 0;
        for (int it = 0; it < 100; it++) {
            double norm = 0;
            for (int i = 0; i < d; i++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += mixture.fullCovariance(h, i, j) * v[j];
                }
                next[i] = s;
                norm += s * s;
            }
            norm = Math.sqrt(norm);
            if (!(norm > 0)) {
                break;
            }
            double change = 0;
            for (int j = 0; j < d; j++) {
                double nv = next[j] / norm;
                change += Math.abs(nv - v[j]);
                v[j] = nv;
            }
            lambda = norm;
            if (change < 1e-10) {
                break;
            }
        }
        return lambda;
    }

    private void shrinkAlong(int h, double[] v, double amount) {
        int d = featureDimension;
        double[] cov = mixture.covariances[h];
        switch (mixture.type) {
            case FULL:
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        cov[i * d + j] -= amount * v[i] * v[j];
                    }
                }
                break;
            case DIAG:
                for (int j = 0; j < d; j++) {
                    cov[j] = Math.max(cov[j] - amount * v[j] * v[j], 1e-12);
                }
                break;
            default:
                cov[0] = Math.max(cov[0] - amount / d, 1e-12);
        }
    }

    /** Ends warm-up: standardises the buffer, fits it by batch EM (choosing K by BIC if a range is set). */
    private void initialise() {
        int d = featureDimension;
        int n = buffered;
        center = new double[d];
        scale = new double[d];
        standardisation(buffer, n, d, center, scale);
        double[][] data = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                data[i][j] = (buffer[i][j] - center[j]) / scale[j];
            }
        }
        BatchEm em = new BatchEm(settings.covarianceType(), settings.regularization(), settings.initRestarts(),
                settings.initMaxIterations(), BatchEm.DEFAULT_TOLERANCE);
        Random random = new Random(settings.seed());
        BatchEm.Fit fit = settings.fixedK()
                ? em.fit(data, settings.kMin(), random)
                : em.fitBestBic(data, settings.kMin(), settings.kMax(), random);
        mixture = fit.mixture;
        stats = fit.statistics;
        // the statistics and the parameters must agree: refit the parameters from the statistics kept
        stats.mStep(mixture, settings.regularization());
        allocateWork();
        t = n;
        modelVersion = pointsSeen;
        logScaleSum = observedLogScale(center); // the centre has no missing coordinate: sum_j log s_j
        double[] surprises = new double[n];
        double[] r = new double[mixture.k];
        double llSum = 0;
        for (int i = 0; i < n; i++) {
            double ll = mixture.eStep(data[i], r, false) - observedLogScale(data[i]);
            surprises[i] = -ll;
            llSum += ll;
        }
        avgLogLikelihood = llSum / n;
        scorer = new AnomalyScorer(settings.scoring());
        scorer.initialise(surprises);
        buffer = null;
        buffered = 0;
    }

    /**
     * Per coordinate, the mean and standard deviation of the observed values of the first n rows (a
     * constant coordinate gets |mean|, or 1): the standardisation every model kind works in.
     */
    static void standardisation(double[][] buffer, int n, int d, double[] center, double[] scale) {
        for (int j = 0; j < d; j++) {
            double sum = 0;
            int cnt = 0;
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(buffer[i][j])) {
                    sum += buffer[i][j];
                    cnt++;
                }
            }
            double mean = cnt == 0 ? 0 : sum / cnt;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(buffer[i][j])) {
                    double v = buffer[i][j] - mean;
                    ss += v * v;
                }
            }
            double sd = cnt > 1 ? Math.sqrt(ss / cnt) : 0;
            center[j] = mean;
            scale[j] = sd > 0 && Double.isFinite(sd) ? sd : (mean != 0 ? Math.abs(mean) : 1);
        }
    }

    /** sum of log s_j over the coordinates of {@code z} that are not NaN: the log-Jacobian of the standardisation. */
    double observedLogScale(double[] z) {
        return observedLogScale(scale, z);
    }

    /** sum of log s_j over the coordinates of {@code z} that are not NaN, for any model kind's standardisation. */
    static double observedLogScale(double[] scale, double[] z) {
        double s = 0;
        for (int j = 0; j < scale.length; j++) {
            if (!Double.isNaN(z[j])) {
                s += Math.log(scale[j]);
            }
        }
        return s;
    }

    void allocateFeatureWork() {
        featureVector = new double[featureDimension];
    }

    void allocateWork() {
        z = new double[featureDimension];
        resp = new double[mixture.k];
    }

    /** The current parameters in the data's units, or null during warm-up. Allocates. */
    public ModelSnapshot snapshot() {
        if (mixture == null) {
            return null;
        }
        int k = mixture.k;
        int d = featureDimension;
        double[][] means = new double[k][d];
        double[][][] covs = new double[k][d][d];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < d; i++) {
                means[c][i] = center[i] + scale[i] * mixture.means[c][i];
                for (int j = 0; j < d; j++) {
                    covs[c][i][j] = scale[i] * scale[j] * mixture.fullCovariance(c, i, j);
                }
            }
        }
        return new ModelSnapshot(d, features.names(inputNames(dimension)), mixture.type, modelVersion, pointsSeen, mixture.weights.clone(), means, covs,
                avgLogLikelihood, lastStepSize);
    }

    /** x0, x1, ...: the names of a point's coordinates, which the feature stage's names build on. */
    static String[] inputNames(int dimension) {
        String[] names = new String[dimension];
        for (int j = 0; j < dimension; j++) {
            names[j] = "x" + j;
        }
        return names;
    }

    /** The feature stage, or null before the first point. */
    public FeatureStage features() {
        return features;
    }

    /**
     * Log-density of a feature vector under the current parameters in the data's units, without learning.
     * Without features (the default of the core), feature vectors are the points themselves.
     *
     * @param x not modified; NaN marks a missing coordinate
     */
    public double logDensity(double[] x) {
        if (mixture == null) {
            throw new IllegalStateException("the model is still warming up");
        }
        double[] zz = new double[featureDimension];
        for (int j = 0; j < featureDimension; j++) {
            zz[j] = (x[j] - center[j]) / scale[j];
        }
        double jac = observedLogScale(zz);
        return mixture.eStep(zz, new double[mixture.k], false) - jac;
    }

    @Override
    public String toString() {
        return "OnlineMixtureModel{d=" + dimension + ", pointsSeen=" + pointsSeen + ", k=" + components()
                + ", weights=" + (mixture == null ? "warm-up" : Arrays.toString(mixture.weights)) + "}";
    }
}
