package dev.onlineem.em.density;

import dev.onlineem.em.base.SettingCheck;
import java.util.Locale;

/**
 * The family of a model's components (a mixture's components, an HMM's emissions): {@code model.distribution}.
 *
 * @param family Gaussian or Student-t
 * @param df a Student-t component's degrees of freedom when fixed; 0 when each component's are estimated (always 0 for
 *        a Gaussian)
 */
public record Distribution(Family family, double df) {
    /** Smallest degrees of freedom a Student-t component is given or estimated at. */
    public static final double MIN_DF = 0.5;
    /** Largest degrees of freedom a Student-t component is estimated at (beyond about 100 it is Gaussian in all but name). */
    public static final double MAX_DF = 200;
    /** Where estimated degrees of freedom start, as regime-switching packages do. */
    public static final double INITIAL_DF = 5;
    public static final Distribution GAUSSIAN = new Distribution(Family.GAUSSIAN, 0);
    public static final Distribution STUDENT_T = new Distribution(Family.STUDENT_T, 0);

    /** The component families. */
    public enum Family {
        /** Normal components. */
        GAUSSIAN,
        /** Student-t components, Gaussian scale mixtures: fat tails, robust to outliers. */
        STUDENT_T;

        /** {@code gaussian}, {@code student-t}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** @throws IllegalArgumentException naming the accepted values */
        public static Family parse(String s) {
            for (Family f : values()) {
                if (f.label().equalsIgnoreCase(s.trim()) || f.name().equalsIgnoreCase(s.trim())) {
                    return f;
                }
            }
            throw new IllegalArgumentException("distribution '" + s + "' is not one of gaussian, student-t");
        }
    }

    public Distribution {
        SettingCheck.check(family != null, "distribution", null, "one of gaussian, student-t");
        SettingCheck.check(df == 0 || (family == Family.STUDENT_T && df >= MIN_DF && df <= MAX_DF), "df", df,
                "0 (estimated) or, for model.distribution=student-t, in [" + MIN_DF + ", " + MAX_DF + "]");
    }

    /** Student-t with df degrees of freedom, or estimated when df is 0. */
    public static Distribution studentT(double df) {
        return new Distribution(Family.STUDENT_T, df);
    }

    public boolean studentT() {
        return family == Family.STUDENT_T;
    }

    /** Whether each component's degrees of freedom are estimated (Student-t with df 0). */
    public boolean estimatesDf() {
        return studentT() && df == 0;
    }

    /** {@code gaussian}, {@code student-t}, {@code student-t(df=4)}. */
    public String label() {
        return df == 0 ? family.label() : family.label() + "(df=" + df + ")";
    }
}
