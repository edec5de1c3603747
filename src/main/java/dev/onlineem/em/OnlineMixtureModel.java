package dev.onlineem.em;

import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.base.ModelSnapshot;
import dev.onlineem.em.base.StateFormat;
import dev.onlineem.em.density.EStepWork;
import dev.onlineem.em.features.FeatureStage;
import dev.onlineem.em.mixture.BatchEm;
import dev.onlineem.em.mixture.Challenger;
import dev.onlineem.em.mixture.DriftRepair;
import dev.onlineem.em.mixture.GaussianMixture;
import dev.onlineem.em.mixture.SufficientStatistics;
import dev.onlineem.em.scoring.AnomalyScorer;
import java.nio.ByteBuffer;
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
public final class OnlineMixtureModel extends PipelineModel {
    /**
     * With an M-step after every point, a component whose statistics moved by less than this (relative,
     * gamma r_k / s0_k) keeps its mean, covariance and Cholesky factor: under pure decay they are exactly
     * unchanged, and the next real change recomputes them from the statistics, so nothing accumulates.
     */
    static final double NEGLIGIBLE_CHANGE = 1e-13;

    // online phase
    private GaussianMixture mixture;
    private SufficientStatistics stats;
    private int sinceMStep;
    /** Polyak-Ruppert: the running mean of the statistics since warm-up (or the last re-seeding); null when averaging is off. */
    private SufficientStatistics averaged;
    private long averagedPoints;
    /** A second mixture learning beside this one, which replaces it when it predicts better ({@link Challenger}); null when repair is off. */
    private Challenger challenger;

    /** The batch EM that ends warm-up in place of the settings' one ({@code fit --batch}); never serialised. */
    private BatchEm warmupEm;
    /** EM iterations of each start of the warm-up's batch fit in this object's life; never serialised. */
    private int[] warmupIterations;

    /** A new, empty model; the first point fixes its dimension. */
    public OnlineMixtureModel(ModelSettings settings) {
        super(settings);
    }

    @Override
    public ModelKind kind() {
        return ModelKind.MIXTURE;
    }

    /** Whether warm-up is over and the model has parameters. */
    @Override
    public boolean isInitialised() {
        return mixture != null;
    }

    /** Components of the current parameters (0 during warm-up). */
    public int components() {
        return mixture == null ? 0 : mixture.k;
    }

    /** @param f the feature vector the mixture models; @param x the input point (for imputation) */
    @Override
    void scoreAndLearn(double[] f, double[] x, PointResult out) {
        int k = mixture.k;
        boolean learnable = standardise(f);
        // E-step under the current theta: the score is predictive (into this thread's work: nothing in it outlives the point)
        EStepWork work = EStepWork.ofThread(k, featureDimension, settings.distribution().studentT());
        double[] resp = work.responsibilities;
        double ll = mixture.eStep(z, resp, work);
        double jacobian = work.missingCount > 0 ? observedLogScale(z) : logScaleSum;
        scorePoint(ll - jacobian, k, out);
        int best = 0;
        for (int c = 0; c < k; c++) {
            out.responsibilities[c] = resp[c];
            if (resp[c] > resp[best]) {
                best = c;
            }
        }
        out.cluster = best;
        out.impute(x, resp, work.expected(), k, center, scale);
        if (learnable) {
            // gamma_t: (t + t0)^-alpha, or with a half-life max(1 / (t + t0), gamma_min)
            double gamma = settings.stepSize(t);
            // s += gamma (T(x) - s)
            stats.step(gamma, resp, work);
            if (averaged != null) {
                average();
            }
            t++;
            lastStepSize = gamma;
            if (++sinceMStep >= settings.mStepInterval()) {
                sinceMStep = 0;
                mStep(settings.mStepInterval() == 1 ? gamma : Double.NaN, resp);
            }
            if (repairDue()) {
                out.repaired = checkStructure();
            }
            if (challenger != null && !out.repaired) {
                out.repaired = challenge(ll, work);
            }
        } else {
            lastStepSize = 0;
        }
        finishPoint(out);
    }

    /**
     * Drift repair's check ({@link DriftRepair#check}): when a fresh fit of the recent points predicts held-out
     * recent points better than the model, its statistics replace the model's and online EM goes on from them. Returns
     * whether they did.
     */
    private boolean checkStructure() {
        BatchEm.Fit fit = repair.check(mixture, settings.regularization(), settings.initRestarts(), repairSeed());
        if (fit == null) {
            return false;
        }
        fit.statistics.mStep(fit.mixture, settings.regularization());
        replaceWith(fit.mixture, fit.statistics);
        return true;
    }

    /** Drift repair's or a challenger's replacement: online EM goes on from these parameters and statistics, which agree. */
    private void replaceWith(GaussianMixture g, SufficientStatistics s) {
        mixture = g;
        stats = s;
        sinceMStep = 0;
        modelVersion = pointsSeen;
        if (averaged != null) {
            restartAverage();
        }
    }

    /**
     * Starts, runs and judges the challenger ({@link Challenger}) on the point just learned, which the model predicted at
     * log-density {@code ll} (standardised coordinates); when it wins, its parameters and statistics become the model's
     * and online EM goes on from them at the model's step. Returns whether it won.
     */
    private boolean challenge(double ll, EStepWork work) {
        if (!challenger.active()) {
            if (challenger.due(repair)) {
                challenger.start(repair, mixture, settings.regularization(), settings.initRestarts(),
                        repairSeed() ^ CHALLENGER_SEED);
            }
            return false;
        }
        Challenger.Verdict v = challenger.learn(z, ll, lastStepSize, settings.regularization(), settings.weightFloor(), work);
        if (v != Challenger.Verdict.WON) {
            return false;
        }
        Challenger.Winner winner = challenger.takeWinner();
        replaceWith(winner.mixture(), winner.statistics());
        return true;
    }

    /** Sets the challengers' k-means++ seeds apart from drift repair's shadows', which derive from the same seed and step. */
    private static final long CHALLENGER_SEED = 0x5DEECE66DL;

    /**
     * Polyak-Ruppert averaging: s_bar = (1 - w) s_bar + w s with w = max(1 / n, gamma_min), n the points
     * averaged: the plain mean of the iterates since warm-up, or with a half-life an average that forgets
     * at the same rate as the statistics.
     */
    private void average() {
        averagedPoints++;
        averaged.moveToward(stats, Math.max(1.0 / averagedPoints, settings.gammaMin()));
    }

    /** Starts the average afresh at the current statistics (after warm-up, or after a re-seeding changed them abruptly). */
    private void restartAverage() {
        averaged = stats.copy();
        averagedPoints = 1;
    }

    /**
     * The parameters the model reports: the current ones, or with averaging those of the averaged
     * statistics (a new mixture). Allocates when averaging.
     */
    GaussianMixture reported() {
        if (averaged == null) {
            return mixture;
        }
        GaussianMixture g = mixture.copy();
        averaged.mStep(g, settings.regularization());
        return g;
    }

    /**
     * M-step from the statistics, then re-seeding of any component whose weight collapsed.
     *
     * @param gamma the step of the single point since the last M-step, or NaN after several points
     * @param resp the last point's responsibilities
     */
    private void mStep(double gamma, double[] resp) {
        double total = stats.totalWeight();
        double memory = 1 / settings.stepSize(t);
        for (int c = 0; c < mixture.k; c++) {
            if (gamma * resp[c] <= NEGLIGIBLE_CHANGE * stats.weight(c)) {
                stats.mStepWeight(mixture, c, total);
            } else {
                stats.mStepComponent(mixture, c, total, settings.regularization(), memory);
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
        stats.fold();
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
        double memory = 1 / settings.stepSize(t);
        stats.mStepComponent(mixture, c, total, settings.regularization(), memory);
        stats.mStepComponent(mixture, h, total, settings.regularization(), memory);
        if (averaged != null) {
            restartAverage();
        }
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
        mixture.covariance.shrinkAlong(mixture.covariances[h], v, amount);
    }

    /**
     * Has warm-up end with this batch EM instead of the one the settings describe (restarts, iterations and a
     * tolerance of its own): for a batch fit of a whole file, whose settings are not stored with any state.
     *
     * @param em kept, not modified
     */
    public void useWarmupEm(BatchEm em) {
        this.warmupEm = em;
    }

    /** EM iterations of each start of the batch fit that ended warm-up in this object's life, or null (a decoded model has none). */
    public int[] warmupIterations() {
        return warmupIterations;
    }

    /** Ends warm-up: standardises the buffer, fits it by batch EM (choosing K by BIC if a range is set). */
    @Override
    void initialise() {
        double[][] data = standardisedBuffer();
        int n = data.length;
        BatchEm em = (warmupEm != null ? warmupEm : new BatchEm(settings.covarianceType(), settings.regularization(), settings.initRestarts(),
                settings.initMaxIterations(), BatchEm.WARMUP_TOLERANCE).withShortRuns(BatchEm.WARMUP_SHORT_RUN)).withDistribution(settings.distribution());
        Random random = new Random(settings.seed());
        BatchEm.Fit fit = settings.fixedK()
                ? em.fit(data, settings.kMin(), random)
                : em.fitBestBic(data, settings.kMin(), settings.kMax(), random);
        warmupIterations = fit.iterationsPerStart;
        mixture = fit.mixture;
        stats = fit.statistics;
        // the statistics and the parameters must agree: refit the parameters from the statistics kept
        stats.mStep(mixture, settings.regularization());
        if (settings.averaging()) {
            restartAverage();
        }
        startRepair();
        challenger = repair != null ? new Challenger(settings.repairWindow()) : null;
        allocateWork();
        double[] surprises = new double[n];
        // this thread's work, as every later point's: the mixture's own scratch would stay with the model for good
        EStepWork work = EStepWork.ofThread(mixture.k, featureDimension, settings.distribution().studentT());
        for (int i = 0; i < n; i++) {
            surprises[i] = -(mixture.eStep(data[i], work.responsibilities, work) - observedLogScale(data[i]));
        }
        endWarmup(surprises);
    }

    @Override
    void allocateWork() {
        // an online mixture's E-step works are its thread's (EStepWork.ofThread)
    }

    /** Replacements of the model's parameters by drift repair's refits and by challengers, over its life. */
    @Override
    public long repairs() {
        return super.repairs() + (challenger == null ? 0 : challenger.won());
    }

    /** The challenger's schedule and its current candidate, or null (repair off, or a state of format 14 or older). */
    public Challenger challenger() {
        return challenger;
    }

    /** The current parameters (standardised coordinates), or null during warm-up; not to be modified. */
    GaussianMixture mixture() {
        return mixture;
    }

    // ---- online state ({@link StateCodec}): k, t, the M-step count, the progress, parameters, statistics and their
    // scale, the averaged statistics (with averaging), drift repair's window and detector and the challenger (with repair)

    @Override
    int onlineStateSize() {
        int d = featureDimension;
        int k = mixture.k;
        int size = 4 + 8 + 4 + progressSize();      // k, t, sinceMStep, progress
        size += mixture.parametersSize();           // weights, means, covariances (, df)
        size += stats.serializedSize() + 8;         // s0, s1, s2 (, su, sdf), scale
        if (averaged != null) {
            size += 8 + averaged.serializedSize();  // points averaged, averaged statistics
        }
        if (repair != null) {
            size += repair.serializedSize() + 1 + (challenger == null ? 0 : challenger.serializedSize());
        }
        return size;
    }

    @Override
    void writeOnlineState(ByteBuffer out) {
        GaussianMixture g = mixture;
        out.putInt(g.k).putLong(t).putInt(sinceMStep);
        writeProgress(out);
        g.writeParameters(out);
        stats.writeTo(out);
        out.putDouble(stats.scale);
        if (averaged != null) {
            out.putLong(averagedPoints);
            averaged.writeTo(out);
        }
        if (repair != null) {
            repair.writeTo(out);
            out.put((byte) (challenger == null ? 0 : 1));
            if (challenger != null) {
                challenger.writeTo(out);
            }
        }
    }

    /**
     * Version 7 added the statistics' scale (read as 1 before), version 8 drift repair (off before); version 11 the t
     * components' df score and information in place of EM's df statistic (restarted at the df read); version 15 the
     * challenger after drift repair's window (none before: such a model goes on without).
     */
    @Override
    void readOnlineState(ByteBuffer in, byte version) {
        int d = featureDimension;
        int k = in.getInt();
        t = in.getLong();
        sinceMStep = in.getInt();
        readProgress(in);
        GaussianMixture g = new GaussianMixture(k, d, settings.covarianceType(), settings.distribution());
        g.readParameters(in);
        mixture = g;
        boolean emDf = version < StateFormat.VERSION_11; // format 10 kept EM's df statistic (t components came in 10)
        stats = SufficientStatistics.readFrom(in, k, d, g.type, settings.distribution(), emDf);
        if (emDf) {
            stats.restartDfStatistics(g, false);
        }
        if (version >= StateFormat.VERSION_7) {
            stats.scale = in.getDouble();
            if (!(stats.scale > 0) || !Double.isFinite(stats.scale)) {
                throw new IllegalArgumentException("statistics scale " + stats.scale + " is not a positive number");
            }
        }
        if (settings.averaging()) {
            averagedPoints = in.getLong();
            averaged = SufficientStatistics.readFrom(in, k, d, g.type, settings.distribution(), emDf);
            if (emDf) {
                averaged.restartDfStatistics(g, true);
            }
        }
        if (settings.repairWindow() > 0) {
            repair = DriftRepair.readFrom(in, settings.repairWindow(), d, version);
            // a state of version 14 or older goes on without challengers, as it did
            challenger = version >= StateFormat.VERSION_15 && in.get() != 0
                    ? Challenger.readFrom(in, settings.repairWindow(), g, version == StateFormat.VERSION_15) : null;
        }
    }

    /** The current parameters (the averaged ones, with averaging) in the data's units, or null during warm-up. Allocates. */
    public ModelSnapshot snapshot() {
        if (mixture == null) {
            return null;
        }
        GaussianMixture g = reported();
        int k = g.k;
        int d = featureDimension;
        double[][] means = new double[k][d];
        double[][][] covs = new double[k][d][d];
        for (int c = 0; c < k; c++) {
            toDataUnits(g, c, means[c], covs[c]);
        }
        return new ModelSnapshot(d, featureNames(), g.type, modelVersion, pointsSeen, g.weights.clone(), means, covs,
                avgLogLikelihood, lastStepSize, g.degreesOfFreedom());
    }

    /**
     * Log-density of a feature vector under the reported parameters ({@link #snapshot}'s) in the data's units, without learning.
     * Without features (the default of the core), feature vectors are the points themselves. Builds a {@link #scorer} per call:
     * for many points, take one scorer and reuse it.
     *
     * @param x not modified; NaN marks a missing coordinate
     */
    public double logDensity(double[] x) {
        return scorer().logDensity(x);
    }

    /**
     * A scorer of the reported parameters (the averaged ones, with averaging) that is independent of this
     * model (its own copy and work arrays): several threads can each score rows with their own while the
     * model is left alone.
     */
    public Scorer scorer() {
        if (mixture == null) {
            throw new IllegalStateException("the model is still warming up");
        }
        return new Scorer(averaged == null ? mixture.copy() : reported(), center.clone(), scale.clone());
    }

    /** Log-densities under fixed parameters, allocating nothing per call. Not thread-safe: one per thread. */
    public static final class Scorer {
        private final GaussianMixture mixture;
        private final double[] center;
        private final double[] scale;
        private final double[] z;
        private final double[] resp;
        private final double logScaleSum;

        Scorer(GaussianMixture mixture, double[] center, double[] scale) {
            this.mixture = mixture;
            this.center = center;
            this.scale = scale;
            this.z = new double[center.length];
            this.resp = new double[mixture.k];
            double s = 0;
            for (double v : scale) {
                s += Math.log(v);
            }
            this.logScaleSum = s;
        }

        /**
         * The log-density of x (of its observed coordinates) in the data's units, as
         * {@link OnlineMixtureModel#logDensity} gives it.
         *
         * @param x not modified; NaN marks a missing coordinate
         */
        public double logDensity(double[] x) {
            double jacobian = 0;
            boolean missing = false;
            PipelineModel.standardiseInto(x, center, scale, z);
            for (int j = 0; j < z.length; j++) {
                missing |= Double.isNaN(x[j]);
            }
            if (missing) {
                for (int j = 0; j < z.length; j++) {
                    if (!Double.isNaN(z[j])) {
                        jacobian += Math.log(scale[j]);
                    }
                }
            } else {
                jacobian = logScaleSum;
            }
            return mixture.eStep(z, resp) - jacobian;
        }
    }

    @Override
    public String toString() {
        return "OnlineMixtureModel{d=" + dimension() + ", pointsSeen=" + pointsSeen + ", k=" + components()
                + ", weights=" + (mixture == null ? "warm-up" : Arrays.toString(mixture.weights)) + "}";
    }
}
