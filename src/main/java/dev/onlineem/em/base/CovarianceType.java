package dev.onlineem.em.base;

/** How much of each component's covariance matrix the model learns. */
public enum CovarianceType {
    /** A full symmetric d x d matrix per component: d(d+1)/2 free parameters each. */
    FULL,
    /** A diagonal matrix per component: d free parameters each. */
    DIAG,
    /** A multiple of the identity per component: one free parameter each. */
    SPHERICAL;

    /** The lower-case name used in configuration and messages ({@code full}, {@code diag}, {@code spherical}). */
    public String label() {
        return Labels.of(this);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static CovarianceType parse(String label) {
        return Labels.parse(CovarianceType.class, label, "covariance type");
    }
}
