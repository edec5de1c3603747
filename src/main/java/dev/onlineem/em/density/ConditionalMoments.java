package dev.onlineem.em.density;

import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;

/**
 * Per component, the moments of a point's missing coordinates given its observed ones (Ghahramani &amp; Jordan 1994):
 * the conditional expectation x_hat (observed coordinates as they are, missing ones at their conditional mean) and the
 * conditional covariance C of the missing block. The statistics take x_hat x_hat' + C where a complete point gives x x';
 * imputation takes x_hat. Filled by the E-step for one point at a time; mutable.
 */
public final class ConditionalMoments {
    /** x_hat per component, length d. */
    public final double[][] expected;
    /** C per component, missingCount x missingCount row-major. */
    public final double[][] covariance;

    ConditionalMoments(int k, int d) {
        this.expected = new double[k][d];
        this.covariance = new double[k][d * d];
    }

    /**
     * x_hat_m = mu_m + Sigma_mo Sigma_oo^-1 (x_o - mu_o); C = Sigma_mm - Sigma_mo Sigma_oo^-1 Sigma_om = Sigma_mm - V'V with
     * V = L^-1 Sigma_om, for component c with a full covariance.
     *
     * @param l the Cholesky factor L of Sigma_oo, no x no row-major. Not modified.
     * @param z L^-1 (x_o - mu_o) on entry; overwritten. Modified.
     * @param v scratch of at least no * nm. Modified.
     */
    void full(int c, double[] x, double[] mu, double[] cov, int d, int[] observed, int no, int[] missing, int nm, double[] l,
              double[] z, double[] v) {
        double[] xh = expected[c];
        double[] cc = covariance[c];
        // w = L'^-1 z = Sigma_oo^-1 (x_o - mu_o)
        TriangularSolver_DDRM.solveTranL(l, z, no);
        for (int r = 0; r < no; r++) {
            xh[observed[r]] = x[observed[r]];
        }
        for (int m = 0; m < nm; m++) {
            int j = missing[m];
            double e = mu[j];
            for (int r = 0; r < no; r++) {
                e += cov[j * d + observed[r]] * z[r];
            }
            xh[j] = e;
            // column m of V: L^-1 Sigma_o,j, stored at v[m*no ..]
            int off = m * no;
            for (int r = 0; r < no; r++) {
                v[off + r] = cov[observed[r] * d + j];
            }
            forwardSubstitute(l, no, v, off);
        }
        for (int m = 0; m < nm; m++) {
            for (int n = 0; n <= m; n++) {
                double dot = 0;
                for (int r = 0; r < no; r++) {
                    dot += v[m * no + r] * v[n * no + r];
                }
                double e = cov[missing[m] * d + missing[n]] - dot;
                if (m == n && e < 0) {
                    e = 0;
                }
                cc[m * nm + n] = e;
                cc[n * nm + m] = e;
            }
        }
    }

    /**
     * The same for a diagonal covariance (spherical: {@code perCoordinate} false, one variance): the missing coordinates'
     * conditional means are their means and C is diagonal. The observed coordinates of x_hat are set by the caller.
     */
    void independent(int c, double[] mu, double[] cov, boolean perCoordinate, int[] missing, int nm) {
        double[] xh = expected[c];
        double[] cc = covariance[c];
        for (int a = 0; a < nm; a++) {
            int j = missing[a];
            xh[j] = mu[j];
            for (int b = 0; b < nm; b++) {
                cc[a * nm + b] = a == b ? cov[perCoordinate ? j : 0] : 0;
            }
        }
    }

    /** Solves L y = b in place for the n-vector stored at b[off..off+n). */
    private static void forwardSubstitute(double[] l, int n, double[] b, int off) {
        for (int i = 0; i < n; i++) {
            double v = b[off + i];
            for (int j = 0; j < i; j++) {
                v -= l[i * n + j] * b[off + j];
            }
            b[off + i] = v / l[i * n + i];
        }
    }
}
