package dev.onlineem.em;

import java.util.Locale;

/** One feature of a bar, as the tick stage reports it; see {@link TickBars}. */
public enum BarFeature {
    /** log(close / previous bar's close); missing for the first bar and for an empty bar. */
    RETURN,
    /** Realised volatility: sqrt of the sum of squared log returns between consecutive ticks inside the bar (0 for one tick). */
    VOLATILITY,
    /** log(1 + traded size over the bar); 0 for an empty bar. */
    VOLUME,
    /** log(high / low) over the bar; 0 for one tick, missing for an empty bar. */
    RANGE;

    /** The configuration name: {@code return}, {@code volatility}, {@code volume}, {@code range}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BarFeature parse(String name) {
        for (BarFeature f : values()) {
            if (f.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return f;
            }
        }
        throw new IllegalArgumentException("setting ticks.features: unknown feature \"" + name.trim()
                + "\"; the features are return, volatility, volume, range");
    }
}
