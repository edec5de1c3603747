package dev.onlineem.serde;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.onlineem.em.PointResult;
import java.util.Arrays;

/**
 * One per accepted point, key = model id. During warm-up {@code warmup} is true and the score fields
 * are absent, except from a model's tenth point on, when the provisional model of its warm-up scores it
 * ({@code provisional} true, with logDensity, pValue, anomalyScore and anomaly; absent otherwise); {@code imputed} is present only when the point had missing coordinates. A mixture model's
 * assignment has {@code cluster} and {@code responsibilities}; an HMM's has {@code regime} and
 * {@code regimeProbabilities} (filtered, regimes in ascending order of their first feature's mean).
 *
 * <p>The compact record ({@link #compact}) keeps what a consumer of scores needs: id, ts, cluster or regime, the
 * scores, anomaly and modelVersion, with {@code warmup} and {@code provisional} only when true. The model id is the
 * record's key; pointsSeen, the vectors and a false warmup flag are left out.
 *
 * <p>{@code beyondRange} is present (true) only when a coordinate of the point lies beyond the range of the model's values
 * so far by more than anomaly.range.tolerance of it (the range rule): then the point is an anomaly whatever its scores,
 * unless an alert of the model's last anomaly.suppress.points points holds it back. {@code repeat} is present (true) only
 * when the point would have been an anomaly but repeats one of the model's recent alerts (the repeat rule,
 * anomaly.repeat.tolerance): it lies, inside the range, within that fraction of each coordinate's range of an earlier
 * alert's point; {@code anomaly} is then false, and {@code anomalyScore} still says how rare the point is.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AssignmentMessage(String model, String id, long ts, Integer cluster, double[] responsibilities,
                                Integer regime, double[] regimeProbabilities,
                                Double logDensity, Double pValue, Double anomalyScore, boolean anomaly, Boolean beyondRange, Boolean repeat,
                                double[] imputed,
                                long modelVersion, Long pointsSeen, Boolean warmup, Boolean provisional) {

    /**
     * The assignment of a point as its model scored it.
     *
     * @param r what the model's update found for the point. Not modified.
     * @param vectors whether to include the vectors (responsibilities or regime probabilities, imputed values):
     *        false for the compact record
     * @param dimension the point's dimension (the length of its imputed values)
     */
    public static AssignmentMessage of(String model, String id, long ts, PointResult r, boolean vectors, int dimension) {
        // built in one go, so that the compact record (the per-point record of a lean feed) is one object, not a full
        // record and its copy; AssignmentMessageTest holds it to the factories below and to compact()
        boolean warm = r.warmup || r.provisional;
        boolean scored = !warm || r.provisional; // the provisional model scores warm-up points, with no cluster
        boolean hmm = !warm && r.regime >= 0; // an HMM: the regime and its filtered probabilities instead of cluster and responsibilities
        double[] probabilities = vectors && !warm ? r.responsibilitiesCopy() : null;
        double[] imputed = vectors && !warm && r.hasMissing ? Arrays.copyOf(r.imputed, dimension) : null;
        return new AssignmentMessage(vectors ? model : null, id, ts, warm || hmm ? null : r.cluster, hmm ? null : probabilities,
                hmm ? r.regime : null, hmm ? probabilities : null, scored ? r.logDensity : null, scored ? r.pValue : null,
                scored ? r.anomalyScore : null, scored && r.anomaly, r.beyondRange ? Boolean.TRUE : null,
                r.repeat ? Boolean.TRUE : null, imputed, r.modelVersion, vectors ? r.pointsSeen : null,
                vectors || warm ? warm : null, r.provisional ? Boolean.TRUE : null);
    }

    /**
     * The compact record of this assignment: no model id (the record's key), no vectors, no pointsSeen, and the warm-up
     * flag only when true.
     */
    public AssignmentMessage compact() {
        return new AssignmentMessage(null, id, ts, cluster, null, regime, null, logDensity, pValue, anomalyScore, anomaly, beyondRange, repeat, null, modelVersion,
                null, Boolean.TRUE.equals(warmup) ? Boolean.TRUE : null, provisional);
    }

    /** This assignment with {@code beyondRange} present (true) when the point was beyond its model's range, absent otherwise. */
    public AssignmentMessage withBeyondRange(boolean beyond) {
        return new AssignmentMessage(model, id, ts, cluster, responsibilities, regime, regimeProbabilities, logDensity, pValue, anomalyScore,
                anomaly, beyond ? Boolean.TRUE : null, repeat, imputed, modelVersion, pointsSeen, warmup, provisional);
    }

    /** This assignment with {@code repeat} present (true) when the point repeated a recent alert, absent otherwise. */
    public AssignmentMessage withRepeat(boolean repeated) {
        return new AssignmentMessage(model, id, ts, cluster, responsibilities, regime, regimeProbabilities, logDensity, pValue, anomalyScore,
                anomaly, beyondRange, repeated ? Boolean.TRUE : null, imputed, modelVersion, pointsSeen, warmup, provisional);
    }

    /** A warm-up point before its model can score it: no scores. */
    public static AssignmentMessage warmup(String model, String id, long ts, long modelVersion, long pointsSeen) {
        return new AssignmentMessage(model, id, ts, null, null, null, null, null, null, null, false, null, null, null, modelVersion, pointsSeen, true,
                null);
    }

    /** A warm-up point scored by the provisional model of the warm-up ({@code provisional} true). */
    public static AssignmentMessage provisional(String model, String id, long ts, double logDensity, double pValue, double anomalyScore,
                                                boolean anomaly, long modelVersion, long pointsSeen) {
        return new AssignmentMessage(model, id, ts, null, null, null, null, logDensity, pValue, anomalyScore, anomaly, null, null, null, modelVersion,
                pointsSeen, true, true);
    }

    /**
     * A mixture's assignment.
     *
     * @param responsibilities null in the compact record
     * @param imputed the point with its missing coordinates imputed; null when none was missing, or in the compact record
     */
    public static AssignmentMessage cluster(String model, String id, long ts, int cluster, double[] responsibilities, double logDensity,
                                            double pValue, double anomalyScore, boolean anomaly, double[] imputed, long modelVersion,
                                            long pointsSeen) {
        return new AssignmentMessage(model, id, ts, cluster, responsibilities, null, null, logDensity, pValue, anomalyScore, anomaly, null, null, imputed,
                modelVersion, pointsSeen, false, null);
    }

    /**
     * An HMM's assignment.
     *
     * @param regimeProbabilities the filtered probabilities; null in the compact record
     * @param imputed as for {@link #cluster}
     */
    public static AssignmentMessage regime(String model, String id, long ts, int regime, double[] regimeProbabilities, double logDensity,
                                           double pValue, double anomalyScore, boolean anomaly, double[] imputed, long modelVersion,
                                           long pointsSeen) {
        return new AssignmentMessage(model, id, ts, null, null, regime, regimeProbabilities, logDensity, pValue, anomalyScore, anomaly,
                null, null, imputed, modelVersion, pointsSeen, false, null);
    }
}
