package dev.onlineem.em.density;

import dev.onlineem.em.base.CovarianceType;
import java.util.Arrays;

/** A diagonal covariance: d variances. Its factor is their square roots. */
final class DiagonalCovariance extends Covariance {
    DiagonalCovariance(int d) {
        super(d);
    }

    @Override
    CovarianceType type() {
        return CovarianceType.DIAG;
    }

    @Override
    public int storedLength() {
        return d;
    }

    @Override
    public int parameters() {
        return d;
    }

    @Override
    public int factorLength() {
        return d;
    }

    @Override
    public void setIdentity(double[] cov) {
        Arrays.fill(cov, 1);
    }

    @Override
    public double entry(double[] cov, int i, int j) {
        return i == j ? cov[i] : 0;
    }

    @Override
    public void setFromMatrix(double[] cov, double[][] matrix) {
        for (int a = 0; a < d; a++) {
            cov[a] = matrix[a][a];
        }
    }

    @Override
    public double factorise(double[] cov, double[] factor) {
        return factoriseVariances(cov, factor);
    }

    /**
     * Square roots of variances into {@code factor}; returns the sum of their logs. A variance that is not a positive
     * finite number becomes 1e-12 (or, if infinite, a quarter of the largest double).
     */
    static double factoriseVariances(double[] cov, double[] factor) {
        double logDet = 0;
        for (int j = 0; j < cov.length; j++) {
            if (!(cov[j] > Double.MIN_NORMAL) || !Double.isFinite(cov[j])) {
                cov[j] = Double.isFinite(cov[j]) ? 1e-12 : Double.MAX_VALUE / 4;
            }
            factor[j] = Math.sqrt(cov[j]);
            logDet += Math.log(cov[j]);
        }
        return logDet;
    }

    @Override
    double mahalanobis(double[] x, double[] mu, double[] sd, EStepWork work) {
        double maha = 0;
        for (int j = 0; j < d; j++) {
            double z = (x[j] - mu[j]) / sd[j];
            maha += z * z;
        }
        return maha;
    }

    @Override
    public double logMarginal(int c, double[] x, double[] mu, double[] cov, EStepWork work, ConditionalMoments moments) {
        return independentMarginal(c, x, mu, cov, true, work, moments);
    }

    /** The marginal of independent coordinates (diagonal, or spherical with {@code perCoordinate} false). */
    static double independentMarginal(int c, double[] x, double[] mu, double[] cov, boolean perCoordinate, EStepWork work,
                                      ConditionalMoments moments) {
        int no = work.observedCount;
        int[] observed = work.observed;
        double maha = 0;
        double logDet = 0;
        for (int i = 0; i < no; i++) {
            int j = observed[i];
            double v = cov[perCoordinate ? j : 0];
            double z = x[j] - mu[j];
            maha += z * z / v;
            logDet += Math.log(v);
        }
        if (moments != null) {
            double[] xh = moments.expected[c];
            for (int i = 0; i < no; i++) {
                xh[observed[i]] = x[observed[i]];
            }
            moments.independent(c, mu, cov, perCoordinate, work.missing, work.missingCount);
        }
        work.mahalanobis[c] = maha;
        work.blockLogDets[c] = logDet;
        return -0.5 * (no * LOG_2PI + logDet + maha);
    }

    @Override
    public void accumulate(double[] m2, double keep, double w, double wc, double[] x, int[] missing, int nm, double[] cc) {
        for (int j = 0; j < d; j++) {
            m2[j] = keep * m2[j] + w * x[j] * x[j];
        }
        for (int a = 0; a < nm; a++) {
            m2[missing[a]] += wc * cc[a * nm + a];
        }
    }

    @Override
    public void mStep(double[] m2, double w, double share, double[] mu, double reg, double[] cov) {
        for (int j = 0; j < d; j++) {
            cov[j] = Math.max(m2[j] / w - share * mu[j] * mu[j], 0) + reg;
        }
    }

    @Override
    public void secondMoment(double[] m2, double w, double[] mu, double[] cov) {
        for (int j = 0; j < d; j++) {
            m2[j] = w * (cov[j] + mu[j] * mu[j]);
        }
    }

    @Override
    public void reviveSecondMoment(double[] m2, double w, double[] s1, double sumOfSquares) {
        for (int i = 0; i < d; i++) {
            m2[i] = w * (s1[i] / w) * (s1[i] / w) + w;
        }
    }

    @Override
    public void shrinkAlong(double[] cov, double[] v, double amount) {
        for (int j = 0; j < d; j++) {
            cov[j] = Math.max(cov[j] - amount * v[j] * v[j], 1e-12);
        }
    }
}
