package dev.onlineem.em.features;

import dev.onlineem.em.base.SettingCheck;

/**
 * What a model's causal feature stage turns each input point into, before the mixture sees it. Every
 * feature is computed from the model's own past points only, in the data's units.
 *
 * <p>The feature vector is laid out as: the point x_t (d values); then {@code lags} lagged blocks, each
 * d values, either the past points x_{t-1} .. x_{t-L} or, with {@code differences}, the differences
 * x_t - x_{t-1} .. x_{t-L+1} - x_{t-L}; then, with a {@code window} w, the mean and the standard deviation
 * of each coordinate over the w points before x_t (2d values); then the time of day and the day of the
 * week of the record's timestamp (UTC) as points on the unit circle (2 values each).
 *
 * @param lags lagged blocks L, 0 for none
 * @param differences the lagged blocks hold first differences instead of past values
 * @param window rolling window w for the context mean and spread, 0 for none (otherwise at least 2)
 * @param timeOfDay add (cos, sin) of the time of day
 * @param dayOfWeek add (cos, sin) of the position in the week
 */
public record FeatureSettings(int lags, boolean differences, int window, boolean timeOfDay, boolean dayOfWeek) {
    /** No features: the mixture models the points as they come (i.i.d. data). */
    public static final FeatureSettings NONE = new FeatureSettings(0, false, 0, false, false);
    /**
     * The service's default: measured on NAB (see the README), the point alone with the anomaly likelihood
     * for temporal context scored best; lags, differences, windows and calendar features each lowered it.
     */
    public static final FeatureSettings DEFAULT = NONE;
    static final int MAX_LAGS = 64;
    static final int MAX_WINDOW = 10_000;

    public FeatureSettings {
        SettingCheck.check(lags >= 0 && lags <= MAX_LAGS, "features.lags", lags, "in [0, " + MAX_LAGS + "]");
        SettingCheck.check(window == 0 || window >= 2 && window <= MAX_WINDOW, "features.window", window,
                "0 (off) or in [2, " + MAX_WINDOW + "]");
        SettingCheck.check(!differences || lags > 0, "features.differences", differences, "false when features.lags is 0");
    }

    /** Whether the stage passes points through unchanged. */
    public boolean isIdentity() {
        return lags == 0 && window == 0 && !timeOfDay && !dayOfWeek;
    }

    /** Past points the stage must have seen before it can build a feature vector. */
    public int history() {
        return Math.max(lags, window);
    }

    /** Length of the feature vector for points of dimension d. */
    public int outputDimension(int d) {
        return d * (1 + lags) + (window > 0 ? 2 * d : 0) + (timeOfDay ? 2 : 0) + (dayOfWeek ? 2 : 0);
    }
}
