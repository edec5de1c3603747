package dev.onlineem.serde;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One per accepted point, key = model id. During warm-up {@code warmup} is true and the score fields
 * are absent, except from a model's tenth point on, when the provisional model of its warm-up scores it
 * ({@code provisional} true, with logDensity, pValue, anomalyScore and anomaly; absent otherwise); {@code imputed} is present only when the point had missing coordinates. A mixture model's
 * assignment has {@code cluster} and {@code responsibilities}; an HMM's has {@code regime} and
 * {@code regimeProbabilities} (filtered, regimes in ascending order of their first feature's mean).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssignmentMessage(String model, String id, long ts, Integer cluster, double[] responsibilities,
                                Integer regime, double[] regimeProbabilities,
                                Double logDensity, Double pValue, Double anomalyScore, boolean anomaly, double[] imputed,
                                long modelVersion, long pointsSeen, boolean warmup, Boolean provisional) {

    /** An assignment scored by the model itself (or a warm-up point without scores): no {@code provisional} field. */
    public AssignmentMessage(String model, String id, long ts, Integer cluster, double[] responsibilities, Integer regime,
                             double[] regimeProbabilities, Double logDensity, Double pValue, Double anomalyScore, boolean anomaly,
                             double[] imputed, long modelVersion, long pointsSeen, boolean warmup) {
        this(model, id, ts, cluster, responsibilities, regime, regimeProbabilities, logDensity, pValue, anomalyScore, anomaly, imputed,
                modelVersion, pointsSeen, warmup, null);
    }
}
