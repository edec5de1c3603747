package dev.onlineem.serde;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.onlineem.em.base.ModelSnapshot;
import dev.onlineem.em.density.Distribution;

/**
 * The model snapshot as published on the models topic (key = model id) and printed by {@code fit}. An HMM
 * adds its transition matrix, initial probabilities and expected durations (points per visit), its
 * {@code weights} being the stationary distribution of the chain; states in regime order. Student-t components add
 * {@code distribution} ("student-t") and each component's {@code degreesOfFreedom}; their {@code covariances} are then
 * the components' scale matrices (a t's covariance is df / (df - 2) times its scale matrix, for df &gt; 2).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelSnapshotMessage(String model, String type, long version, long pointsSeen, int dimension, String[] features,
                                   String covarianceType, int components, double[] weights, double[][] means, double[][][] covariances,
                                   double[][] transitionMatrix, double[] initialProbabilities, double[] expectedDurations,
                                   double avgLogLikelihood, double stepSize, String distribution, double[] degreesOfFreedom) {

    public static ModelSnapshotMessage of(String model, ModelSnapshot s) {
        return new ModelSnapshotMessage(model, s.kind().label(), s.version(), s.pointsSeen(), s.dimension(), s.features(),
                s.covarianceType().label(), s.components(), s.weights(), s.means(), s.covariances(), s.transitionMatrix(),
                s.initialProbabilities(), s.expectedDurations(), s.avgLogLikelihood(), s.stepSize(),
                s.studentT() ? Distribution.Family.STUDENT_T.label() : null, s.degreesOfFreedom());
    }
}
