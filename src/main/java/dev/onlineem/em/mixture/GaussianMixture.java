package dev.onlineem.em.mixture;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.base.StateFormat;
import dev.onlineem.em.density.ConditionalMoments;
import dev.onlineem.em.density.Covariance;
import dev.onlineem.em.density.Distribution;
import dev.onlineem.em.density.EStepWork;
import dev.onlineem.em.density.Tails;
import java.nio.ByteBuffer;

/**
 * The parameters theta = (pi_k, mu_k, Sigma_k) of a mixture, with each component's covariance factor cached, and the
 * E-step that scores a point under them. How the covariances are held, factorised and used is the {@link Covariance}
 * of the mixture's type; whether the components are Gaussian or Student-t (and then their degrees of freedom) its
 * {@link Tails}.
 *
 * <p>Mutable and not thread-safe: it owns a scratch {@link EStepWork} so that {@link #eStep(double[], double[])}
 * allocates nothing. Missing coordinates are {@code NaN}; the E-step then uses the marginal of the observed
 * coordinates and, into a work object kept with moments, the per-component conditional moments of the missing block
 * (Ghahramani &amp; Jordan 1994), which {@link SufficientStatistics} consumes.
 */
public final class GaussianMixture {
    public final int k;
    final int d;
    public final CovarianceType type;
    public final Covariance covariance;
    /** Gaussian or Student-t components (with their degrees of freedom). */
    public final Tails tails;
    public final double[] weights;
    public final double[][] means;
    /** Each component's covariance in its {@link Covariance}'s layout (full: d*d row-major; diag: d variances; spherical: one). */
    public final double[][] covariances;

    // Derived, rebuilt by refresh(): never serialised.
    private final double[][] factors;
    private final double[] logDets;
    /**
     * Scratch of {@link #eStep(double[], double[])}: nobody reads it after the call. Made at the first such call: a model
     * learning online uses its thread's work instead, and with 100,000 models every object a model keeps is work for the
     * collector.
     */
    private EStepWork scratch;

    /** A Gaussian mixture with every weight 1/K, every mean 0 and every covariance the identity. */
    public GaussianMixture(int k, int d, CovarianceType type) {
        this(k, d, type, Distribution.GAUSSIAN);
    }

    /** A mixture of the given family with every weight 1/K, every mean 0, every covariance the identity (a t's df at their start). */
    public GaussianMixture(int k, int d, CovarianceType type, Distribution distribution) {
        this(k, d, type, Tails.of(distribution, k, d));
    }

    private GaussianMixture(int k, int d, CovarianceType type, Tails tails) {
        if (k < 1 || d < 1) {
            throw new IllegalArgumentException("a mixture needs k >= 1 and d >= 1, got k=" + k + ", d=" + d);
        }
        this.k = k;
        this.d = d;
        this.type = type;
        this.covariance = Covariance.of(type, d);
        this.tails = tails;
        this.weights = new double[k];
        this.means = new double[k][d];
        this.covariances = new double[k][covariance.storedLength()];
        this.factors = new double[k][covariance.factorLength()];
        this.logDets = new double[k];
        for (int c = 0; c < k; c++) {
            weights[c] = 1.0 / k;
            covariance.setIdentity(covariances[c]);
        }
        refreshAll();
    }

    /** A copy of the parameters with its own factors and work arrays, for use on another thread. */
    public GaussianMixture copy() {
        GaussianMixture g = new GaussianMixture(k, d, type, tails.copy());
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

    public Distribution distribution() {
        return tails.distribution();
    }

    /** Each component's degrees of freedom, or null for Gaussian components. */
    public double[] degreesOfFreedom() {
        return degreesOfFreedom(null);
    }

    /** Each component's degrees of freedom in the given order of components (null: their own), or null for Gaussians. */
    public double[] degreesOfFreedom(int[] order) {
        if (!tails.distribution().studentT()) {
            return null;
        }
        double[] df = new double[k];
        for (int r = 0; r < k; r++) {
            df[r] = tails.df(order == null ? r : order[r]);
        }
        return df;
    }

    /** Component c's degrees of freedom: infinite for a Gaussian. */
    public double degreesOfFreedom(int c) {
        return tails.df(c);
    }

    /** A work object for {@link #eStep(double[], double[], EStepWork)} on this mixture. */
    public EStepWork newWork(boolean withMoments) {
        return new EStepWork(k, d, withMoments);
    }

    /** Recomputes every covariance factor from the current parameters. */
    public void refreshAll() {
        for (int c = 0; c < k; c++) {
            refresh(c);
        }
    }

    /**
     * Recomputes component c's cached factor from {@code covariances[c]}. A covariance that is not numerically
     * positive definite is repaired (written back into the covariance) first.
     */
    void refresh(int c) {
        logDets[c] = covariance.factorise(covariances[c], factors[c]);
    }

    /** The log-density of x (NaN marks a missing coordinate) and its responsibilities. @param resp modified */
    public double eStep(double[] x, double[] resp) {
        if (scratch == null) {
            scratch = new EStepWork(k, d, false);
        }
        return eStep(x, resp, scratch);
    }

    /**
     * E-step for one point: {@code log r_k = log pi_k + log f_k(x_o)}, f_k the component's density of the observed
     * coordinates (Gaussian or Student-t), {@code logDensity = logsumexp_k log r_k}, {@code r_k = exp(log r_k - logDensity)}.
     *
     * @param x the point; {@code NaN} marks a missing coordinate. Not modified; kept by reference in {@code work} when it
     *        keeps moments, until the statistics have taken it.
     * @param resp responsibilities, length K. Modified.
     * @param work receives the component log-densities, the missing pattern, each component's weight u of the point and,
     *        when it keeps moments, the point and the conditional moments of its missing coordinates. Modified.
     * @return the log-density of the observed coordinates
     * @throws IllegalArgumentException when every coordinate is missing
     */
    public double eStep(double[] x, double[] resp, EStepWork work) {
        if (work.pattern(x, d) == 0) {
            throw new IllegalArgumentException("every coordinate of the point is missing");
        }
        ConditionalMoments moments = work.moments;
        if (moments != null) {
            work.point = x;
        }
        double[] logR = work.componentLogDensities;
        // log r_k = log pi_k + log N_k; pi_k multiplies after the shift by max_k log N_k, which saves K logs
        // and cannot underflow the whole sum: the largest term is pi_max * 1 >= Double.MIN_NORMAL.
        if (work.missingCount == 0) {
            covariance.logDensities(x, means, factors, logDets, logR, work);
            tails.densities(logDets, work);
        } else {
            for (int c = 0; c < k; c++) {
                logR[c] = covariance.logMarginal(c, x, means[c], covariances[c], work, moments);
            }
            tails.densities(work.blockLogDets, work);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            if (logR[c] > max) {
                max = logR[c];
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

    /** Log-likelihood of every row of {@code data} under the mixture, summed. Rows may contain NaN. */
    public double logLikelihood(double[][] data) {
        double[] resp = new double[k];
        double s = 0;
        for (double[] row : data) {
            s += eStep(row, resp);
        }
        return s;
    }

    /** Entry (i, j) of component c's covariance as a full d x d matrix, whatever the covariance type. */
    public double fullCovariance(int c, int i, int j) {
        return covariance.entry(covariances[c], i, j);
    }

    /**
     * Writes the parameters for the state format: the weights, then each component's mean and stored covariance, then
     * (Student-t) each component's degrees of freedom.
     */
    public void writeParameters(ByteBuffer out) {
        StateFormat.putAll(out, weights);
        for (int c = 0; c < k; c++) {
            StateFormat.putAll(out, means[c]);
            StateFormat.putAll(out, covariances[c]);
        }
        tails.writeTo(out);
    }

    /** Bytes {@link #writeParameters} writes. */
    public int parametersSize() {
        return 8 * k * (1 + d + covariance.storedLength()) + tails.serializedSize();
    }

    /** Reads {@link #writeParameters}'s part into this mixture and rebuilds what derives from it (factors, log-weights). */
    public void readParameters(ByteBuffer in) {
        StateFormat.getAll(in, weights);
        for (int c = 0; c < k; c++) {
            StateFormat.getAll(in, means[c]);
            StateFormat.getAll(in, covariances[c]);
        }
        tails.readFrom(in);
        refreshAll();
    }
}
