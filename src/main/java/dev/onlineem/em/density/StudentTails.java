package dev.onlineem.em.density;

import dev.onlineem.em.base.StateFormat;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Student-t components as Gaussian scale mixtures (Peel &amp; McLachlan 2000; online, Nguyen &amp; Forbes): given u ~
 * Gamma(nu / 2, nu / 2), x ~ N(mu, Sigma / u). For a point whose p observed coordinates lie at squared Mahalanobis
 * distance delta^2 from the component:
 * <ul>
 *   <li>log t(x) = ln Gamma((nu + p) / 2) - ln Gamma(nu / 2) - (p / 2) ln(nu pi) - (1 / 2) ln det Sigma_oo
 *       - ((nu + p) / 2) ln(1 + delta^2 / nu), the marginal of a t being a t with the same nu;</li>
 *   <li>the E-step's weight u = E[u | x] = (nu + p) / (nu + delta^2): the statistics of the mean and covariance are
 *       weighted by r u, so a far point moves a component little;</li>
 *   <li>the degrees of freedom, by a Fisher-scoring step on the t log-likelihood itself with u integrated out (an ECME
 *       step, Liu &amp; Rubin 1995, rather than EM's step on the complete-data likelihood, which crawls where the df trade
 *       off against the weights): with y = ln nu, each point adds to the statistics r (g + I y) and r I, g the score
 *       of its log-density in y and I its Fisher information in y (a function of nu and p alone), and the M-step sets
 *       y = sdf / sdfInformation, the root of the scores linearised about the df each point saw, within
 *       [{@link Distribution#MIN_DF}, {@link Distribution#MAX_DF}], unless the settings fix nu. Batch EM, whose
 *       statistics are sums under the current df, so takes one Fisher-scoring step per iteration.</li>
 * </ul>
 */
public final class StudentTails extends Tails {
    private static final double LOG_PI = Math.log(Math.PI);
    private static final double LOG_MIN_HALF = Math.log(Distribution.MIN_DF / 2);
    private static final double LOG_MAX_HALF = Math.log(Distribution.MAX_DF / 2);
    private static final int MAX_NEWTON_STEPS = 60;
    private static final double NEWTON_TOLERANCE = 1e-13;

    private final Distribution distribution;
    private final int d;
    private final double[] df;
    /** ln nu. */
    private final double[] logDf;
    /**
     * Per component c and number of observed coordinates p (index p, 1..d), what depends on nu and p alone: the
     * density's constant ({@link #logConstant}), the score's delta-free part ({@link #scoreConstant}) and the Fisher
     * information in ln nu ({@link #information}). p = d is computed when the df change; a smaller p (a point with missing
     * coordinates) at its first use after that, NaN until then, so a stream with missing values does not pay six special
     * functions per component and point. Each thread's E-step has its own mixture copy, as for every work array.
     */
    private final double[][] logConstant;
    private final double[][] scoreConstant;
    private final double[][] information;

    StudentTails(Distribution distribution, int k, int d) {
        this.distribution = distribution;
        this.d = d;
        this.df = new double[k];
        this.logDf = new double[k];
        this.logConstant = new double[k][d + 1];
        this.scoreConstant = new double[k][d + 1];
        this.information = new double[k][d + 1];
        Arrays.fill(df, distribution.estimatesDf() ? Distribution.INITIAL_DF : distribution.df());
        for (int c = 0; c < k; c++) {
            refresh(c);
        }
    }

    private StudentTails(StudentTails other) {
        this.distribution = other.distribution;
        this.d = other.d;
        this.df = other.df.clone();
        this.logDf = other.logDf.clone();
        this.logConstant = deepCopy(other.logConstant);
        this.scoreConstant = deepCopy(other.scoreConstant);
        this.information = deepCopy(other.information);
    }

    @Override
    public Distribution distribution() {
        return distribution;
    }

    @Override
    public Tails copy() {
        return new StudentTails(this);
    }

    @Override
    boolean weighted() {
        return true;
    }

    @Override
    public int parameters() {
        return distribution.estimatesDf() ? 1 : 0;
    }

    private static double logConstant(double nu, int p) {
        return SpecialFunctions.logGamma((nu + p) / 2) - SpecialFunctions.logGamma(nu / 2) - 0.5 * p * (Math.log(nu) + LOG_PI);
    }

    /**
     * d/dnu of ln Gamma((nu + p) / 2) - ln Gamma(nu / 2) - (p / 2) ln nu: (psi((nu + p) / 2) - psi(nu / 2)) / 2 - p / (2 nu),
     * the psi difference taken as ln(1 + p / nu) plus a difference of ln x - psi(x), which has no cancellation.
     */
    static double scoreConstant(double nu, int p) {
        double psiDifference = Math.log1p(p / nu) - SpecialFunctions.logMinusDigamma((nu + p) / 2) + SpecialFunctions.logMinusDigamma(nu / 2);
        return 0.5 * psiDifference - 0.5 * p / nu;
    }

    /**
     * The Fisher information about nu of one p-variate t observation (Lange, Little &amp; Taylor 1989), times nu^2: the
     * information in y = ln nu. In nu it is (psi'(nu / 2) - psi'((nu + p) / 2)) / 4 - p (nu + p + 4) / (2 nu (nu + p) (nu + p + 2)),
     * with psi'(x) = 1 / x - (d/dx)(ln x - psi(x)).
     */
    static double information(double nu, int p) {
        double trigammaDifference = 2.0 * p / (nu * (nu + p)) - SpecialFunctions.logMinusDigammaDerivative(nu / 2)
                + SpecialFunctions.logMinusDigammaDerivative((nu + p) / 2);
        double inNu = 0.25 * trigammaDifference - p * (nu + p + 4) / (2 * nu * (nu + p) * (nu + p + 2));
        return Math.max(nu * nu * inNu, Double.MIN_NORMAL);
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] b = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i].clone();
        }
        return b;
    }

    @Override
    void refresh(int c) {
        logDf[c] = Math.log(df[c]);
        Arrays.fill(logConstant[c], Double.NaN);
        fill(c, d);
    }

    /** Computes component c's constants for p observed coordinates. */
    private void fill(int c, int p) {
        double nu = df[c];
        logConstant[c][p] = logConstant(nu, p);
        scoreConstant[c][p] = scoreConstant(nu, p);
        information[c][p] = information(nu, p);
    }

    @Override
    public void densities(double[] logDets, EStepWork work) {
        double[] logR = work.componentLogDensities;
        int p = work.observedCount;
        for (int c = 0; c < logR.length; c++) {
            double nu = df[c];
            double maha = work.mahalanobis[c];
            if (Double.isNaN(logConstant[c][p])) {
                fill(c, p);
            }
            double log1p = Math.log1p(maha / nu);
            logR[c] = logConstant[c][p] - 0.5 * logDets[c] - 0.5 * (nu + p) * log1p;
            work.u[c] = (nu + p) / (nu + maha);
            // the score of the log-density in nu: its delta-free part, then -ln(1 + delta^2 / nu) / 2 + (nu + p) q / (2 nu)
            // with q = delta^2 / (nu + delta^2); in y = ln nu, times nu
            double q = maha / (nu + maha);
            double scoreY = nu * (scoreConstant[c][p] - 0.5 * log1p) + 0.5 * (nu + p) * q;
            double info = information[c][p];
            work.dfTerms[c] = scoreY + info * logDf[c];
            work.dfInformation[c] = info;
        }
    }

    @Override
    public void neutral(EStepWork work) {
        for (int c = 0; c < df.length; c++) {
            work.u[c] = 1;
            work.dfTerms[c] = information[c][d] * logDf[c];
            work.dfInformation[c] = information[c][d];
        }
    }

    @Override
    public double neutralDfStatistic(int c, double w) {
        return w * information[c][d] * logDf[c];
    }

    @Override
    public double neutralDfInformation(int c, double w) {
        return w * information[c][d];
    }

    /** y = ln nu at the root of the component's linearised scores, sdf / sdfInformation, nu kept within the bounds. */
    @Override
    public void mStepDf(int c, double s0, double sdf, double sdfInformation) {
        if (!distribution.estimatesDf() || !(s0 > 0) || !(sdfInformation > 0)) {
            return;
        }
        double y = sdf / sdfInformation;
        double nu = Math.min(Math.max(Math.exp(y), Distribution.MIN_DF), Distribution.MAX_DF);
        if (!Double.isNaN(nu) && nu != df[c]) {
            df[c] = nu;
            refresh(c);
        }
    }

    /**
     * The df at which state format 10's EM statistic of a component put them (its M-step, Peel &amp; McLachlan eq. 6.17):
     * the root of log(x) - psi(x) = -(1 + sdf / s0) for x = nu / 2, by Newton on log x from {@code start} inside a
     * bracket that starts at the bounds, with bisection as the fallback. Only for reading such states.
     */
    public static double emDfRoot(double s0, double sdf, double start) {
        if (!(s0 > 0)) {
            return start;
        }
        double target = -(1 + sdf / s0);
        double nu;
        if (!(target > 0) || SpecialFunctions.logMinusDigamma(Distribution.MAX_DF / 2) >= target) {
            nu = Distribution.MAX_DF;
        } else if (SpecialFunctions.logMinusDigamma(Distribution.MIN_DF / 2) <= target) {
            nu = Distribution.MIN_DF;
        } else {
            double lo = LOG_MIN_HALF;
            double hi = LOG_MAX_HALF;
            double logTarget = Math.log(target);
            double y = Math.min(Math.max(Math.log(start / 2), lo), hi);
            for (int i = 0; i < MAX_NEWTON_STEPS; i++) {
                double x = Math.exp(y);
                double g = SpecialFunctions.logMinusDigamma(x);
                double h = Math.log(g) - logTarget;
                if (h == 0) {
                    break;
                }
                if (h > 0) {
                    lo = y; // g too large: the root lies at a larger x
                } else {
                    hi = y;
                }
                double next = y - h * g / (x * SpecialFunctions.logMinusDigammaDerivative(x));
                if (Math.abs(next - y) < NEWTON_TOLERANCE) {
                    y = next;
                    break;
                }
                y = next > lo && next < hi ? next : 0.5 * (lo + hi);
            }
            nu = 2 * Math.exp(y);
        }
        return nu;
    }

    @Override
    public double df(int c) {
        return df[c];
    }

    @Override
    public void setDf(int c, double value) {
        df[c] = Math.min(Math.max(value, Distribution.MIN_DF), Distribution.MAX_DF);
        refresh(c);
    }

    @Override
    public int serializedSize() {
        return 8 * df.length;
    }

    @Override
    public void writeTo(ByteBuffer out) {
        StateFormat.putAll(out, df);
    }

    @Override
    public void readFrom(ByteBuffer in) {
        StateFormat.getAll(in, df);
        for (int c = 0; c < df.length; c++) {
            if (!(df[c] >= Distribution.MIN_DF && df[c] <= Distribution.MAX_DF)) {
                throw new IllegalArgumentException("degrees of freedom " + df[c] + " outside [" + Distribution.MIN_DF + ", "
                        + Distribution.MAX_DF + "]");
            }
            refresh(c);
        }
    }
}
