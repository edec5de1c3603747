package dev.onlineem.em.density;

/** ln Gamma, the regularised incomplete beta function, Student's t tail and the normal quantile: what t densities and tests need. */
public final class SpecialFunctions {
    private static final double[] LANCZOS = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    private static final int MAX_FRACTION_TERMS = 300;
    private static final double FRACTION_EPSILON = 1e-15;
    private static final double TINY = 1e-300;

    private SpecialFunctions() {
    }

    /** ln Gamma(x) for x &gt; 0 (Lanczos, g = 7, nine terms: about 15 significant digits). */
    public static double logGamma(double x) {
        if (x < 0.5) {
            // reflection: Gamma(x) Gamma(1 - x) = pi / sin(pi x)
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double z = x - 1;
        double a = LANCZOS[0];
        double t = z + 7.5;
        for (int i = 1; i < LANCZOS.length; i++) {
            a += LANCZOS[i] / (z + i);
        }
        return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
    }

    /** I_x(a, b), the regularised incomplete beta function, for 0 &lt;= x &lt;= 1 and a, b &gt; 0 (continued fraction, Lentz). */
    public static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
        // the fraction converges fast for x < (a + 1) / (a + b + 2); else use I_x(a, b) = 1 - I_{1-x}(b, a)
        if (x < (a + 1) / (a + b + 2)) {
            return Math.exp(logFront) * betaFraction(x, a, b) / a;
        }
        return 1 - Math.exp(logFront) * betaFraction(1 - x, b, a) / b;
    }

    static double logBeta(double a, double b) {
        return logGamma(a) + logGamma(b) - logGamma(a + b);
    }

    private static double betaFraction(double x, double a, double b) {
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.abs(d) < TINY ? TINY : d);
        double h = d;
        for (int m = 1; m <= MAX_FRACTION_TERMS; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 + aa * d;
            d = 1 / (Math.abs(d) < TINY ? TINY : d);
            c = 1 + aa / c;
            c = Math.abs(c) < TINY ? TINY : c;
            h *= d * c;
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 + aa * d;
            d = 1 / (Math.abs(d) < TINY ? TINY : d);
            c = 1 + aa / c;
            c = Math.abs(c) < TINY ? TINY : c;
            double delta = d * c;
            h *= delta;
            if (Math.abs(delta - 1) < FRACTION_EPSILON) {
                break;
            }
        }
        return h;
    }

    /** P(|T| &gt;= |t|) for T Student's t with nu degrees of freedom: I_{nu / (nu + t^2)}(nu / 2, 1 / 2). */
    public static double studentTwoSidedTail(double t, double nu) {
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return 0;
        }
        return regularizedBeta(nu / (nu + t * t), nu / 2, 0.5);
    }

    /** ln of Student's t density with nu degrees of freedom at standardised t (scale 1). */
    public static double logStudentDensity(double t, double nu) {
        return logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI) - (nu + 1) / 2 * Math.log1p(t * t / nu);
    }

    private static final double[] ACKLAM_A = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] ACKLAM_B = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    private static final double[] ACKLAM_C = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] ACKLAM_D = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00};
    private static final double ACKLAM_LOW = 0.02425;

    /**
     * The standard normal quantile Phi^-1(p) for p in (0, 1): Acklam's rational approximation (relative error below
     * 1.2e-9) and one Halley step on {@link Erf#erfc}, so about 1e-15; -inf at 0, +inf at 1, NaN outside.
     */
    public static double normalQuantile(double p) {
        if (!(p > 0 && p < 1)) {
            return p == 0 ? Double.NEGATIVE_INFINITY : p == 1 ? Double.POSITIVE_INFINITY : Double.NaN;
        }
        double[] a = ACKLAM_A;
        double[] b = ACKLAM_B;
        double[] c = ACKLAM_C;
        double[] d = ACKLAM_D;
        double x;
        if (p < ACKLAM_LOW || p > 1 - ACKLAM_LOW) {
            double q = Math.sqrt(-2 * Math.log(p < ACKLAM_LOW ? p : 1 - p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
            x = p < ACKLAM_LOW ? x : -x;
        } else {
            double q = p - 0.5;
            double r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                    / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        if (Math.abs(x) > 37.5) {
            return x; // exp(x^2 / 2) would overflow; Acklam's 1e-9 is plenty this far out
        }
        // Halley: e = Phi(x) - p, u = e sqrt(2 pi) exp(x^2 / 2)
        double e = 0.5 * Erf.erfc(-x / Math.sqrt(2)) - p;
        double u = e * Math.sqrt(2 * Math.PI) * Math.exp(x * x / 2);
        return x - u / (1 + x * u / 2);
    }

    /** Below this, {@link #logMinusDigamma} and its derivative step x up by the recurrence before the asymptotic series. */
    private static final double SERIES_FROM = 10;

    /**
     * log x - psi(x) for x &gt; 0, psi the digamma function: positive, decreasing, about 1 / (2x) for large x and 1 / x
     * for small. Computed directly (no cancellation of log x against psi for large x): the asymptotic series
     * 1/(2x) + sum_k B_2k / (2k x^2k) (Bernoulli numbers to B_14) from {@value #SERIES_FROM} on, and below it the recurrence
     * psi(x) = psi(x + n) - sum_{i &lt; n} 1 / (x + i). About 1e-15 relative.
     */
    public static double logMinusDigamma(double x) {
        if (x >= SERIES_FROM) {
            double r = 1 / x;
            double r2 = r * r;
            return r * 0.5 + r2 * (1.0 / 12 - r2 * (1.0 / 120 - r2 * (1.0 / 252 - r2 * (1.0 / 240 - r2 * (1.0 / 132
                    - r2 * (691.0 / 32760 - r2 * (1.0 / 12)))))));
        }
        double sum = 0;
        double y = x;
        while (y < SERIES_FROM) {
            sum += 1 / y;
            y += 1;
        }
        return Math.log(x / y) + logMinusDigamma(y) + sum;
    }

    /**
     * The derivative of {@link #logMinusDigamma}: 1 / x - psi'(x), negative. Series -(1/(2x^2) + sum_k B_2k / x^(2k+1))
     * from {@value #SERIES_FROM} on, and psi'(x) = psi'(x + n) + sum_{i &lt; n} 1 / (x + i)^2 below.
     */
    public static double logMinusDigammaDerivative(double x) {
        if (x >= SERIES_FROM) {
            double r = 1 / x;
            double r2 = r * r;
            return -r2 * (0.5 + r * (1.0 / 6 - r2 * (1.0 / 30 - r2 * (1.0 / 42 - r2 * (1.0 / 30 - r2 * (5.0 / 66
                    - r2 * (691.0 / 2730 - r2 * (7.0 / 6))))))));
        }
        double sum = 0;
        double y = x;
        while (y < SERIES_FROM) {
            sum += 1 / (y * y);
            y += 1;
        }
        return 1 / x - 1 / y + logMinusDigammaDerivative(y) - sum;
    }
}
