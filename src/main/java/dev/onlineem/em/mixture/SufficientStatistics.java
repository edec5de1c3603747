package dev.onlineem.em.mixture;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.base.StateFormat;
import dev.onlineem.em.density.Covariance;
import dev.onlineem.em.density.Distribution;
import dev.onlineem.em.density.EStepWork;
import dev.onlineem.em.density.StudentTails;
import dev.onlineem.em.density.Tails;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Normalised sufficient statistics of a mixture, per component k: s0_k (a weight),
 * s1_k (a d-vector) and s2_k (the second moment: full d x d lower triangle, a diagonal, or a trace,
 * by covariance type). Batch EM accumulates them with weight 1/n; online EM blends each point in
 * with step size gamma ({@link #step}). Student-t components ({@link StudentTails}) weight s1 and the x x' part of
 * s2 by the point's u as well as r, and keep three more: su_k, the r u weight their mean divides by, and sdf_k and
 * sdfInformation_k, their degrees of freedom's linearised score and information ({@link StudentTails}).
 *
 * <p>The statistics are {@link #scale} times the stored arrays. Batch EM keeps the scale at 1. Online EM's
 * step decays every statistic by 1 - gamma: that is one multiplication of the scale, and only the
 * components that take a share of the point touch their arrays. Everything derived from the statistics
 * (means, covariances, weights) is a ratio of them, so the scale cancels. Mutable; not thread-safe.
 */
public final class SufficientStatistics {
    final int k;
    final int d;
    final CovarianceType type;
    final Covariance covariance;
    public final double[] s0;
    final double[][] s1;
    final double[][] s2;
    /** Student-t: sum r u per component; null for Gaussians (where it is s0). */
    final double[] su;
    /** Student-t: the degrees of freedom's statistic per component, sum r (g + I ln nu); null for Gaussians. */
    final double[] sdf;
    /** Student-t: the degrees of freedom's information per component, sum r I; null for Gaussians. */
    final double[] sdfInformation;
    /** The statistics are scale times s0, s1, s2 (and su, sdf, sdfInformation). */
    public double scale = 1;

    /** Statistics of Gaussian components. */
    public SufficientStatistics(int k, int d, CovarianceType type) {
        this(k, d, type, Distribution.GAUSSIAN);
    }

    public SufficientStatistics(int k, int d, CovarianceType type, Distribution distribution) {
        this.k = k;
        this.d = d;
        this.type = type;
        this.covariance = Covariance.of(type, d);
        this.s0 = new double[k];
        this.s1 = new double[k][d];
        this.s2 = new double[k][covariance.storedLength()];
        boolean weighted = distribution.studentT();
        this.su = weighted ? new double[k] : null;
        this.sdf = weighted ? new double[k] : null;
        this.sdfInformation = weighted ? new double[k] : null;
    }

    /** Empty statistics of the mixture's shape and family. */
    public static SufficientStatistics of(GaussianMixture g) {
        return new SufficientStatistics(g.k, g.d, g.type, g.distribution());
    }

    private Distribution distribution() {
        return su == null ? Distribution.GAUSSIAN : Distribution.STUDENT_T;
    }

    /** Sets every statistic to zero. */
    public void clear() {
        scale = 1;
        Arrays.fill(s0, 0);
        if (su != null) {
            Arrays.fill(su, 0);
            Arrays.fill(sdf, 0);
            Arrays.fill(sdfInformation, 0);
        }
        for (int c = 0; c < k; c++) {
            Arrays.fill(s1[c], 0);
            Arrays.fill(s2[c], 0);
        }
    }

    /**
     * s = keep * s + gain * r_k * T_k(x), where T_k(x) = (1, x_hat_k, x_hat_k x_hat_k' + C_k) uses the
     * point and conditional moments an E-step left in {@code work} (for a Student-t component
     * T_k(x) = (1, u, u x_hat_k, u x_hat_k x_hat_k' + C_k, the df term), with its weight u of the point).
     * Online EM: keep = 1 - gamma, gain = gamma. Batch EM: keep = 1, gain = 1/n.
     *
     * @param resp responsibilities of the point. Not modified.
     * @param work the point's E-step, made with moments: the source of x_hat_k and C_k. Not modified.
     */
    public void blend(double keep, double gain, double[] resp, EStepWork work) {
        for (int c = 0; c < k; c++) {
            blendComponent(c, keep, gain * resp[c], work);
        }
    }

    /** Component c's part of {@link #blend}, with w = gain r_c. */
    private void blendComponent(int c, double keep, double w, EStepWork work) {
        int nm = work.missingCount;
        double[] x = nm == 0 ? work.point : work.moments.expected[c];
        // s0 += gamma (r - s0)
        s0[c] = keep * s0[c] + w;
        double wu = w * work.u[c]; // u is 1 for a Gaussian: wu == w exactly
        if (su != null) {
            su[c] = keep * su[c] + wu;
            sdf[c] = keep * sdf[c] + w * work.dfTerms[c];
            sdfInformation[c] = keep * sdfInformation[c] + w * work.dfInformation[c];
        }
        double[] m1 = s1[c];
        double[] m2 = s2[c];
        // s1 += gamma (r u x - s1)
        for (int j = 0; j < d; j++) {
            m1[j] = keep * m1[j] + wu * x[j];
        }
        // s2 += gamma (r (u x x' + C) - s2)
        covariance.accumulate(m2, keep, wu, w, x, work.missing, nm, work.moments.covariance[c]);
    }

    /**
     * Online EM's step, s = (1 - gamma) s + gamma r_k T_k(x): the scale takes the decay, and a component's arrays
     * take the point only where its share gamma r_k is more than {@link #NEGLIGIBLE_SHARE} of its weight
     * (below that, adding it would not change a bit of s0_k, and could change s1_k or s2_k by no more than
     * the same fraction of a far point's moments). When the scale runs low, it is folded into the arrays.
     *
     * @param resp responsibilities of the point. Not modified.
     * @param work source of x_hat_k and C_k, as for {@link #blend}. Not modified.
     */
    public void step(double gamma, double[] resp, EStepWork work) {
        double keep = 1 - gamma;
        if (!(scale * keep >= RESCALE_BELOW)) {
            fold();
            if (!(keep > 0)) { // gamma = 1: the point replaces the statistics
                clear();
                blend(0, gamma, resp, work);
                return;
            }
        }
        scale *= keep;
        double gain = gamma / scale;
        for (int c = 0; c < k; c++) {
            double w = gain * resp[c];
            if (w > NEGLIGIBLE_SHARE * s0[c]) {
                blendComponent(c, 1, w, work);
            }
        }
    }

    /** A component's share of a point below this fraction of its weight is not added to its statistics. */
    static final double NEGLIGIBLE_SHARE = 0x1p-60;
    /** The scale is folded into the arrays before it drops below this. */
    static final double RESCALE_BELOW = 1e-100;

    /** Multiplies the scale into the arrays (the statistics unchanged, the scale 1). */
    public void fold() {
        if (scale != 1) {
            for (int c = 0; c < k; c++) {
                scaleComponent(c, scale);
            }
            scale = 1;
        }
    }

    /** The statistic s0_c (the stored value times the scale). */
    public double weight(int c) {
        return s0[c] * scale;
    }

    /**
     * s += factor * other, statistic by statistic (same K, d and covariance type), whatever either's scale: other's stored
     * arrays are added with factor * other.scale / scale (exactly factor when both scales are 1, as in batch EM and the HMM).
     *
     * @param other not modified
     */
    public void addScaled(SufficientStatistics other, double factor) {
        double f = factor * other.scale / scale;
        for (int c = 0; c < k; c++) {
            s0[c] += f * other.s0[c];
            if (su != null) {
                su[c] += f * other.su[c];
                sdf[c] += f * other.sdf[c];
                sdfInformation[c] += f * other.sdfInformation[c];
            }
            double[] a = s1[c];
            double[] b = other.s1[c];
            for (int j = 0; j < d; j++) {
                a[j] += f * b[j];
            }
            a = s2[c];
            b = other.s2[c];
            for (int j = 0; j < a.length; j++) {
                a[j] += f * b[j];
            }
        }
    }

    /**
     * s = (1 - w) s + w other, statistic by statistic (same K, d and covariance type, any scales). Each stored value is
     * rounded as in the fused form {@code keep * a + w * b}: the decay, then the addition.
     *
     * @param other not modified
     */
    public void moveToward(SufficientStatistics other, double w) {
        for (int c = 0; c < k; c++) {
            scaleComponent(c, 1 - w);
        }
        addScaled(other, w);
    }

    /** A copy of these statistics, with scale 1. */
    public SufficientStatistics copy() {
        SufficientStatistics s = new SufficientStatistics(k, d, type, distribution());
        s.addScaled(this, 1);
        return s;
    }

    /** Sum of the stored component weights s0 (1 for normalised statistics with scale 1, up to round-off). */
    public double totalWeight() {
        double t = 0;
        for (double v : s0) {
            t += v;
        }
        return t;
    }

    /**
     * Closed-form M-step for every component: pi_k = s0_k / sum s0, mu_k = s1_k / s0_k,
     * Sigma_k = s2_k / s0_k - mu_k mu_k' + reg I; then the mixture's factors are refreshed. Student-t:
     * mu_k = s1_k / su_k, Sigma_k = (s2_k - su_k mu_k mu_k') / s0_k + reg I, and ln nu_k = sdf_k / sdfInformation_k ({@link StudentTails}).
     *
     * @param mixture receives the parameters. Modified.
     */
    public void mStep(GaussianMixture mixture, double reg) {
        mStep(mixture, reg, Double.POSITIVE_INFINITY);
    }

    /** {@link #mStep(GaussianMixture, double)} with the statistics' memory of {@link #mStepComponent(GaussianMixture, int, double, double, double)}. */
    void mStep(GaussianMixture mixture, double reg, double memory) {
        double total = totalWeight();
        for (int c = 0; c < k; c++) {
            mStepComponent(mixture, c, total, reg, memory);
        }
    }

    public void mStepComponent(GaussianMixture mixture, int c, double total, double reg) {
        mStepComponent(mixture, c, total, reg, Double.POSITIVE_INFINITY);
    }

    /**
     * Effective points per mean and covariance parameter a Student-t component's statistics must hold before online EM
     * moves its degrees of freedom. With fewer, the covariance is estimated from few points, the next points' predictive
     * distances come out too large and their weights u too small, and the df estimate falls; lower df shrink the weights
     * further (K=8, d=16 with the default steps: every df at 0.5 within 2,000 points of Gaussian data, where batch EM
     * gives 200).
     */
    static final double DF_POINTS_PER_PARAMETER = 10;

    /**
     * {@link #mStepComponent(GaussianMixture, int, double, double)} for online EM, whose statistics hold about
     * {@code memory} points (1 / gamma): a t component's degrees of freedom move only once its share of them reaches
     * {@link #DF_POINTS_PER_PARAMETER} per mean and covariance parameter, and keep their value until then.
     */
    public void mStepComponent(GaussianMixture mixture, int c, double total, double reg, double memory) {
        double w = Math.max(s0[c], Double.MIN_NORMAL);
        mixture.weights[c] = w / total;
        double wu = su == null ? w : Math.max(su[c], Double.MIN_NORMAL);
        double[] mu = mixture.means[c];
        for (int j = 0; j < d; j++) {
            mu[j] = s1[c][j] / wu;
        }
        covariance.mStep(s2[c], w, su == null ? 1 : wu / w, mu, reg, mixture.covariances[c]);
        if (su != null && w / total * memory >= DF_POINTS_PER_PARAMETER * (d + covariance.parameters())) {
            mixture.tails.mStepDf(c, s0[c], sdf[c], sdfInformation[c]);
        }
        mixture.refresh(c);
    }

    /** pi_c = s0_c / total only; mean and covariance stay as they are. */
    public void mStepWeight(GaussianMixture mixture, int c, double total) {
        mixture.weights[c] = Math.max(s0[c], Double.MIN_NORMAL) / total;
    }

    /** Scales component c's statistics by {@code factor}. */
    void scaleComponent(int c, double factor) {
        s0[c] *= factor;
        if (su != null) {
            su[c] *= factor;
            sdf[c] *= factor;
            sdfInformation[c] *= factor;
        }
        for (int j = 0; j < d; j++) {
            s1[c][j] *= factor;
        }
        double[] m2 = s2[c];
        for (int j = 0; j < m2.length; j++) {
            m2[j] *= factor;
        }
    }

    /**
     * Sets component c's statistics to those of a component with weight w, mean mu and covariance Sigma
     * taken from {@code mixture}'s component {@code from}: s0 = w, s1 = w mu, s2 = w (Sigma + mu mu') (Student-t: su = w,
     * and the df statistic that keeps the degrees of freedom of {@code from}).
     */
    public void setComponent(int c, double w, double[] mu, GaussianMixture mixture, int from) {
        s0[c] = w;
        if (su != null) {
            su[c] = w;
            setNeutralDf(c, mixture.tails, from, w);
        }
        for (int j = 0; j < d; j++) {
            s1[c][j] = w * mu[j];
        }
        covariance.secondMoment(s2[c], w, mu, mixture.covariances[from]);
    }

    /** Writes s0, then s1 and s2 of each component, then (Student-t) su, sdf and sdfInformation; not the scale. */
    public void writeTo(ByteBuffer out) {
        StateFormat.putAll(out, s0);
        for (int c = 0; c < k; c++) {
            StateFormat.putAll(out, s1[c]);
            StateFormat.putAll(out, s2[c]);
        }
        if (su != null) {
            StateFormat.putAll(out, su);
            StateFormat.putAll(out, sdf);
            StateFormat.putAll(out, sdfInformation);
        }
    }

    /** Bytes {@link #writeTo} writes. */
    public int serializedSize() {
        return 8 * k * (1 + d + covariance.storedLength()) + (su == null ? 0 : 24 * k);
    }

    /** Reads {@link #writeTo}'s part into new statistics of that shape and family. */
    public static SufficientStatistics readFrom(ByteBuffer in, int k, int d, CovarianceType type, Distribution distribution) {
        return readFrom(in, k, d, type, distribution, false);
    }

    /**
     * {@link #readFrom(ByteBuffer, int, int, CovarianceType, Distribution)}, or, with {@code emDfStatistic}, the part as
     * state format 10 wrote it: su and EM's df statistic (the r-weighted mean of ln u - u + psi((nu + p) / 2) - ln((nu + p) / 2)),
     * is read into sdf, where {@link #restartDfStatistics} must replace it.
     */
    public static SufficientStatistics readFrom(ByteBuffer in, int k, int d, CovarianceType type, Distribution distribution,
                                                boolean emDfStatistic) {
        SufficientStatistics s = new SufficientStatistics(k, d, type, distribution);
        StateFormat.getAll(in, s.s0);
        for (int c = 0; c < k; c++) {
            StateFormat.getAll(in, s.s1[c]);
            StateFormat.getAll(in, s.s2[c]);
        }
        if (s.su != null) {
            StateFormat.getAll(in, s.su);
            StateFormat.getAll(in, s.sdf);
            if (!emDfStatistic) {
                StateFormat.getAll(in, s.sdfInformation);
            }
        }
        return s;
    }

    /** Component c's df statistics: those of weight w at the df of {@code tails}' component {@code from}, where its score is zero. */
    void setNeutralDf(int c, Tails tails, int from, double w) {
        sdf[c] = tails.neutralDfStatistic(from, w);
        sdfInformation[c] = tails.neutralDfInformation(from, w);
    }

    /**
     * How the statistics of a state of format 10, which kept EM's df statistic (read into sdf), go on: every t component's
     * df statistics become those of its weight s0_c at a df where its score is zero (the information of s0_c points).
     * That df is the mixture's, or with {@code ownDf} (averaged statistics, whose df are their own) the one EM's statistic
     * gave ({@link StudentTails#emDfRoot}).
     */
    public void restartDfStatistics(GaussianMixture mixture, boolean ownDf) {
        if (su == null) {
            return;
        }
        Tails at = ownDf ? mixture.tails.copy() : mixture.tails;
        for (int c = 0; c < k; c++) {
            if (ownDf && mixture.distribution().estimatesDf()) {
                at.setDf(c, StudentTails.emDfRoot(s0[c], sdf[c], mixture.tails.df(c)));
            }
            setNeutralDf(c, at, c, s0[c]);
        }
    }
}
