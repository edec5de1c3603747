package dev.onlineem.em.density;

import dev.onlineem.em.base.CovarianceType;

/**
 * How a component holds its covariance: one implementation per {@link CovarianceType} (full, diagonal, spherical), each
 * owning its storage layout, its factorisation, the log-density it gives a point (whole or with coordinates missing),
 * its part of the sufficient statistics, its M-step and its shrinkage. {@link #of} is the one place that chooses by type;
 * nothing else tests the type.
 *
 * <p>Stateless but for the dimension: the parameters live in the caller's arrays. A component's covariance is a
 * {@link #storedLength()} array; its factor a {@link #factorLength()} array that {@link #factorise} fills and the
 * density methods read.
 */
public abstract sealed class Covariance permits FullCovariance, DiagonalCovariance, SphericalCovariance {
    static final double LOG_2PI = Math.log(2 * Math.PI);
    final int d;

    Covariance(int d) {
        this.d = d;
    }

    /** The implementation of {@code type} in dimension d. */
    public static Covariance of(CovarianceType type, int d) {
        return switch (type) {
            case FULL -> new FullCovariance(d);
            case DIAG -> new DiagonalCovariance(d);
            case SPHERICAL -> new SphericalCovariance(d);
        };
    }

    abstract CovarianceType type();

    /** Length of one component's stored covariance, and of its second-moment statistic. */
    public abstract int storedLength();

    /** Free parameters of one component's covariance. */
    public abstract int parameters();

    /** Length of one component's factor. */
    public abstract int factorLength();

    /** The identity. @param cov receives it. Modified. */
    public abstract void setIdentity(double[] cov);

    /** Entry (i, j) of the covariance as a full d x d matrix. @param cov not modified */
    public abstract double entry(double[] cov, int i, int j);

    /** The stored form of a full d x d matrix (its diagonal, or its first entry, when that is all this form keeps). */
    public abstract void setFromMatrix(double[] cov, double[][] matrix);

    /**
     * Factorises {@code cov} into {@code factor}; a covariance that is not numerically positive definite is repaired in
     * place first. Returns log det Sigma.
     *
     * @param cov modified only when it had to be repaired
     * @param factor receives the factor. Modified.
     */
    public abstract double factorise(double[] cov, double[] factor);

    /**
     * The squared Mahalanobis distance (x - mu)' Sigma^-1 (x - mu) of a point with every coordinate present.
     *
     * @param work its scratch arrays are overwritten. Modified.
     */
    abstract double mahalanobis(double[] x, double[] mu, double[] factor, EStepWork work);

    /**
     * log N(x | mu_c, Sigma_c) of every component for a point with every coordinate present, into {@code out}, and
     * each component's squared Mahalanobis distance into {@code work.mahalanobis} (what a Student-t component's density
     * and weight take).
     *
     * @param out receives K log-densities. Modified.
     * @param work its scratch arrays are overwritten. Modified.
     */
    public void logDensities(double[] x, double[][] means, double[][] factors, double[] logDets, double[] out, EStepWork work) {
        for (int c = 0; c < out.length; c++) {
            double maha = mahalanobis(x, means[c], factors[c], work);
            work.mahalanobis[c] = maha;
            out[c] = -0.5 * (d * LOG_2PI + logDets[c] + maha);
        }
    }

    /**
     * log N(x_o | mu_o, Sigma_oo) over the observed coordinates {@code work} lists for the point and, when
     * {@code moments} is not null, component c's conditional moments of the missing block (Ghahramani &amp; Jordan 1994).
     * The block's squared Mahalanobis distance and log det Sigma_oo go to {@code work.mahalanobis[c]} and
     * {@code work.blockLogDets[c]}.
     *
     * @param work the point's missing pattern (read) and scratch (overwritten). Modified.
     * @param moments receives component c's conditional moments, or null. Modified.
     */
    public abstract double logMarginal(int c, double[] x, double[] mu, double[] cov, EStepWork work, ConditionalMoments moments);

    /**
     * The second-moment statistic's step for one component: m2 = keep m2 + wx x x' + wc C, with C the conditional
     * covariance of the point's missing block (none when nothing is missing). A Gaussian component has wx = wc = w; a
     * Student-t one wx = w u, with u its weight of the point, and wc = w (E[u x x' | x_o] = u x_hat x_hat' + C).
     *
     * @param x the point, or its conditional expectation when coordinates are missing. Not modified.
     * @param missing the point's missing coordinates, {@code missingCount} of them. Not modified.
     * @param conditional C, missingCount x missingCount row-major. Not modified.
     * @param m2 modified
     */
    public abstract void accumulate(double[] m2, double keep, double wx, double wc, double[] x, int[] missing, int missingCount,
                             double[] conditional);

    /**
     * Sigma = m2 / w - share mu mu' (its diagonal at least 0) + reg I: share is 1 for a Gaussian component, and the ratio
     * of the u-weighted to the plain weight for a Student-t one (whose m2 and mean are u-weighted).
     *
     * @param cov receives Sigma. Modified.
     */
    public abstract void mStep(double[] m2, double w, double share, double[] mu, double reg, double[] cov);

    /** m2 = w (Sigma + mu mu') for a covariance Sigma of this form. @param m2 modified */
    public abstract void secondMoment(double[] m2, double w, double[] mu, double[] cov);

    /**
     * The second moment of an emptied component revived with weight w at a point: m2 = w (mu mu' + I) with mu = s1 / w
     * (the spherical form takes the point's own sum of squares).
     *
     * @param m2 zero on entry. Modified.
     */
    public abstract void reviveSecondMoment(double[] m2, double w, double[] s1, double sumOfSquares);

    /** Sigma -= amount v v', as far as this form can hold it (variances kept at least 1e-12). @param cov modified */
    public abstract void shrinkAlong(double[] cov, double[] v, double amount);
}
