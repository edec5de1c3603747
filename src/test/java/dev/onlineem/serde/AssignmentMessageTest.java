package dev.onlineem.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.base.ModelKind;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What {@link AssignmentMessage#of} builds from a model's result, for every kind of point and both record shapes. */
class AssignmentMessageTest {
    private final AssignmentSerializer serializer = new AssignmentSerializer();

    /** The full record of a point as the factories give it, one per kind of point. */
    private static AssignmentMessage byFactory(String model, String id, long ts, PointResult r, int dimension) {
        if (r.provisional) {
            return AssignmentMessage.provisional(model, id, ts, r.logDensity, r.pValue, r.anomalyScore, r.anomaly, r.modelVersion, r.pointsSeen);
        }
        if (r.warmup) {
            return AssignmentMessage.warmup(model, id, ts, r.modelVersion, r.pointsSeen);
        }
        double[] imputed = r.hasMissing ? Arrays.copyOf(r.imputed, dimension) : null;
        return (r.regime >= 0
                ? AssignmentMessage.regime(model, id, ts, r.regime, r.responsibilitiesCopy(), r.logDensity, r.pValue, r.anomalyScore, r.anomaly,
                        imputed, r.modelVersion, r.pointsSeen)
                : AssignmentMessage.cluster(model, id, ts, r.cluster, r.responsibilitiesCopy(), r.logDensity, r.pValue, r.anomalyScore, r.anomaly,
                        imputed, r.modelVersion, r.pointsSeen)).withBeyondRange(r.beyondRange).withRepeat(r.repeat);
    }

    private String text(AssignmentMessage a) {
        return new String(serializer.serialize("t", a), StandardCharsets.UTF_8);
    }

    @Test
    void shouldBuildTheFullRecordAsTheFactoriesAndTheCompactRecordAsItsCompactFormForEveryKindOfPoint() {
        for (ModelKind kind : ModelKind.values()) {
            OnlineModel m = OnlineModel.create(ModelSettings.builder().kind(kind).k(2).initPoints(40).build());
            PointResult r = new PointResult();
            Random rnd = new Random(7);
            int warm = 0;
            int provisional = 0;
            int fitted = 0;
            int missing = 0;
            int anomalies = 0;
            int beyond = 0;
            int repeats = 0;
            for (int i = 0; i < 400; i++) {
                double c = (i / 25) % 2 == 0 ? 0 : 6;
                double[] x = {c + rnd.nextGaussian(), c + rnd.nextGaussian()};
                if (i % 97 == 96) {
                    x[0] = 46 - 0.3 * (i / 97); // outliers at nearly one point: an anomaly, then repeats of it
                    x[1] = 3;
                }
                if (i > 60 && i % 13 == 0) {
                    x[1] = Double.NaN;
                }
                m.update(x, r);
                String id = "p" + i;
                assertEquals(text(byFactory("m", id, i, r, 2)), text(AssignmentMessage.of("m", id, i, r, true, 2)), kind + " point " + i);
                assertEquals(text(AssignmentMessage.of("m", id, i, r, true, 2).compact()), text(AssignmentMessage.of("m", id, i, r, false, 2)),
                        kind + " point " + i);
                warm += r.warmup && !r.provisional ? 1 : 0;
                provisional += r.provisional ? 1 : 0;
                fitted += r.warmup ? 0 : 1;
                missing += r.hasMissing ? 1 : 0;
                anomalies += r.anomaly ? 1 : 0;
                beyond += r.beyondRange ? 1 : 0;
                repeats += r.repeat ? 1 : 0;
            }
            assertTrue(warm > 0 && provisional > 0 && fitted > 0 && missing > 0 && anomalies > 0 && beyond > 0 && repeats > 0,
                    kind + ": every kind of point was seen (warm-up " + warm + ", provisional " + provisional + ", fitted " + fitted
                            + ", missing " + missing + ", anomalies " + anomalies + ", beyond the range " + beyond + ", repeats " + repeats + ")");
        }
    }
}
