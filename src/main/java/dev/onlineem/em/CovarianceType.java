package dev.onlineem.em;

import java.util.Locale;

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
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a label case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted values
     */
    public static CovarianceType parse(String label) {
        for (CovarianceType t : values()) {
            if (t.label().equalsIgnoreCase(label.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException("covariance type '" + label + "' is not one of full, diag, spherical");
    }

    /** Free covariance parameters of one component in dimension d. */
    public int parametersPerComponent(int d) {
        switch (this) {
            case FULL: return d * (d + 1) / 2;
            case DIAG: return d;
            default: return 1;
        }
    }

    /** Length of one component's stored covariance (and second-moment statistic) array. */
    int storedLength(int d) {
        switch (this) {
            case FULL: return d * d;
            case DIAG: return d;
            default: return 1;
        }
    }
}
