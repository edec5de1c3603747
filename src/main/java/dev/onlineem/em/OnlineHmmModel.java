package dev.onlineem.em;

import static dev.onlineem.em.base.StateFormat.getAll;
import static dev.onlineem.em.base.StateFormat.putAll;

import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.base.ModelSnapshot;
import dev.onlineem.em.base.StateFormat;
import dev.onlineem.em.density.EStepWork;
import dev.onlineem.em.density.InformationCriteria;
import dev.onlineem.em.features.FeatureStage;
import dev.onlineem.em.hmm.GaussianHmm;
import dev.onlineem.em.hmm.RegimeSettings;
import dev.onlineem.em.hmm.HmmSubject;
import dev.onlineem.em.mixture.BatchEm;
import dev.onlineem.em.mixture.DriftRepair;
import dev.onlineem.em.mixture.GaussianMixture;
import dev.onlineem.em.mixture.SufficientStatistics;
import dev.onlineem.em.scoring.AnomalyScorer;
import dev.onlineem.em.scoring.SurpriseSketch;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

/**
 * An online Gaussian hidden Markov model: regimes with persistence. The same pipeline as the mixture
 * (causal {@link FeatureStage}, warm-up buffer, standardised coordinates, {@link AnomalyScorer} on the
 * predictive surprise); the warm-up is Baum-Welch with restarts ({@link GaussianHmm#fit}), then every point
 * runs Cappé's online EM for HMMs (Cappé 2011, J. Comp. Graph. Stat. 20(3), algorithm 1):
 * <ul>
 *   <li>filter: phi_t(k) = P(S_t = k | y_1..t), updated as phi_t(k) ∝ sum_j phi_t-1(j) A_jk g_k(y_t) with the
 *       emission densities shifted by their maximum in log space (no underflow);</li>
 *   <li>auxiliary statistics rho_t(., k), one set per current state k, for the transition counts and the
 *       emission moments, blended with the retrospective probabilities r_t(j | k) = phi_t-1(j) A_jk / sum_j' ...:
 *       rho_t(., k) = gamma_t s(S_t-1, k, y_t) + (1 - gamma_t) sum_j rho_t-1(., j) r_t(j | k), with the same
 *       step sizes gamma_t as the mixture (half-life included);</li>
 *   <li>M-step after every point from S_t = sum_k phi_t(k) rho_t(., k).</li>
 * </ul>
 * The predictive density p(y_t | y_1..t-1) = sum_k (sum_j phi_t-1(j) A_jk) g_k(y_t) is the point's
 * logDensity. States are reported in ascending order of their first feature's mean, so regime 0 keeps its
 * meaning when internal indices would not. A change of regime is announced when the newly most probable
 * regime holds probability {@code regime.min.probability} for {@code regime.persistence} points.
 *
 * <p>Memory bank ({@code model.memory.bank}, with a half-life): a second chain learns the same points with the
 * stationary steps (t + t0)^-alpha, never below the half-life's floor, a memory that stays short where the main
 * chain's grows to the half-life's, and the point's logDensity is the two chains' predictive densities mixed by the
 * bank's weight: Bayes' rule on each point's two predictions, then a fixed share of 0.001 (Herbster &amp; Warmuth
 * 1998). Regimes, imputation, snapshots and drift repair (whose detector reads the main chain's own surprise) follow
 * the main chain, exactly as without the bank.
 *
 * <p>Deterministic, bit for bit; mutable, not thread-safe.
 */
public final class OnlineHmmModel extends PipelineModel {
    /** Smallest transition probability kept: a transition never seen stays possible (a regime can always return). */
    static final double MIN_TRANSITION = 1e-9;
    /** The bank's fixed share (Herbster &amp; Warmuth 1998): the weight each candidate keeps however badly it predicted. */
    static final double SHARE = 1e-3;

    /** The model's own chain, learning with the settings' steps (the half-life's memory). */
    private Chain main;
    /**
     * With a half-life, a second chain learning the same points with Cappe's stationary steps (t + t0)^-alpha, never below
     * the half-life's floor: a memory that stays short for hundreds of thousands of points, as the volatility of returns
     * needs. Null without a half-life (the two would be the same) and for states written before format 17.
     */
    private Chain fast;
    /** The main chain's weight in the bank's prediction (fixed share); the fast chain's is 1 - mainWeight. */
    private double mainWeight = 1;
    /**
     * With the fast chain, the long sketch of the main chain's own surprises (the scorer's lays out the bank's), whose
     * p-values drive drift repair's detector as they would without the bank.
     */
    private SurpriseSketch mainSketch;
    private int announced = -1;       // main chain's internal state last announced as the regime, -1 before the first
    private int candidate = -1;
    private int candidateRun;

    // work, never serialised
    private int[] order;

    public OnlineHmmModel(ModelSettings settings) {
        super(settings);
        if (settings.kind() != ModelKind.HMM) {
            throw new IllegalArgumentException("settings of model type " + settings.kind().label() + " given to an HMM");
        }
    }

    @Override
    public ModelKind kind() {
        return ModelKind.HMM;
    }

    @Override
    public boolean isInitialised() {
        return main != null;
    }

    /** Number of states: the fitted one, or model.k (the least of model.k.range) during warm-up. */
    public int states() {
        return main == null ? settings.kMin() : main.hmm.k;
    }

    /** The main chain's weight in the prediction: 1 without a fast chain. */
    public double mainWeight() {
        return mainWeight;
    }

    /** Whether a second chain with a shorter memory learns beside the model's own (with a half-life, from format 17). */
    public boolean hasFastChain() {
        return fast != null;
    }

    @Override
    void scoreAndLearn(double[] f, double[] x, PointResult out) {
        int k = main.hmm.k;
        boolean learnable = standardise(f);
        double logMain = main.predict(z);
        double logPredictive = logMain;
        double logFast = 0;
        if (fast != null) {
            logFast = fast.predict(z);
            double m = Math.max(logMain, logFast);
            logPredictive = m == Double.NEGATIVE_INFINITY ? m
                    : m + Math.log(mainWeight * Math.exp(logMain - m) + (1 - mainWeight) * Math.exp(logFast - m));
        }
        double jacobian = main.work.missingCount > 0 ? observedLogScale(z) : logScaleSum;
        scorePoint(logPredictive - jacobian, k, out);
        if (fast != null) {
            // drift repair judges the main chain, whose memory is the half-life's, by that chain's own surprise as it would
            // without the bank: the fast chain's quick adaptation would hide a wrong structure from it
            double surprise = -(logMain - jacobian);
            mainSketch.logPValue(surprise);
            score.driftPValue = mainSketch.lastPValue();
            mainSketch.add(surprise);
        }
        if (learnable) {
            double gamma = settings.stepSize(t);
            main.learn(gamma);
            if (fast != null) {
                fast.learn(fastStepSize(t));
                // Bayes' rule on the point's two predictions, then the fixed share; a point neither chain could
                // predict (a log-density of -infinity or NaN) says nothing about which is better
                double posterior = mainWeight * Math.exp(logMain - logPredictive);
                if (Double.isFinite(posterior)) {
                    mainWeight = (1 - SHARE) * posterior + SHARE / 2;
                }
            }
            t++;
            lastStepSize = gamma;
            main.mStep(settings.regularization(), 1 / settings.stepSize(t));
            if (fast != null) {
                fast.mStep(settings.regularization(), 1 / fastStepSize(t));
            }
            modelVersion = pointsSeen;
        } else {
            lastStepSize = 0;
        }
        main.advance();
        if (fast != null) {
            fast.advance();
        }
        writeRegime(out, x, k);
        if (learnable && repairDue()) {
            out.repaired = checkStructure();
        }
        finishPoint(out);
    }

    /** The fast chain's step: Cappe's stationary (t + t0)^-alpha, never below the half-life's floor. */
    private double fastStepSize(long step) {
        return Math.max(settings.stationaryStepSize(step), settings.stepSize(step));
    }

    /**
     * Drift repair's check ({@link DriftRepair#check}, {@link HmmSubject}): when a Baum-Welch fit of the window's older
     * half predicts its newer half better than the model, the fit of the whole window replaces the model's parameters,
     * statistics and filter (both chains', the bank starting again at even weights), and online EM goes on from them.
     * The regime announced keeps its rank. Returns whether the fit replaced them.
     */
    private boolean checkStructure() {
        GaussianHmm.Fit fit = repair.check(new HmmSubject(main.hmm, settings.regularization(), settings.initRestarts()),
                repairSeed());
        if (fit == null) {
            return false;
        }
        int rank = announced < 0 ? -1 : rankOf(announced);
        seedFrom(fit);
        main.hmm.orderInto(order);
        announced = rank < 0 ? -1 : order[rank];
        candidate = -1;
        candidateRun = 0;
        modelVersion = pointsSeen;
        return true;
    }

    /**
     * The one-step predictive log-densities, in the data's units, of a sequence of points under the main chain's
     * parameters, filtered from the stationary law of the transitions; the model is not modified. For a model
     * without features (each row is a point's feature vector).
     *
     * @param rows the points, oldest first. Not modified.
     */
    public double[] predictiveLogDensities(double[][] rows) {
        double[][] zs = standardised(rows);
        double[] ll = main.hmm.predictiveLogDensities(zs, 0);
        for (int i = 0; i < ll.length; i++) {
            ll[i] -= observedLogScale(zs[i]);
        }
        return ll;
    }

    /**
     * The regime probabilities, the regime and the imputation, from the main chain: regimes with the half-life's memory,
     * which the bank leaves as they would be without it.
     */
    private void writeRegime(PointResult out, double[] x, int k) {
        main.hmm.orderInto(order);
        int best = 0;
        for (int r = 0; r < k; r++) {
            out.responsibilities[r] = main.filter[order[r]];
            if (out.responsibilities[r] > out.responsibilities[best]) {
                best = r;
            }
        }
        out.cluster = best;
        out.regime = best;
        trackRegime(out, order[best], main.filter[order[best]]);
        out.impute(x, main.filter, main.work.expected(), k, center, scale);
    }

    /** Announces a regime once it is the most probable with at least min.probability for persistence points. */
    private void trackRegime(PointResult out, int state, double p) {
        RegimeSettings rs = settings.regime();
        if (state == announced || p < rs.minProbability()) {
            candidate = -1;
            candidateRun = 0;
            return;
        }
        if (state == candidate) {
            candidateRun++;
        } else {
            candidate = state;
            candidateRun = 1;
        }
        if (candidateRun >= rs.persistence()) {
            out.regimeChanged = true;
            out.previousRegime = announced < 0 ? -1 : rankOf(announced);
            out.regimeProbability = p;
            announced = state;
            candidate = -1;
            candidateRun = 0;
        }
    }

    private int rankOf(int state) {
        for (int r = 0; r < order.length; r++) {
            if (order[r] == state) {
                return r;
            }
        }
        return -1;
    }

    /**
     * Ends warm-up: standardises the buffer, fits it by Baum-Welch with restarts (each number of states of
     * {@code model.k.range}, keeping the lowest BIC), and seeds the online statistics.
     */
    @Override
    void initialise() {
        double[][] data = standardisedBuffer();
        int n = data.length;
        GaussianHmm.Fit fit = null;
        double bestBic = Double.POSITIVE_INFINITY;
        for (int states = settings.kMin(); states <= Math.min(settings.kMax(), n / 2); states++) {
            GaussianHmm.Fit f = GaussianHmm.fit(data, states, settings.covarianceType(), settings.distribution(), GaussianHmm.Initial.FREE,
                    settings.regularization(), settings.initRestarts(), settings.initMaxIterations(), BatchEm.WARMUP_TOLERANCE,
                    new Random(settings.seed()));
            double bic = InformationCriteria.bic(f.logLikelihood, f.freeParameters(GaussianHmm.Initial.FREE), n);
            if (fit == null || bic < bestBic) {
                fit = f;
                bestBic = bic;
            }
        }
        seedFrom(fit);
        startRepair();
        allocateWork();
        // the warm-up's one-step predictive surprises, from the fit's own forward pass, lay out the scorer
        double[] surprises = new double[n];
        for (int i = 0; i < n; i++) {
            surprises[i] = -(fit.stepLogLikelihoods[i] - observedLogScale(data[i]));
        }
        endWarmup(surprises);
        if (fast != null) {
            mainSketch = SurpriseSketch.withHalfLife(settings.scoring().halfLife());
            mainSketch.initialise(surprises);
        }
        main.hmm.orderInto(order);
        announced = -1;
    }

    /**
     * Both chains' parameters, filter and Cappe's statistics seeded from a batch fit (the fast chain with a half-life), the
     * bank at even weights.
     */
    private void seedFrom(GaussianHmm.Fit fit) {
        main = Chain.seededFrom(fit, featureDimension, settings);
        fast = settings.memoryBank() && settings.gammaMin() > 0 ? Chain.seededFrom(fit, featureDimension, settings) : null;
        mainWeight = fast != null ? 0.5 : 1;
        if (order != null) {
            allocateWork(); // a repair's new chains need their work; at the end of warm-up initialise() allocates it
        }
    }

    @Override
    void allocateWork() {
        int k = main.hmm.k;
        order = new int[k];
        main.allocate(featureDimension, settings);
        if (fast != null) {
            fast.allocate(featureDimension, settings);
        }
    }

    @Override
    public ModelSnapshot snapshot() {
        if (main == null) {
            return null;
        }
        GaussianHmm hmm = main.hmm;
        int k = hmm.k;
        int d = featureDimension;
        int[] o = hmm.order();
        double[][] means = new double[k][d];
        double[][][] covs = new double[k][d][d];
        double[][] a = new double[k][k];
        double[] init = new double[k];
        double[] durations = new double[k];
        double[] pi = GaussianHmm.stationary(hmm.transition);
        double[] weights = new double[k];
        double[] dur = hmm.expectedDurations();
        for (int r = 0; r < k; r++) {
            int s = o[r];
            weights[r] = pi[s];
            init[r] = hmm.initial[s];
            durations[r] = dur[s];
            for (int r2 = 0; r2 < k; r2++) {
                a[r][r2] = hmm.transition[s][o[r2]];
            }
            toDataUnits(hmm.emissions, s, means[r], covs[r]);
        }
        return new ModelSnapshot(ModelKind.HMM, d, featureNames(), hmm.emissions.type, modelVersion, pointsSeen, weights,
                means, covs, avgLogLikelihood, lastStepSize, a, init, durations, hmm.emissions.degreesOfFreedom(o));
    }

    @Override
    public String toString() {
        return "OnlineHmmModel{d=" + dimension() + ", pointsSeen=" + pointsSeen + ", states=" + states()
                + (main == null ? ", warm-up" : ", A=" + Arrays.deepToString(main.hmm.transition)) + "}";
    }

    // ---- online state ({@link StateCodec}): the number of states, t, the progress, the main chain (initial law,
    // transitions, emissions, the filter, Cappe's auxiliary statistics), the regime announcer, drift repair, and from
    // format 17 a flag, then the fast chain and the main chain's weight

    @Override
    int onlineStateSize() {
        int size = 4 + 8 + progressSize();      // k, t, progress
        size += main.serializedSize();
        size += 4 * 3;                           // announcer
        size += repair == null ? 0 : repair.serializedSize();
        return size + 1 + (fast == null ? 0 : fast.serializedSize() + 8 + mainSketch.serializedSize());
    }

    @Override
    void writeOnlineState(ByteBuffer out) {
        out.putInt(main.hmm.k).putLong(t);
        writeProgress(out);
        main.writeTo(out);
        out.putInt(announced).putInt(candidate).putInt(candidateRun);
        if (repair != null) {
            repair.writeTo(out);
        }
        out.put((byte) (fast == null ? 0 : 1));
        if (fast != null) {
            fast.writeTo(out);
            out.putDouble(mainWeight);
            mainSketch.writeTo(out);
        }
    }

    /**
     * Version 10 added the number of states (model.k.range), before which it was model.k; version 12 drift repair's
     * window and detector; version 17 the fast chain (an older state goes on without it, as it did).
     */
    @Override
    void readOnlineState(ByteBuffer in, byte version) {
        int d = featureDimension;
        int k = version >= StateFormat.VERSION_10 ? in.getInt() : settings.kMin();
        if (k < settings.kMin() || k > settings.kMax()) {
            throw new IllegalArgumentException(k + " states outside model.k.range " + settings.kMin() + ".." + settings.kMax());
        }
        t = in.getLong();
        readProgress(in);
        main = Chain.readFrom(in, k, d, settings, version);
        announced = in.getInt();
        candidate = in.getInt();
        candidateRun = in.getInt();
        if (settings.repairWindow() > 0) {
            // format 12 added an HMM's drift repair; an older HMM state starts it afresh
            repair = version >= StateFormat.VERSION_12 ? DriftRepair.readFrom(in, settings.repairWindow(), d, version)
                    : new DriftRepair(settings.repairWindow(), d);
        }
        fast = null;
        mainWeight = 1;
        if (version >= StateFormat.VERSION_17 && in.get() != 0) {
            fast = Chain.readFrom(in, k, d, settings, version);
            mainWeight = in.getDouble();
            mainSketch = SurpriseSketch.readFrom(in);
        }
    }

    /**
     * One HMM learning by Cappe's recursion: its parameters, its filter and its auxiliary statistics, with the work of a
     * point (never serialised).
     */
    private static final class Chain {
        GaussianHmm hmm;
        double[] filter;             // phi_t, internal state order
        double[] rhoQ;               // [i][j][k] flattened: K^3
        SufficientStatistics[] rhoG; // per current state k: emission moments of every state i

        private double[] resp;
        /** Each state's emission likelihood exp(log g - max) of the last point. */
        private double[] emission;
        /** The emissions' E-step of the last point, with the conditional moments its statistics and imputation take. */
        EStepWork work;
        private double[] predicted;
        private double[] next;
        private double[] retro;      // [j][k] flattened: r(j | k)
        private double[] rhoQNext;
        private SufficientStatistics[] rhoGNext;
        private SufficientStatistics combined;
        private double[] unit;

        /** The parameters, the filter at the fit's last point and Cappe's statistics seeded from a batch fit. */
        static Chain seededFrom(GaussianHmm.Fit fit, int d, ModelSettings settings) {
            Chain c = new Chain();
            c.hmm = fit.hmm.copy();
            int k = c.hmm.k;
            c.filter = fit.filtered[fit.filtered.length - 1].clone();
            c.rhoQ = new double[k * k * k];
            c.rhoG = new SufficientStatistics[k];
            for (int kk = 0; kk < k; kk++) {
                c.rhoG[kk] = new SufficientStatistics(k, d, settings.covarianceType(), settings.distribution());
                c.rhoG[kk].addScaled(fit.statistics, 1);
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        c.rhoQ[(i * k + j) * k + kk] = fit.transitionStatistics[i][j];
                    }
                }
            }
            return c;
        }

        void allocate(int d, ModelSettings settings) {
            int k = hmm.k;
            resp = new double[k];
            emission = new double[k];
            work = new EStepWork(k, d, true);
            predicted = new double[k];
            next = new double[k];
            retro = new double[k * k];
            rhoQNext = new double[k * k * k];
            rhoGNext = new SufficientStatistics[k];
            for (int kk = 0; kk < k; kk++) {
                rhoGNext[kk] = new SufficientStatistics(k, d, settings.covarianceType(), settings.distribution());
            }
            combined = new SufficientStatistics(k, d, settings.covarianceType(), settings.distribution());
            unit = new double[k];
        }

        /**
         * The log predictive density of the standardised point z, log sum_k (sum_j phi_t-1(j) A_jk) g_k(z), staging the
         * E-step (densities and the conditional moments of missing coordinates) and the filter after the point.
         */
        double predict(double[] z) {
            hmm.emissions.eStep(z, resp, work);
            double max = GaussianHmm.max(work.componentLogDensities);
            double c = GaussianHmm.forwardStep(filter, null, hmm.transition, work.componentLogDensities, max, predicted, emission, next);
            return Math.log(c) + max;
        }

        /** The filter moves on to the point just predicted. */
        void advance() {
            System.arraycopy(next, 0, filter, 0, filter.length);
        }

        /** Cappe's recursion for the auxiliary statistics, with the emission moments the last E-step staged. */
        void learn(double gamma) {
            int k = hmm.k;
            // r(j | k) = phi_t-1(j) A_jk / predicted_k
            for (int kk = 0; kk < k; kk++) {
                double p = predicted[kk];
                for (int j = 0; j < k; j++) {
                    retro[j * k + kk] = p > 0 ? filter[j] * hmm.transition[j][kk] / p : 1.0 / k;
                }
            }
            double keep = 1 - gamma;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    int base = (i * k + j) * k;
                    for (int kk = 0; kk < k; kk++) {
                        double s = 0;
                        for (int jj = 0; jj < k; jj++) {
                            s += rhoQ[base + jj] * retro[jj * k + kk];
                        }
                        double v = keep * s;
                        if (j == kk) {
                            v += gamma * retro[i * k + kk];
                        }
                        rhoQNext[base + kk] = v;
                    }
                }
            }
            System.arraycopy(rhoQNext, 0, rhoQ, 0, rhoQ.length);
            for (int kk = 0; kk < k; kk++) {
                SufficientStatistics target = rhoGNext[kk];
                target.clear();
                for (int jj = 0; jj < k; jj++) {
                    target.addScaled(rhoG[jj], keep * retro[jj * k + kk]);
                }
                Arrays.fill(unit, 0);
                unit[kk] = 1;
                target.blend(1, gamma, unit, work);
            }
            SufficientStatistics[] swap = rhoG;
            rhoG = rhoGNext;
            rhoGNext = swap;
        }

        /**
         * Parameters from S_t = sum_k phi_t(k) rho_t(., k), with phi_t the filter after this point.
         *
         * @param memory 1 / the step just taken, the statistics' memory in points
         */
        void mStep(double regularization, double memory) {
            int k = hmm.k;
            combined.clear();
            for (int kk = 0; kk < k; kk++) {
                combined.addScaled(rhoG[kk], next[kk]);
            }
            for (int i = 0; i < k; i++) {
                double row = 0;
                for (int j = 0; j < k; j++) {
                    double s = 0;
                    int base = (i * k + j) * k;
                    for (int kk = 0; kk < k; kk++) {
                        s += rhoQ[base + kk] * next[kk];
                    }
                    hmm.transition[i][j] = Math.max(s, 0);
                    row += hmm.transition[i][j];
                }
                double norm = 0;
                for (int j = 0; j < k; j++) {
                    double a = row > 0 ? hmm.transition[i][j] / row : 1.0 / k;
                    hmm.transition[i][j] = Math.max(a, MIN_TRANSITION);
                    norm += hmm.transition[i][j];
                }
                for (int j = 0; j < k; j++) {
                    hmm.transition[i][j] /= norm;
                }
            }
            double total = combined.totalWeight();
            for (int i = 0; i < k; i++) {
                if (combined.s0[i] > 1e-12 * total) {
                    combined.mStepComponent(hmm.emissions, i, total, regularization, memory);
                } else {
                    combined.mStepWeight(hmm.emissions, i, total); // a state out of use keeps its emission
                }
            }
        }

        int serializedSize() {
            int k = hmm.k;
            int size = 8 * (k + k * k);              // initial, transitions
            size += hmm.emissions.parametersSize();  // emission weights, means, covariances (, df)
            size += 8 * k;                           // filter
            size += 8 * k * k * k;                   // rhoQ
            return size + k * rhoG[0].serializedSize();
        }

        void writeTo(ByteBuffer out) {
            int k = hmm.k;
            putAll(out, hmm.initial);
            for (int i = 0; i < k; i++) {
                putAll(out, hmm.transition[i]);
            }
            hmm.emissions.writeParameters(out);
            putAll(out, filter);
            putAll(out, rhoQ);
            for (SufficientStatistics s : rhoG) {
                s.writeTo(out);
            }
        }

        static Chain readFrom(ByteBuffer in, int k, int d, ModelSettings settings, byte version) {
            Chain c = new Chain();
            GaussianHmm h = new GaussianHmm(k, d, settings.covarianceType(), settings.distribution());
            getAll(in, h.initial);
            for (int i = 0; i < k; i++) {
                getAll(in, h.transition[i]);
            }
            h.emissions.readParameters(in);
            c.hmm = h;
            c.filter = getAll(in, new double[k]);
            c.rhoQ = getAll(in, new double[k * k * k]);
            c.rhoG = new SufficientStatistics[k];
            boolean emDf = version < StateFormat.VERSION_11; // format 10 kept EM's df statistic
            for (int kk = 0; kk < k; kk++) {
                c.rhoG[kk] = SufficientStatistics.readFrom(in, k, d, settings.covarianceType(), settings.distribution(), emDf);
                if (emDf) {
                    c.rhoG[kk].restartDfStatistics(h.emissions, false);
                }
            }
            return c;
        }
    }
}
