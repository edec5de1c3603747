package dev.onlineem.serde;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A change of regime of an HMM model, on the regimes topic (key = model id): the point at which the new
 * regime had held {@code model.regime.min.probability} for {@code model.regime.persistence} points.
 * {@code previousRegime} is absent for a model's first announced regime.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RegimeEventMessage(String model, String id, long ts, int regime, Integer previousRegime, double probability,
                                 double[] regimeProbabilities, long pointsSeen) {
}
