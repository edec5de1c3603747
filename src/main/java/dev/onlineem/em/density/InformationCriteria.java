package dev.onlineem.em.density;

/** The information criteria that choose K and that {@code fit} reports: lower is better for both. */
public final class InformationCriteria {
    private InformationCriteria() {
    }

    /** Schwarz's Bayesian information criterion, -2 log L + p ln n, for p free parameters fitted to n points. */
    public static double bic(double logLikelihood, long freeParameters, long n) {
        return -2 * logLikelihood + freeParameters * Math.log(n);
    }

    /** Akaike's information criterion, -2 log L + 2 p. */
    public static double aic(double logLikelihood, long freeParameters) {
        return -2 * logLikelihood + 2 * freeParameters;
    }
}
