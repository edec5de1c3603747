package dev.onlineem.em;

import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.base.ModelSnapshot;
import dev.onlineem.em.features.FeatureStage;

/**
 * One online model of one stream: its causal feature stage, warm-up, per-point learning and scoring.
 * The stream layer, the stores, crash recovery and the commands know this interface, not the kind
 * behind it ({@link ModelKind}: a Gaussian mixture or a Gaussian HMM). {@link #create} makes the kind
 * the settings name; {@link StateCodec} encodes any kind with a type tag and a format version.
 *
 * <p>Contract of every kind: deterministic (the same state and point give the same new state, bit for
 * bit), never NaN in its parameters or scores, missing coordinates as NaN, and a point that is invalid
 * leaves the model unchanged. Mutable, not thread-safe.
 */
public sealed interface OnlineModel permits PipelineModel {
    /** A new, empty model of the kind the settings name; the first point fixes its dimension. */
    static OnlineModel create(ModelSettings settings) {
        return settings.kind() == ModelKind.HMM ? new OnlineHmmModel(settings) : new OnlineMixtureModel(settings);
    }

    ModelKind kind();

    ModelSettings settings();

    /** The input dimension, or 0 before the first point. */
    int dimension();

    long pointsSeen();

    /** The timestamp the last point came with (epoch ms), 0 before the first point (or in a state written before format 7). */
    long lastPointTs();

    /** Points the current parameters have learned from (pointsSeen at the last M-step). */
    long modelVersion();

    /** Whether warm-up is over and the model has parameters. */
    boolean isInitialised();

    /** The checks drift repair has run over the model's life (0 when repair is off). */
    long repairChecks();

    /** The times drift repair replaced the model's parameters over its life (0 when repair is off). */
    long repairs();

    /**
     * Turns the point into features, scores them under the current model, then learns from them.
     *
     * @param x the point, in the data's units; NaN marks a missing coordinate. Not modified.
     * @param timestampMs the record's time (epoch milliseconds), for the calendar features
     * @param out receives the result. Modified.
     * @throws IllegalArgumentException (the model unchanged) when the point is not acceptable
     */
    void update(double[] x, long timestampMs, PointResult out);

    /** {@link #update(double[], long, PointResult)} at time 0 (calendar features constant). */
    default void update(double[] x, PointResult out) {
        update(x, 0L, out);
    }

    /** The current parameters in the data's units, or null during warm-up. Allocates. */
    ModelSnapshot snapshot();

    /** The feature stage, or null before the first point. */
    FeatureStage features();

    /**
     * The feature vector the last {@link #update} built (the coordinates the snapshot's means are in), or
     * null when that point came before the feature stage had enough history. A work array: valid until
     * the next update, never to be modified.
     */
    double[] lastFeatures();
}
