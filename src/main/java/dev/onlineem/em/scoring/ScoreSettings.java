package dev.onlineem.em.scoring;

import dev.onlineem.em.base.SettingCheck;

/**
 * How a model turns its surprise ({@code -logDensity}) into a p-value, an anomaly score and alerts.
 *
 * @param alpha a point is an anomaly when its combined tail probability is below this (its
 *        anomalyScore is then at least {@link AnomalyScorer#threshold(double)} of alpha)
 * @param halfLife memory of the surprise sketch behind pValue, in points
 * @param likelihoodWindow points in the short window of the anomaly likelihood; 1 turns it off (i.i.d. data)
 * @param likelihoodHalfLife memory of the long-run mean and spread the short window is compared with, in points
 * @param suppressPoints after an alert, further alerts of the same model are held back for this many points
 * @param likelihoodTail the distribution the likelihood's window mean is judged against
 * @param rangeTolerance once the model is past its warm-up, a point with a coordinate beyond the range of that coordinate's
 *        values so far (every point the model took, warm-up included) by more than this fraction of the range is an anomaly
 *        too, whatever its density: a value the stream has never come near. 0 turns the rule off
 * @param repeatTolerance a point that would alert, rare by its own pValue (not only by the anomaly likelihood's run),
 *        inside the range, and within this fraction of each coordinate's range of one of the model's last
 *        {@link #REPEAT_MEMORY} alerts on every coordinate it has, repeats what that alert said: it is not an anomaly (the
 *        record says repeat). 0 turns the rule off
 */
public record ScoreSettings(double alpha, double halfLife, int likelihoodWindow, double likelihoodHalfLife,
                            int suppressPoints, LikelihoodTail likelihoodTail, double rangeTolerance, double repeatTolerance) {
    public static final double DEFAULT_ALPHA = 0.004;
    public static final double DEFAULT_HALF_LIFE = 10_000;
    public static final int DEFAULT_LIKELIHOOD_WINDOW = 100;
    /**
     * The anomaly likelihood's long-run memory. On NAB (with the range and repeat rules) 4,000, 5,000, 7,000 and 10,000
     * score 70.17, 70.21, 70.18 and 70.18 against 69.28 at 2,000 and 69.40 at 3,000: one window more,
     * machine_temperature_system_failure's last (docs/adaptive-models.md).
     */
    public static final double DEFAULT_LIKELIHOOD_HALF_LIFE = 7_000;
    /** The default before 2026-12-07's sixth session; version 2 states, which kept none, are read with it. */
    public static final double FORMER_LIKELIHOOD_HALF_LIFE = 2_000;
    public static final int DEFAULT_SUPPRESS_POINTS = 100;
    public static final LikelihoodTail DEFAULT_LIKELIHOOD_TAIL = LikelihoodTail.GAUSSIAN;
    /**
     * Numenta's "spatial anomaly" tolerance, which NAB's HTM detector uses at 0.05: on NAB's 58 streams 0.1 scores 64.6
     * against 62.2 without the rule, 64.4 at 0.05 and 63.0 at 0.2 (docs/adaptive-models.md).
     */
    public static final double DEFAULT_RANGE_TOLERANCE = 0.1;
    /**
     * On NAB's 58 streams (with the range rule; scored offline) 0.07 scores 69.3 against 64.6 without the repeat rule; 0.03
     * 67.9, 0.05 68.7, 0.06 69.2, 0.08 69.4, 0.1 68.8 (docs/adaptive-models.md).
     */
    public static final double DEFAULT_REPEAT_TOLERANCE = 0.07;
    /** The alerts a model remembers for the repeat rule, the oldest forgotten first (on NAB, offline: 8 scores 69.28, 16 and 32 69.32). */
    public static final int REPEAT_MEMORY = 16;
    public static final ScoreSettings DEFAULT = new ScoreSettings(DEFAULT_ALPHA, DEFAULT_HALF_LIFE,
            DEFAULT_LIKELIHOOD_WINDOW, DEFAULT_LIKELIHOOD_HALF_LIFE, DEFAULT_SUPPRESS_POINTS, DEFAULT_LIKELIHOOD_TAIL, DEFAULT_RANGE_TOLERANCE,
            DEFAULT_REPEAT_TOLERANCE);
    static final int MAX_LIKELIHOOD_WINDOW = 10_000;

    public ScoreSettings {
        SettingCheck.check(alpha > 0 && alpha < 1, "anomaly.alpha", alpha, "in (0, 1)");
        SettingCheck.check(halfLife >= 10, "anomaly.half.life", halfLife, "at least 10 points");
        SettingCheck.check(likelihoodWindow >= 1 && likelihoodWindow <= MAX_LIKELIHOOD_WINDOW,
                "anomaly.likelihood.window", likelihoodWindow, "in [1, " + MAX_LIKELIHOOD_WINDOW + "] (1: off)");
        SettingCheck.check(likelihoodHalfLife >= 10, "anomaly.likelihood.half.life", likelihoodHalfLife, "at least 10 points");
        SettingCheck.check(likelihoodTail != null, "anomaly.likelihood.tail", likelihoodTail, "gaussian or gamma");
        SettingCheck.check(suppressPoints >= 0, "anomaly.suppress.points", suppressPoints, "at least 0 (0: every anomaly alerts)");
        SettingCheck.check(rangeTolerance >= 0 && rangeTolerance < Double.POSITIVE_INFINITY, "anomaly.range.tolerance", rangeTolerance,
                "a finite number at least 0 (0: off)");
        SettingCheck.check(repeatTolerance >= 0 && repeatTolerance < Double.POSITIVE_INFINITY, "anomaly.repeat.tolerance", repeatTolerance,
                "a finite number at least 0 (0: off)");
    }

    /** Settings without the range and repeat rules (as every state before format 13 was scored). */
    public ScoreSettings(double alpha, double halfLife, int likelihoodWindow, double likelihoodHalfLife, int suppressPoints,
                         LikelihoodTail likelihoodTail) {
        this(alpha, halfLife, likelihoodWindow, likelihoodHalfLife, suppressPoints, likelihoodTail, 0, 0);
    }

    /** Whether the range rule is on. */
    public boolean rangeRule() {
        return rangeTolerance > 0;
    }

    /** Whether the repeat rule is on. */
    public boolean repeatRule() {
        return repeatTolerance > 0;
    }

    /** Whether a model keeps the range of each coordinate's values: for the range rule, the repeat rule or both. */
    public boolean keepsRange() {
        return rangeRule() || repeatRule();
    }

    public ScoreSettings withRepeatTolerance(double tolerance) {
        return new ScoreSettings(alpha, halfLife, likelihoodWindow, likelihoodHalfLife, suppressPoints, likelihoodTail, rangeTolerance, tolerance);
    }

    public ScoreSettings withRangeTolerance(double tolerance) {
        return new ScoreSettings(alpha, halfLife, likelihoodWindow, likelihoodHalfLife, suppressPoints, likelihoodTail, tolerance, repeatTolerance);
    }

    public ScoreSettings withAlpha(double a) {
        return new ScoreSettings(a, halfLife, likelihoodWindow, likelihoodHalfLife, suppressPoints, likelihoodTail, rangeTolerance, repeatTolerance);
    }

    public ScoreSettings withLikelihoodTail(LikelihoodTail tail) {
        return new ScoreSettings(alpha, halfLife, likelihoodWindow, likelihoodHalfLife, suppressPoints, tail, rangeTolerance, repeatTolerance);
    }

    public ScoreSettings withHalfLife(double h) {
        return new ScoreSettings(alpha, h, likelihoodWindow, likelihoodHalfLife, suppressPoints, likelihoodTail, rangeTolerance, repeatTolerance);
    }
}
