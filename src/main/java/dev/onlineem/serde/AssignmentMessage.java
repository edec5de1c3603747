package dev.onlineem.serde;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One per accepted point, key = model id. During warm-up {@code warmup} is true and the score fields
 * are absent; {@code imputed} is present only when the point had missing coordinates.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssignmentMessage(String model, String id, long ts, Integer cluster, double[] responsibilities,
                                Double logDensity, Double pValue, Double anomalyScore, boolean anomaly, double[] imputed,
                                long modelVersion, long pointsSeen, boolean warmup) {
}
