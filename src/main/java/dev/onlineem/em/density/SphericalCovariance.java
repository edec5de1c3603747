package dev.onlineem.em.density;

import dev.onlineem.em.base.CovarianceType;

/** A multiple of the identity: one variance. Its factor is its square root. */
final class SphericalCovariance extends Covariance {
    SphericalCovariance(int d) {
        super(d);
    }

    @Override
    CovarianceType type() {
        return CovarianceType.SPHERICAL;
    }

    @Override
    public int storedLength() {
        return 1;
    }

    @Override
    public int parameters() {
        return 1;
    }

    @Override
    public int factorLength() {
        return 1;
    }

    @Override
    public void setIdentity(double[] cov) {
        cov[0] = 1;
    }

    @Override
    public double entry(double[] cov, int i, int j) {
        return i == j ? cov[0] : 0;
    }

    @Override
    public void setFromMatrix(double[] cov, double[][] matrix) {
        cov[0] = matrix[0][0];
    }

    @Override
    public double factorise(double[] cov, double[] factor) {
        return d * DiagonalCovariance.factoriseVariances(cov, factor);
    }

    @Override
    double mahalanobis(double[] x, double[] mu, double[] sd, EStepWork work) {
        double maha = 0;
        for (int j = 0; j < d; j++) {
            double z = (x[j] - mu[j]) / sd[0];
            maha += z * z;
        }
        return maha;
    }

    @Override
    public double logMarginal(int c, double[] x, double[] mu, double[] cov, EStepWork work, ConditionalMoments moments) {
        return DiagonalCovariance.independentMarginal(c, x, mu, cov, false, work, moments);
    }

    @Override
    public void accumulate(double[] m2, double keep, double w, double wc, double[] x, int[] missing, int nm, double[] cc) {
        double ss = 0;
        for (int j = 0; j < d; j++) {
            ss += x[j] * x[j];
        }
        if (wc == w) {
            for (int a = 0; a < nm; a++) {
                ss += cc[a * nm + a];
            }
            m2[0] = keep * m2[0] + w * ss;
            return;
        }
        double trace = 0;
        for (int a = 0; a < nm; a++) {
            trace += cc[a * nm + a];
        }
        m2[0] = keep * m2[0] + (w * ss + wc * trace);
    }

    @Override
    public void mStep(double[] m2, double w, double share, double[] mu, double reg, double[] cov) {
        double sq = 0;
        for (int j = 0; j < d; j++) {
            sq += mu[j] * mu[j];
        }
        cov[0] = Math.max((m2[0] / w - share * sq) / d, 0) + reg;
    }

    @Override
    public void secondMoment(double[] m2, double w, double[] mu, double[] cov) {
        double s = 0;
        for (int j = 0; j < d; j++) {
            s += cov[0] + mu[j] * mu[j];
        }
        m2[0] = w * s;
    }

    @Override
    public void reviveSecondMoment(double[] m2, double w, double[] s1, double sumOfSquares) {
        m2[0] = w * (sumOfSquares + d);
    }

    @Override
    public void shrinkAlong(double[] cov, double[] v, double amount) {
        cov[0] = Math.max(cov[0] - amount / d, 1e-12);
    }
}
