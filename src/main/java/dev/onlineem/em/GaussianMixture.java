package dev.onlineem.em;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.decomposition.chol.CholeskyDecompositionInner_DDRM;

/**
 * The parameters theta = (pi_k, mu_k, Sigma_k) of a Gaussian mixture, with each component's Cholesky
 * factor cached, and the E-step that scores a point under them.
 *
 * <p>Mutable and not thread-safe: it owns preallocated work arrays so that {@link #eStep} allocates
 * nothing. Missing coordinates are {@code NaN}; the E-step then uses the marginal of the observed
 * coordinates and fills, per component, the conditional expectation of the missing block and its
 * conditional covariance (Ghahramani &amp; Jordan 1994), which {@link SufficientStatistics} consumes.
 */
public final class GaussianMixture {
    private static final double LOG_2PI = Math.log(2 * Math.PI);
    private static final int MAX_JITTER_STEPS = 40;

    final int k;
    final int d;
    final CovarianceType type;
    final double[] weights;
    final double[][] means;
    /** Full: d*d row-major; diag: d variances; spherical: one variance. */
    final double[][] covariances;

    // Derived, rebuilt by refresh(): never serialised.
    /** Full: the Cholesky factor Sigma = L L', stored as U = L' row-major (row m of U is column m of L), lower part unused. */
    private final double[][] upper;
    /** Full: 1 / L_jj. */
    private final double[][] inverseDiagonal;
    private final double[][] sqrtVariances;
    private final double[] logDets;
    private final CholeskyDecompositionInner_DDRM decomposer = new CholeskyDecompositionInner_DDRM(true);

    // Per-point outputs of the E-step (read by SufficientStatistics).
    /** The point of the last E-step with expectations (not a copy): x_hat_k of every component when nothing is missing. */
    double[] point;
    final double[][] expected;         // x_hat_k when coordinates are missing: observed ones, then conditional means of the missing
    final double[][] conditionalCov;   // conditional covariance of the missing block, nm x nm row-major
    final int[] missingIdx;
    final int[] observedIdx;
    int missingCount;

    // Work arrays.
    private final double[] diff;
    private final double[] diff2;
    private final double[] logR;
    private final DMatrixRMaj workA;
    private final double[] workV;

    /** A mixture with every weight 1/K, every mean 0 and every covariance the identity. */
    public GaussianMixture(int k, int d, CovarianceType type) {
        if (k < 1 || d < 1) {
            throw new IllegalArgumentException("a mixture needs k >= 1 and d >= 1, got k=" + k + ", d=" + d);
        }
        this.k = k;
        this.d = d;
        this.type = type;
        this.weights = new double[k];
        this.means = new double[k][d];
        this.covariances = new double[k][type.storedLength(d)];
        this.upper = new double[k][type == CovarianceType.FULL ? d * d : 0];
        this.inverseDiagonal = new double[k][type == CovarianceType.FULL ? d : 0];
        this.sqrtVariances = new double[k][type == CovarianceType.FULL ? 0 : type.storedLength(d)];
        this.logDets = new double[k];
        this.expected = new double[k][d];
        this.conditionalCov = new double[k][d * d];
        this.missingIdx = new int[d];
        this.observedIdx = new int[d];
        this.diff = new double[d];
        this.diff2 = new double[d];
        this.logR = new double[k];
        this.workA = new DMatrixRMaj(d, d);
        this.workV = new double[d * d];
        for (int c = 0; c < k; c++) {
            weights[c] = 1.0 / k;
            if (type == CovarianceType.FULL) {
                for (int i = 0; i < d; i++) {
                    covariances[c][i * d + i] = 1;
                }
            } else {
                java.util.Arrays.fill(covariances[c], 1);
            }
        }
        refreshAll();
    }

    /** A copy of the parameters with its own factors and work arrays, for use on another thread. */
    public GaussianMixture copy() {
        GaussianMixture g = new GaussianMixture(k, d, type);
        System.arraycopy(weights, 0, g.weights, 0, k);
        for (int c = 0; c < k; c++) {
            System.arraycopy(means[c], 0, g.means[c], 0, d);
            System.arraycopy(covariances[c], 0, g.covariances[c], 0, covariances[c].length);
        }
        g.refreshAll();
        return g;
    }

    public int components() {
        return k;
    }

    public int dimension() {
        return d;
    }

    public CovarianceType covarianceType() {
        return type;
    }

    /** Recomputes every Cholesky factor from the current parameters. */
    public void refreshAll() {
        for (int c = 0; c < k; c++) {
            refresh(c);
        }
    }

    /**
     * Recomputes component c's cached factor from {@code covariances[c]}. A covariance that is not
     * numerically positive definite gets a growing diagonal jitter (written back into the covariance) until it is.
     */
    void refresh(int c) {
        double[] cov = covariances[c];
        if (type != CovarianceType.FULL) {
            double logDet = 0;
            for (int j = 0; j < cov.length; j++) {
                if (!(cov[j] > Double.MIN_NORMAL) || !Double.isFinite(cov[j])) {
                    cov[j] = Double.isFinite(cov[j]) ? 1e-12 : Double.MAX_VALUE / 4;
                }
                sqrtVariances[c][j] = Math.sqrt(cov[j]);
                logDet += Math.log(cov[j]);
            }
            logDets[c] = type == CovarianceType.SPHERICAL ? d * logDet : logDet;
            return;
        }
        double[] u = upper[c];
        double jitter = 0;
        for (int attempt = 0; attempt <= MAX_JITTER_STEPS; attempt++) {
            if (choleskyUpper(cov, u, d) && finiteDiagonal(u)) {
                double[] inv = inverseDiagonal[c];
                for (int j = 0; j < d; j++) {
                    inv[j] = 1 / u[j * d + j];
                }
                logDets[c] = 2 * logProductOfDiagonal(u);
                return;
            }
            jitter = jitter == 0 ? 1e-10 * Math.max(1e-300, meanDiagonal(cov)) : jitter * 10;
            for (int i = 0; i < d; i++) {
                cov[i * d + i] += jitter;
            }
        }
        // Nothing sensible left: fall back to the identity rather than carry a broken factor.
        java.util.Arrays.fill(cov, 0);
        for (int i = 0; i < d; i++) {
            cov[i * d + i] = 1;
        }
        refresh(c);
    }

    /**
     * Sigma = L L' for a symmetric d x d matrix, row-major, written as U = L' (row-major, upper triangle; the
     * rest of {@code u} is left alone). Right-looking: once column m of L is known, it is subtracted from the
     * trailing rows in one pass over contiguous memory, so the inner loop has no dependency chain. The trailing
     * rows are updated four at a time: at d = 16 most inner loops are a few iterations long and their set-up
     * cost as much as their work (measured: 0.8 against 1.1 us a factor). Each entry sees the same operations
     * in the same order as the textbook dot-product form, so the blocking changes no bit.
     *
     * @param a not modified
     * @param u receives U. Modified.
     * @return false when a is not numerically positive definite
     */
    static boolean choleskyUpper(double[] a, double[] u, int d) {
        for (int j = 0; j < d; j++) {
            for (int i = j * d + j; i < (j + 1) * d; i++) {
                u[i] = a[i];
            }
        }
        for (int m = 0; m < d; m++) {
            int rm = m * d;
            double pivot = u[rm + m];
            if (!(pivot > 0)) {
                return false;
            }
            double lmm = Math.sqrt(pivot);
            u[rm + m] = lmm;
            double inv = 1 / lmm;
            for (int i = m + 1; i < d; i++) {
                u[rm + i] *= inv;
            }
            int j = m + 1;
            for (; j + 3 < d; j += 4) {
                int r0 = j * d;
                int r1 = r0 + d;
                int r2 = r1 + d;
                int r3 = r2 + d;
                double l0 = u[rm + j];
                double l1 = u[rm + j + 1];
                double l2 = u[rm + j + 2];
                double l3 = u[rm + j + 3];
                // the 4 x 4 triangle where the rows start
                u[r0 + j] -= l0 * l0;
                u[r0 + j + 1] -= l1 * l0;
                u[r1 + j + 1] -= l1 * l1;
                u[r0 + j + 2] -= l2 * l0;
                u[r1 + j + 2] -= l2 * l1;
                u[r2 + j + 2] -= l2 * l2;
                for (int i = j + 3; i < d; i++) {
                    double v = u[rm + i];
                    u[r0 + i] -= v * l0;
                    u[r1 + i] -= v * l1;
                    u[r2 + i] -= v * l2;
                    u[r3 + i] -= v * l3;
                }
            }
            for (; j < d; j++) {
                int rj = j * d;
                double ljm = u[rm + j];
                for (int i = j; i < d; i++) {
                    u[rj + i] -= u[rm + i] * ljm;
                }
            }
        }
        return true;
    }

    /** log prod_i L_ii with one log when the product stays in range, else a sum of logs. */
    private double logProductOfDiagonal(double[] l) {
        double prod = 1;
        for (int i = 0; i < d; i++) {
            prod *= l[i * d + i];
        }
        if (prod > 1e-280 && prod < 1e280) {
            return Math.log(prod);
        }
        double sum = 0;
        for (int i = 0; i < d; i++) {
            sum += Math.log(l[i * d + i]);
        }
        return sum;
    }

    private boolean finiteDiagonal(double[] l) {
        for (int i = 0; i < d; i++) {
            double v = l[i * d + i];
            if (!(v > 0) || !Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private double meanDiagonal(double[] cov) {
        double s = 0;
        for (int i = 0; i < d; i++) {
            double v = cov[i * d + i];
            s += Double.isFinite(v) ? Math.abs(v) : 0;
        }
        return s / d;
    }

    /**
     * E-step for one point: {@code log r_k = log pi_k + log N(x_o | mu_k,o, Sigma_k,oo)},
     * {@code logDensity = logsumexp_k log r_k}, {@code r_k = exp(log r_k - logDensity)}.
     *
     * @param x the point; {@code NaN} marks a missing coordinate. Not modified.
     * @param resp responsibilities, length K. Modified.
     * @param withExpectations also stage the point for {@link SufficientStatistics}: the point itself, and with missing
     *        coordinates the per-component conditional expectations and covariances. The point is kept by reference
     *        until the statistics have taken it.
     * @return the log-density of the observed coordinates
     * @throws IllegalArgumentException when every coordinate is missing
     */
    public double eStep(double[] x, double[] resp, boolean withExpectations) {
        int nm = 0;
        int no = 0;
        for (int j = 0; j < d; j++) {
            if (Double.isNaN(x[j])) {
                missingIdx[nm++] = j;
            } else {
                observedIdx[no++] = j;
            }
        }
        if (no == 0) {
            throw new IllegalArgumentException("every coordinate of the point is missing");
        }
        missingCount = nm;
        if (withExpectations) {
            point = x;
        }
        // log r_k = log pi_k + log N_k; pi_k multiplies after the shift by max_k log N_k, which saves K logs
        // and cannot underflow the whole sum: the largest term is pi_max * 1 >= Double.MIN_NORMAL.
        double max = Double.NEGATIVE_INFINITY;
        if (nm == 0 && type == CovarianceType.FULL) {
            fullLogDensities(x);
        }
        for (int c = 0; c < k; c++) {
            double lr = nm > 0 ? logGaussianMarginal(c, x, no, nm, withExpectations)
                    : type == CovarianceType.FULL ? logR[c] : logGaussian(c, x);
            logR[c] = lr;
            if (lr > max) {
                max = lr;
            }
        }
        double sum = 0;
        for (int c = 0; c < k; c++) {
            double e = weights[c] * Math.exp(logR[c] - max);
            resp[c] = e;
            sum += e;
        }
        double inv = 1 / sum;
        for (int c = 0; c < k; c++) {
            resp[c] *= inv;
        }
        return max + Math.log(sum);
    }

    /** log N(x_o | mu_k,o, Sigma_k,oo) of every component for the point of the last {@link #eStep}, weights not included. Read only. */
    double[] componentLogDensities() {
        return logR;
    }

    private double logGaussian(int c, double[] x) {
        double[] mu = means[c];
        double maha = 0;
        if (type == CovarianceType.FULL) {
            for (int j = 0; j < d; j++) {
                diff[j] = x[j] - mu[j];
            }
            maha = mahalanobis(c);
        } else {
            double[] sd = sqrtVariances[c];
            boolean sph = type == CovarianceType.SPHERICAL;
            for (int j = 0; j < d; j++) {
                double z = (x[j] - mu[j]) / sd[sph ? 0 : j];
                maha += z * z;
            }
        }
        return -0.5 * (d * LOG_2PI + logDets[c] + maha);
    }

    /**
     * log N(x | mu_k, Sigma_k) of every component of a full-covariance mixture into {@link #logR}, two components at a
     * time: each forward substitution is a chain of dependent steps, and two independent chains interleaved keep the
     * core busy. Each component's own operations are those of {@link #logGaussian}, in the same order. (Measured with
     * {@code UpdateAB} against every component through {@link #logGaussian}: 8% less time per point at K=8, d=16, 2% at
     * K=4, d=2; worth the second copy of the forward substitution.)
     */
    private void fullLogDensities(double[] x) {
        int c = 0;
        for (; c + 1 < k; c += 2) {
            double[] mu0 = means[c];
            double[] mu1 = means[c + 1];
            for (int j = 0; j < d; j++) {
                diff[j] = x[j] - mu0[j];
                diff2[j] = x[j] - mu1[j];
            }
            double[] u0 = upper[c];
            double[] u1 = upper[c + 1];
            double[] inv0 = inverseDiagonal[c];
            double[] inv1 = inverseDiagonal[c + 1];
            double maha0 = 0;
            double maha1 = 0;
            for (int m = 0; m < d; m++) {
                double z0 = diff[m] * inv0[m];
                double z1 = diff2[m] * inv1[m];
                maha0 += z0 * z0;
                maha1 += z1 * z1;
                int rm = m * d;
                for (int i = m + 1; i < d; i++) {
                    diff[i] -= u0[rm + i] * z0;
                    diff2[i] -= u1[rm + i] * z1;
                }
            }
            logR[c] = -0.5 * (d * LOG_2PI + logDets[c] + maha0);
            logR[c + 1] = -0.5 * (d * LOG_2PI + logDets[c + 1] + maha1);
        }
        if (c < k) {
            logR[c] = logGaussian(c, x);
        }
    }

    /**
     * ||z||^2 with z = L^-1 diff (forward substitution, column by column: once z_m is known, column m of L is
     * subtracted from the rest in one pass with no dependency chain). Overwrites {@code diff}.
     */
    private double mahalanobis(int c) {
        double[] u = upper[c];
        double[] inv = inverseDiagonal[c];
        double maha = 0;
        for (int m = 0; m < d; m++) {
            double zm = diff[m] * inv[m];
            maha += zm * zm;
            int rm = m * d;
            for (int i = m + 1; i < d; i++) {
                diff[i] -= u[rm + i] * zm;
            }
        }
        return maha;
    }

    private double logGaussianMarginal(int c, double[] x, int no, int nm, boolean withExpectations) {
        double[] mu = means[c];
        double[] cov = covariances[c];
        double[] xh = expected[c];
        if (type != CovarianceType.FULL) {
            boolean sph = type == CovarianceType.SPHERICAL;
            double maha = 0;
            double logDet = 0;
            for (int i = 0; i < no; i++) {
                int j = observedIdx[i];
                double v = cov[sph ? 0 : j];
                double z = x[j] - mu[j];
                maha += z * z / v;
                logDet += Math.log(v);
                xh[j] = x[j];
            }
            if (withExpectations) {
                double[] cc = conditionalCov[c];
                for (int a = 0; a < nm; a++) {
                    int j = missingIdx[a];
                    xh[j] = mu[j];
                    for (int b = 0; b < nm; b++) {
                        cc[a * nm + b] = a == b ? cov[sph ? 0 : j] : 0;
                    }
                }
            }
            return -0.5 * (no * LOG_2PI + logDet + maha);
        }
        // Sigma_oo = L L'
        workA.reshape(no, no);
        double[] a = workA.data;
        for (int r = 0; r < no; r++) {
            for (int s = 0; s < no; s++) {
                a[r * no + s] = cov[observedIdx[r] * d + observedIdx[s]];
            }
        }
        if (!decomposer.decompose(workA)) {
            // The marginal of a positive definite matrix is positive definite; this guards round-off only.
            for (int r = 0; r < no; r++) {
                for (int s = 0; s < no; s++) {
                    a[r * no + s] = cov[observedIdx[r] * d + observedIdx[s]] + (r == s ? 1e-9 * Math.abs(a[r * no + r]) + 1e-300 : 0);
                }
            }
            decomposer.decompose(workA);
        }
        double logDet = 0;
        for (int r = 0; r < no; r++) {
            logDet += Math.log(a[r * no + r]);
        }
        logDet *= 2;
        for (int r = 0; r < no; r++) {
            diff[r] = x[observedIdx[r]] - mu[observedIdx[r]];
        }
        // z = L^-1 (x_o - mu_o)
        TriangularSolver_DDRM.solveL(a, diff, no);
        double maha = 0;
        for (int r = 0; r < no; r++) {
            maha += diff[r] * diff[r];
        }
        if (withExpectations) {
            conditionalMoments(c, x, no, nm, a);
        }
        return -0.5 * (no * LOG_2PI + logDet + maha);
    }

    /**
     * x_hat_m = mu_m + Sigma_mo Sigma_oo^-1 (x_o - mu_o);
     * C = Sigma_mm - Sigma_mo Sigma_oo^-1 Sigma_om = Sigma_mm - V'V with V = L^-1 Sigma_om.
     * Expects {@code diff} to hold z = L^-1 (x_o - mu_o) on entry.
     */
    private void conditionalMoments(int c, double[] x, int no, int nm, double[] l) {
        double[] mu = means[c];
        double[] cov = covariances[c];
        double[] xh = expected[c];
        double[] cc = conditionalCov[c];
        // w = L'^-1 z = Sigma_oo^-1 (x_o - mu_o)
        TriangularSolver_DDRM.solveTranL(l, diff, no);
        for (int r = 0; r < no; r++) {
            xh[observedIdx[r]] = x[observedIdx[r]];
        }
        for (int m = 0; m < nm; m++) {
            int j = missingIdx[m];
            double v = mu[j];
            for (int r = 0; r < no; r++) {
                v += cov[j * d + observedIdx[r]] * diff[r];
            }
            xh[j] = v;
            // column m of V: L^-1 Sigma_o,j, stored at workV[m*no ..]
            int off = m * no;
            for (int r = 0; r < no; r++) {
                workV[off + r] = cov[observedIdx[r] * d + j];
            }
            forwardSubstitute(l, no, workV, off);
        }
        for (int m = 0; m < nm; m++) {
            for (int n = 0; n <= m; n++) {
                double dot = 0;
                for (int r = 0; r < no; r++) {
                    dot += workV[m * no + r] * workV[n * no + r];
                }
                double v = cov[missingIdx[m] * d + missingIdx[n]] - dot;
                if (m == n && v < 0) {
                    v = 0;
                }
                cc[m * nm + n] = v;
                cc[n * nm + m] = v;
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

    /** Log-likelihood of every row of {@code data} under the mixture, summed. Rows may contain NaN. */
    public double logLikelihood(double[][] data) {
        double[] resp = new double[k];
        double s = 0;
        for (double[] row : data) {
            s += eStep(row, resp, false);
        }
        return s;
    }

    /** Component c's covariance as a full d x d row-major matrix, whatever the covariance type. */
    double fullCovariance(int c, int i, int j) {
        double[] cov = covariances[c];
        switch (type) {
            case FULL: return cov[i * d + j];
            case DIAG: return i == j ? cov[i] : 0;
            default: return i == j ? cov[0] : 0;
        }
    }
}
