package dev.onlineem.config;

import java.util.Locale;

/**
 * What the assignments topic gets per point ({@code assignments.mode}, per model-id prefix with
 * {@code assignments.override.<prefix>.mode}). Anomalies, dead letters, regimes and models are published in every mode.
 */
public enum AssignmentsMode {
    /** Every point's full assignment: cluster and responsibilities (or regime and its probabilities), scores, imputed values. */
    FULL,
    /** Every point's assignment without its vectors (responsibilities, regime probabilities, imputed values). */
    COMPACT,
    /** No assignments: the anomalies topic still gets every anomaly's full assignment. */
    OFF;

    /** The settings' spellings: full, compact, off. */
    public static final java.util.List<String> SETTINGS = java.util.Arrays.stream(values()).map(AssignmentsMode::setting).toList();

    public static AssignmentsMode parse(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }

    public String setting() {
        return name().toLowerCase(Locale.ROOT);
    }
}
