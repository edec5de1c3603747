package dev.onlineem.serde;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.onlineem.em.ModelSnapshot;

/** The model snapshot as published on the models topic (key = model id) and printed by {@code fit}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSnapshotMessage(String model, long version, long pointsSeen, int dimension, String[] features, String covarianceType,
                                   int components, double[] weights, double[][] means, double[][][] covariances,
                                   double avgLogLikelihood, double stepSize) {

    public static ModelSnapshotMessage of(String model, ModelSnapshot s) {
        return new ModelSnapshotMessage(model, s.version(), s.pointsSeen(), s.dimension(), s.features(), s.covarianceType().label(),
                s.components(), s.weights(), s.means(), s.covariances(), s.avgLogLikelihood(), s.stepSize());
    }
}
