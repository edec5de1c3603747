package dev.onlineem.em;

import dev.onlineem.em.scoring.ProvisionalScorer;

/**
 * What one point's update produced. One instance is reused from point to point (the hot path
 * allocates nothing): read it before the next update, or copy what you keep.
 */
public final class PointResult {
    /** The point was buffered for the model's warm-up: it has no score. */
    public boolean warmup;
    /**
     * The point was scored by the provisional model of the warm-up ({@link ProvisionalScorer}: a robust per-coordinate
     * t from the buffered points), not by the model itself; {@link #warmup} is true too.
     */
    public boolean provisional;
    /** The model finished warm-up with this point (its first parameters now exist). */
    public boolean initialisedNow;
    /** Drift repair replaced the model's parameters at this point: a fit of its recent points predicted them better. */
    public boolean repaired;
    /** Predictive log-density of the observed coordinates, in the data's units (before the point updated the model). */
    public double logDensity = Double.NaN;
    /** Tail probability of this point's surprise among the model's recent points (conformal, with a fitted far tail). */
    public double pValue = Double.NaN;
    /** Tail probability of the anomaly likelihood (how unusual the recent run of surprise is); 1 when it is off. */
    public double likelihoodPValue = Double.NaN;
    /** D / (D + 3) with D = -log10 of the combined p = 1 - (1 - m)^2, m = min(pValue, likelihoodPValue) (just pValue when the likelihood is off): in [0, 1), 0.5 at p = 1e-3; what the anomaly flag thresholds. */
    public double anomalyScore = Double.NaN;
    /**
     * The combined tail probability is below anomaly.alpha, or the point is {@link #beyondRange}, the model has not
     * alerted in the last anomaly.suppress.points points, and the point is not a {@link #repeat}.
     */
    public boolean anomaly;
    /**
     * A coordinate of the point lies beyond the range of that coordinate's values so far by more than
     * anomaly.range.tolerance of the range (the range rule; the model past its warm-up): it is an anomaly whatever its density.
     */
    public boolean beyondRange;
    /**
     * The point would have been an anomaly but repeats one of the model's recent alerts (the repeat rule,
     * anomaly.repeat.tolerance): it lies, on every coordinate, within that fraction of the range of an earlier alert's point.
     */
    public boolean repeat;
    /** The component with the highest responsibility (for an HMM: the regime). */
    public int cluster = -1;
    /** Responsibilities r_k (for an HMM: the filtered regime probabilities, in regime order); only the first {@link #components} entries are meaningful. */
    public double[] responsibilities = new double[0];
    public int components;
    /** HMM only: the most probable regime after this point (states in ascending order of their first feature's mean); -1 otherwise. */
    public int regime = -1;
    /** HMM only: this point established a new regime (its probability held regime.min.probability for regime.persistence points). */
    public boolean regimeChanged;
    /** With {@link #regimeChanged}: the regime announced before (-1 for the first), and the new one's probability. */
    public int previousRegime = -1;
    public double regimeProbability = Double.NaN;
    /** Whether the point had missing coordinates (then {@link #imputed} holds sum_k r_k x_hat_k). */
    public boolean hasMissing;
    public double[] imputed = new double[0];
    /** Points the current parameters have learned from (pointsSeen at the last M-step). */
    public long modelVersion;
    /** Points this model has accepted so far, this one included. */
    public long pointsSeen;
    /** gamma_t used for this point (0 during warm-up or when the point was too extreme to learn from). */
    public double stepSize;

    /**
     * Clears every per-point output before a model writes its own. The stream layer reuses one instance
     * for models of every kind, so a field that one kind never writes (a mixture's regime) must not carry
     * another kind's last value.
     */
    void beginPoint() {
        warmup = false;
        provisional = false;
        initialisedNow = false;
        repaired = false;
        logDensity = Double.NaN;
        pValue = Double.NaN;
        likelihoodPValue = Double.NaN;
        anomalyScore = Double.NaN;
        anomaly = false;
        beyondRange = false;
        repeat = false;
        cluster = -1;
        components = 0;
        regime = -1;
        regimeChanged = false;
        previousRegime = -1;
        regimeProbability = Double.NaN;
        hasMissing = false;
        stepSize = 0;
    }

    /** The point went to the model's warm-up: no scores (after {@link #beginPoint}). */
    void markWarmup(long modelVersion, long pointsSeen) {
        warmup = true;
        this.modelVersion = modelVersion;
        this.pointsSeen = pointsSeen;
    }

    /**
     * Sets {@link #hasMissing} and, when x has missing coordinates, {@link #imputed} = sum_k p_k x_hat_k in the
     * data's units: x_hat_k the standardised conditional expectations of each component or state.
     */
    void impute(double[] x, double[] probabilities, double[][] expected, int k, double[] center, double[] scale) {
        int d = x.length;
        hasMissing = false;
        for (int j = 0; j < d; j++) {
            hasMissing |= Double.isNaN(x[j]);
        }
        if (!hasMissing) {
            return;
        }
        for (int j = 0; j < d; j++) {
            if (Double.isNaN(x[j])) {
                double v = 0;
                for (int c = 0; c < k; c++) {
                    v += probabilities[c] * expected[c][j];
                }
                imputed[j] = center[j] + scale[j] * v;
            } else {
                imputed[j] = x[j];
            }
        }
    }

    void ensureCapacity(int k, int d) {
        if (responsibilities.length < k) {
            responsibilities = new double[k];
        }
        if (imputed.length < d) {
            imputed = new double[d];
        }
    }

    /** The responsibilities as a new array of length {@link #components}. */
    public double[] responsibilitiesCopy() {
        return java.util.Arrays.copyOf(responsibilities, components);
    }
}
