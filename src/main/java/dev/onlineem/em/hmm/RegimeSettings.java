package dev.onlineem.em.hmm;

import dev.onlineem.em.base.SettingCheck;

/**
 * When an HMM model announces a change of regime: the newly most probable regime must have filtered
 * probability at least {@code minProbability} for {@code persistence} consecutive points (no flapping).
 *
 * @param minProbability in (0.5, 1]: a regime that is merely the likeliest of several does not count
 * @param persistence points, at least 1
 */
public record RegimeSettings(double minProbability, int persistence) {
    public static final double DEFAULT_MIN_PROBABILITY = 0.8;
    public static final int DEFAULT_PERSISTENCE = 3;
    public static final RegimeSettings DEFAULT = new RegimeSettings(DEFAULT_MIN_PROBABILITY, DEFAULT_PERSISTENCE);

    public RegimeSettings {
        SettingCheck.check(minProbability > 0.5 && minProbability <= 1, "regime.min.probability", minProbability, "in (0.5, 1]");
        SettingCheck.check(persistence >= 1, "regime.persistence", persistence, "at least 1 point");
    }
}
