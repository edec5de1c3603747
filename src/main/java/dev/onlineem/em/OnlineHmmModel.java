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
 * <p>Deterministic, bit for bit; mutable, not thread-safe.
 */
public final class OnlineHmmModel extends PipelineModel {
    /** Smallest transition probability kept: a transition never seen stays possible (a regime can always return). */
    static final double MIN_TRANSITION = 1e-9;

    private GaussianHmm hmm;
    private double[] filter;          // phi_t, internal state order
    private double[] rhoQ;            // [i][j][k] flattened: K^3
    private SufficientStatistics[] rhoG; // per current state k: emission moments of every state i
    private int announced = -1;       // internal state last announced as the regime, -1 before the first
    private int candidate = -1;
    private int candidateRun;

    // work, never serialised
    private double[] resp;
    /** Each state's emission likelihood exp(log g - max) of the last point. */
    private double[] emission;
    /** The emissions' E-step of the last point, with the conditional moments its statistics and imputation take. */
    private EStepWork work;
    private double[] predicted;
    private double[] next;
    private double[] retro;           // [j][k] flattened: r(j | k)
    private double[] rhoQNext;
    private SufficientStatistics[] rhoGNext;
    private SufficientStatistics combined;
    private double[] unit;
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
        return hmm != null;
    }

    /** Number of states: the fitted one, or model.k (the least of model.k.range) during warm-up. */
    public int states() {
        return hmm == null ? settings.kMin() : hmm.k;
    }

    @Override
    void scoreAndLearn(double[] f, double[] x, PointResult out) {
        int k = hmm.k;
        boolean learnable = standardise(f);
        GaussianMixture g = hmm.emissions;
        g.eStep(z, resp, work); // per-state densities and the conditional moments of missing coordinates
        double max = GaussianHmm.max(work.componentLogDensities);
        double c = GaussianHmm.forwardStep(filter, null, hmm.transition, work.componentLogDensities, max, predicted, emission, next);
        double jacobian = work.missingCount > 0 ? observedLogScale(z) : logScaleSum;
        scorePoint(Math.log(c) + max - jacobian, k, out);
        if (learnable) {
            double gamma = settings.stepSize(t);
            learn(gamma, k);
            t++;
            lastStepSize = gamma;
            mStep();
            modelVersion = pointsSeen;
        } else {
            lastStepSize = 0;
        }
        System.arraycopy(next, 0, filter, 0, k);
        writeRegime(out, x, k);
        if (learnable && repairDue()) {
            out.repaired = checkStructure();
        }
        finishPoint(out);
    }

    /**
     * Drift repair's check ({@link DriftRepair#check}, {@link HmmSubject}): when a Baum-Welch fit of the window's older
     * half predicts its newer half better than the model, the fit of the whole window replaces the model's parameters,
     * statistics and filter, and online EM goes on from them. The regime announced keeps its rank. Returns whether the fit
     * replaced them.
     */
    private boolean checkStructure() {
        GaussianHmm.Fit fit = repair.check(new HmmSubject(hmm, settings.regularization(), settings.initRestarts()),
                repairSeed());
        if (fit == null) {
            return false;
        }
        int rank = announced < 0 ? -1 : rankOf(announced);
        seedFrom(fit);
        hmm.orderInto(order);
        announced = rank < 0 ? -1 : order[rank];
        candidate = -1;
        candidateRun = 0;
        modelVersion = pointsSeen;
        return true;
    }

    /**
     * The one-step predictive log-densities, in the data's units, of a sequence of points under the current parameters,
     * filtered from the stationary law of the transitions; the model is not modified. For a model without features (each row
     * is a point's feature vector).
     *
     * @param rows the points, oldest first. Not modified.
     */
    public double[] predictiveLogDensities(double[][] rows) {
        double[][] zs = standardised(rows);
        double[] ll = hmm.predictiveLogDensities(zs, 0);
        for (int i = 0; i < ll.length; i++) {
            ll[i] -= observedLogScale(zs[i]);
        }
        return ll;
    }

    /** Cappé's recursion for the auxiliary statistics, with the emission moments the last E-step staged. */
    private void learn(double gamma, int k) {
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

    /** Parameters from S_t = sum_k phi_t(k) rho_t(., k), with phi_t the filter after this point. */
    private void mStep() {
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
                combined.mStepComponent(hmm.emissions, i, total, settings.regularization(), 1 / settings.stepSize(t));
            } else {
                combined.mStepWeight(hmm.emissions, i, total); // a state out of use keeps its emission
            }
        }
    }

    private void writeRegime(PointResult out, double[] x, int k) {
        hmm.orderInto(order);
        int best = 0;
        for (int r = 0; r < k; r++) {
            out.responsibilities[r] = filter[order[r]];
            if (out.responsibilities[r] > out.responsibilities[best]) {
                best = r;
            }
        }
        out.cluster = best;
        out.regime = best;
        trackRegime(out, order[best], filter[order[best]]);
        out.impute(x, filter, work.expected(), k, center, scale);
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
        hmm.orderInto(order);
        announced = -1;
    }

    /** The parameters, the filter at the fit's last point and Cappe's statistics seeded from a batch fit. */
    private void seedFrom(GaussianHmm.Fit fit) {
        int d = featureDimension;
        hmm = fit.hmm;
        int k = hmm.k;
        filter = fit.filtered[fit.filtered.length - 1].clone();
        rhoQ = new double[k * k * k];
        rhoG = new SufficientStatistics[k];
        for (int kk = 0; kk < k; kk++) {
            rhoG[kk] = new SufficientStatistics(k, d, settings.covarianceType(), settings.distribution());
            rhoG[kk].addScaled(fit.statistics, 1);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    rhoQ[(i * k + j) * k + kk] = fit.transitionStatistics[i][j];
                }
            }
        }
    }

    @Override
    void allocateWork() {
        int k = hmm.k;
        int d = featureDimension;
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
        order = new int[k];
    }


    @Override
    public ModelSnapshot snapshot() {
        if (hmm == null) {
            return null;
        }
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
                + (hmm == null ? ", warm-up" : ", A=" + Arrays.deepToString(hmm.transition)) + "}";
    }

    // ---- online state ({@link StateCodec}): the number of states, t, the progress, initial law, transitions, emissions, the filter,
    // Cappe's auxiliary statistics, the regime announcer

    @Override
    int onlineStateSize() {
        int d = featureDimension;
        int k = hmm.k;
        int size = 4 + 8 + progressSize();      // k, t, progress
        size += 8 * (k + k * k);                 // initial, transitions
        size += hmm.emissions.parametersSize();  // emission weights, means, covariances (, df)
        size += 8 * k;                           // filter
        size += 8 * k * k * k;                   // rhoQ
        size += k * rhoG[0].serializedSize();    // rhoG
        size += 4 * 3;                           // announcer
        return repair == null ? size : size + repair.serializedSize();
    }

    @Override
    void writeOnlineState(ByteBuffer out) {
        int k = hmm.k;
        out.putInt(k).putLong(t);
        writeProgress(out);
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
        out.putInt(announced).putInt(candidate).putInt(candidateRun);
        if (repair != null) {
            repair.writeTo(out);
        }
    }

    /** Version 10 added the number of states (model.k.range), before which it was model.k; version 12 drift repair's window and detector. */
    @Override
    void readOnlineState(ByteBuffer in, byte version) {
        int d = featureDimension;
        int k = version >= StateFormat.VERSION_10 ? in.getInt() : settings.kMin();
        if (k < settings.kMin() || k > settings.kMax()) {
            throw new IllegalArgumentException(k + " states outside model.k.range " + settings.kMin() + ".." + settings.kMax());
        }
        t = in.getLong();
        readProgress(in);
        GaussianHmm h = new GaussianHmm(k, d, settings.covarianceType(), settings.distribution());
        getAll(in, h.initial);
        for (int i = 0; i < k; i++) {
            getAll(in, h.transition[i]);
        }
        h.emissions.readParameters(in);
        hmm = h;
        filter = getAll(in, new double[k]);
        rhoQ = getAll(in, new double[k * k * k]);
        rhoG = new SufficientStatistics[k];
        boolean emDf = version < StateFormat.VERSION_11; // format 10 kept EM's df statistic
        for (int kk = 0; kk < k; kk++) {
            rhoG[kk] = SufficientStatistics.readFrom(in, k, d, settings.covarianceType(), settings.distribution(), emDf);
            if (emDf) {
                rhoG[kk].restartDfStatistics(h.emissions, false);
            }
        }
        announced = in.getInt();
        candidate = in.getInt();
        candidateRun = in.getInt();
        if (settings.repairWindow() > 0) {
            // format 12 added an HMM's drift repair; an older HMM state starts it afresh
            repair = version >= StateFormat.VERSION_12 ? DriftRepair.readFrom(in, settings.repairWindow(), d, version)
                    : new DriftRepair(settings.repairWindow(), d);
        }
    }
}
