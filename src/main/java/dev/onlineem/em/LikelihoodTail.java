package dev.onlineem.em;

/**
 * The distribution against which the anomaly likelihood judges the mean surprise of its short window
 * ({@code model.anomaly.likelihood.tail}). Both use the window mean's long-run mean m and variance v.
 */
public enum LikelihoodTail {
    /**
     * The Gaussian upper tail of (mean - m) / sqrt(v), as in Ahmad et al. (2017) and Numenta's detector.
     * Too thin for a mean of skewed surprises: on i.i.d. points it passes 1e-4 about 5 times as often as
     * nominal (measured, AnomalyScoreTest), which is what makes it quick to react to bursts and shifts;
     * what NAB's streams score best with.
     */
    GAUSSIAN("gaussian"),
    /**
     * The gamma distribution with mean m and variance v (Wilson-Hilferty's cube-root normal form). On
     * i.i.d. points from the model the window mean of -log10 pValue is exactly gamma, so this tail is
     * calibrated there: the choice for an alarm budget on well-modelled streams.
     */
    GAMMA("gamma");

    private final String label;

    LikelihoodTail(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static LikelihoodTail parse(String s) {
        for (LikelihoodTail t : values()) {
            if (t.label.equalsIgnoreCase(s.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException("likelihood tail '" + s + "' is not one of gaussian, gamma");
    }
}
