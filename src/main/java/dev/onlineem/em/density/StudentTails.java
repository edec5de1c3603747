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
 *   <li>the degrees of freedom: each component's nu solves 1 + log(nu / 2) - psi(nu / 2) + sdf / s0 = 0, with sdf the
 *       r-weighted sum of log u - u + psi((nu_old + p) / 2) - log((nu_old + p) / 2) (ibid., eq. 6.17), a 1-D root found
 *       by Newton's method on log nu (nearly linear there) within [{@link Distribution#MIN_DF}, {@link Distribution#MAX_DF}],
 *       unless the settings fix nu.</li>
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
    /** ln Gamma((nu + d) / 2) - ln Gamma(nu / 2) - (d / 2) ln(nu pi): the density's constant with every coordinate present. */
    private final double[] logConstant;
    /** psi((nu + d) / 2) - log((nu + d) / 2), the df term's shift with every coordinate present. */
    private final double[] shift;

    StudentTails(Distribution distribution, int k, int d) {
        this.distribution = distribution;
        this.d = d;
        this.df = new double[k];
        this.logConstant = new double[k];
        this.shift = new double[k];
        Arrays.fill(df, distribution.estimatesDf() ? Distribution.INITIAL_DF : distribution.df());
        for (int c = 0; c < k; c++) {
            refresh(c);
        }
    }

    private StudentTails(StudentTails other) {
        this.distribution = other.distribution;
        this.d = other.d;
        this.df = other.df.clone();
        this.logConstant = other.logConstant.clone();
        this.shift = other.shift.clone();
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

    @Override
    void refresh(int c) {
        logConstant[c] = logConstant(df[c], d);
        shift[c] = -SpecialFunctions.logMinusDigamma((df[c] + d) / 2);
    }

    @Override
    public void densities(double[] logDets, EStepWork work) {
        double[] logR = work.componentLogDensities;
        int p = work.observedCount;
        for (int c = 0; c < logR.length; c++) {
            double nu = df[c];
            double maha = work.mahalanobis[c];
            double constant = p == d ? logConstant[c] : logConstant(nu, p);
            double s = p == d ? shift[c] : -SpecialFunctions.logMinusDigamma((nu + p) / 2);
            logR[c] = constant - 0.5 * logDets[c] - 0.5 * (nu + p) * Math.log1p(maha / nu);
            double u = (nu + p) / (nu + maha);
            work.u[c] = u;
            work.dfTerms[c] = Math.log(u) - u + s;
        }
    }

    @Override
    public void neutral(EStepWork work) {
        for (int c = 0; c < df.length; c++) {
            work.u[c] = 1;
            work.dfTerms[c] = -1 - SpecialFunctions.logMinusDigamma(df[c] / 2);
        }
    }

    @Override
    public double neutralDfStatistic(int c, double w) {
        return -w * (1 + SpecialFunctions.logMinusDigamma(df[c] / 2));
    }

    /**
     * Solves log(x) - psi(x) = -(1 + sdf / s0) for x = nu / 2 (the left side falls from +inf to 0, so there is one root
     * whenever the right side is positive, which log u - u &lt;= -1 makes it): Newton on y = log x from the current nu,
     * kept inside a bracket that starts at the bounds and falls back to bisection.
     */
    @Override
    public void mStepDf(int c, double s0, double sdf) {
        if (!distribution.estimatesDf() || !(s0 > 0)) {
            return;
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
            double y = Math.min(Math.max(Math.log(df[c] / 2), lo), hi);
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
        if (nu != df[c]) {
            df[c] = nu;
            refresh(c);
        }
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
