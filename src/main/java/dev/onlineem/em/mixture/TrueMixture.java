package dev.onlineem.em.mixture;

import dev.onlineem.em.base.CovarianceType;
import java.util.Random;

/**
 * A known Gaussian mixture to draw seeded streams from, and to score held-out points under the truth: the
 * generator of the drift benchmark, the demo's truths and the tests. Immutable but for work arrays: not thread-safe.
 */
public final class TrueMixture {
    public final double[] weights;
    public final double[][] means;
    public final double[][][] covariances;
    private final double[][][] chol;
    private final GaussianMixture density;
    private final double[] resp;

    public TrueMixture(double[] weights, double[][] means, double[][][] covariances) {
        this.weights = weights;
        this.means = means;
        this.covariances = covariances;
        int k = weights.length;
        int d = means[0].length;
        chol = new double[k][][];
        density = new GaussianMixture(k, d, CovarianceType.FULL);
        for (int c = 0; c < k; c++) {
            chol[c] = cholesky(covariances[c]);
            density.weights[c] = weights[c];
            System.arraycopy(means[c], 0, density.means[c], 0, d);
            for (int i = 0; i < d; i++) {
                System.arraycopy(covariances[c][i], 0, density.covariances[c], i * d, d);
            }
        }
        density.refreshAll();
        resp = new double[k];
    }

    public int dimension() {
        return means[0].length;
    }

    /** A random well-separated K-component mixture in d dimensions with random full covariances. */
    public static TrueMixture random(int k, int d, double separation, Random r) {
        double[] w = new double[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
            w[c] = 0.5 + r.nextDouble();
            sum += w[c];
        }
        double[][] mu = new double[k][d];
        double[][][] cov = new double[k][d][d];
        for (int c = 0; c < k; c++) {
            w[c] /= sum;
            for (int j = 0; j < d; j++) {
                mu[c][j] = separation * r.nextGaussian();
            }
            // Sigma = A A' / d + 0.2 I: random orientation, well conditioned
            double[][] a = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    a[i][j] = r.nextGaussian();
                }
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (int m = 0; m < d; m++) {
                        s += a[i][m] * a[j][m];
                    }
                    cov[c][i][j] = s / d + (i == j ? 0.2 : 0);
                }
            }
        }
        return new TrueMixture(w, mu, cov);
    }

    public double[] sample(Random r) {
        double u = r.nextDouble();
        int c = 0;
        while (c < weights.length - 1 && (u -= weights[c]) > 0) {
            c++;
        }
        return sampleFrom(c, r);
    }

    public double[] sampleFrom(int c, Random r) {
        int d = dimension();
        double[] e = new double[d];
        for (int j = 0; j < d; j++) {
            e[j] = r.nextGaussian();
        }
        double[] x = means[c].clone();
        for (int i = 0; i < d; i++) {
            for (int j = 0; j <= i; j++) {
                x[i] += chol[c][i][j] * e[j];
            }
        }
        return x;
    }

    public double[][] sample(int n, Random r) {
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = sample(r);
        }
        return out;
    }

    public double logDensity(double[] x) {
        return density.eStep(x, resp);
    }

    public double meanLogDensity(double[][] xs) {
        double s = 0;
        for (double[] x : xs) {
            s += logDensity(x);
        }
        return s / xs.length;
    }

    /** The lower Cholesky factor of a symmetric positive definite matrix (plain textbook form). */
    public static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int m = 0; m < j; m++) {
                    s -= l[i][m] * l[j][m];
                }
                l[i][j] = i == j ? Math.sqrt(s) : s / l[j][j];
            }
        }
        return l;
    }
}
