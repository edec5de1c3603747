package dev.onlineem.em;

/** ln Gamma, the regularised incomplete beta function and Student's t tail: what t densities and tests need. */
final class SpecialFunctions {
    private static final double[] LANCZOS = {0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
        -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7};
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    private static final int MAX_FRACTION_TERMS = 300;
    private static final double FRACTION_EPSILON = 1e-15;
    private static final double TINY = 1e-300;

    private SpecialFunctions() {
    }

    /** ln Gamma(x) for x &gt; 0 (Lanczos, g = 7, nine terms: about 15 significant digits). */
    static double logGamma(double x) {
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
    static double regularizedBeta(double x, double a, double b) {
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
    static double studentTwoSidedTail(double t, double nu) {
        if (Double.isNaN(t)) {
            return Double.NaN;
        }
        if (Double.isInfinite(t)) {
            return 0;
        }
        return regularizedBeta(nu / (nu + t * t), nu / 2, 0.5);
    }

    /** ln of Student's t density with nu degrees of freedom at standardised t (scale 1). */
    static double logStudentDensity(double t, double nu) {
        return logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI) - (nu + 1) / 2 * Math.log1p(t * t / nu);
    }
}
