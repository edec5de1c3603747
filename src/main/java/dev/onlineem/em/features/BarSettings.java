package dev.onlineem.em.features;

import dev.onlineem.em.base.SettingCheck;
import java.util.List;

/**
 * How the tick stage turns one symbol's ticks into bars and bars into feature vectors; see
 * {@link TickBars}. Validated on construction, each error naming the setting.
 *
 * @param timeBars true for time bars of {@code barMs}, false for tick-count bars of {@code barTicks}
 * @param barMs length of a time bar in event time (milliseconds)
 * @param barTicks ticks per tick-count bar
 * @param graceMs how long after its end a time bar stays open for out-of-order ticks (event time); for
 *        tick-count bars, how far before the last closed bar's newest tick a tick may still fall
 * @param features the feature vector of each bar, in this order
 * @param gapBars a run of empty time bars (no trades) is reported as up to this many bars with volume
 *        0 and every other feature missing; 0 skips empty bars (the next bar's return then spans the gap)
 */
public record BarSettings(boolean timeBars, long barMs, int barTicks, long graceMs, List<BarFeature> features, int gapBars) {
    public static final long DEFAULT_BAR_MS = 60_000;
    public static final int DEFAULT_BAR_TICKS = 100;
    /** Volatility first, so that the HMM's regime 0 (ascending mean of the first feature) is the calmest. */
    public static final List<BarFeature> DEFAULT_FEATURES = List.of(BarFeature.VOLATILITY, BarFeature.RETURN, BarFeature.VOLUME, BarFeature.RANGE);
    /** The most time bars a symbol may hold open at once (grace / bar length + 1). */
    static final int MAX_OPEN_BARS = 1000;
    public static final BarSettings DEFAULT = new BarSettings(true, DEFAULT_BAR_MS, DEFAULT_BAR_TICKS, 0, DEFAULT_FEATURES, 0);

    public BarSettings {
        SettingCheck.check(barMs >= 1, "ticks.bar.ms", barMs, "at least 1");
        SettingCheck.check(barTicks >= 1, "ticks.bar.ticks", barTicks, "at least 1");
        SettingCheck.check(graceMs >= 0 && (!timeBars || graceMs / barMs < MAX_OPEN_BARS), "ticks.grace.ms", graceMs,
                "at least 0 and below " + MAX_OPEN_BARS + " bars (ticks.bar.ms)");
        SettingCheck.check(features != null && !features.isEmpty() && features.stream().distinct().count() == features.size(),
                "ticks.features", features, "a non-empty list of distinct features among return, volatility, volume, range");
        SettingCheck.check(gapBars >= 0 && gapBars <= 10_000, "ticks.gap.bars", gapBars, "in [0, 10000]");
        features = List.copyOf(features);
    }

    public int dimension() {
        return features.size();
    }
}
