package dev.onlineem.em.features;

import dev.onlineem.em.base.Labels;

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
        return Labels.of(this);
    }

    public static BarFeature parse(String name) {
        BarFeature f = Labels.find(BarFeature.class, name);
        if (f == null) {
            throw new IllegalArgumentException("setting ticks.features: unknown feature \"" + name.trim()
                    + "\"; the features are " + Labels.list(BarFeature.class));
        }
        return f;
    }
}
