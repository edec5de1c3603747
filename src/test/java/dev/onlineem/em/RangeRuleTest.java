package dev.onlineem.em;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.scoring.AnomalyScorer;
import dev.onlineem.em.scoring.ScoreSettings;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The range rule (anomaly.range.tolerance): a value beyond the range seen so far alerts, whatever its density. */
class RangeRuleTest {
    private static final ScoreSettings SCORING = ScoreSettings.DEFAULT.withAlpha(1e-4).withRepeatTolerance(0);

    /** Uniform values on [0, 1]: a bounded stream whose density (a Gaussian mixture's) does not end at its edges. */
    private static PipelineModel uniformModel(ModelKind kind, ScoreSettings scoring, int points, Random r) {
        PipelineModel m = (PipelineModel) OnlineModel.create(ModelSettings.builder().kind(kind).k(2).initPoints(200).halfLife(2000)
                .scoring(scoring).build());
        PointResult out = new PointResult();
        for (int i = 0; i < points; i++) {
            m.update(new double[] {r.nextDouble(), 10 + r.nextDouble()}, i * 1000L, out);
        }
        return m;
    }

    @Test
    void shouldFlagAValueBeyondTheRangeByMoreThanTheToleranceEvenWhenItsDensityIsUnremarkable() {
        for (ModelKind kind : ModelKind.values()) {
            PipelineModel m = uniformModel(kind, SCORING, 2000, new Random(1));
            PointResult out = new PointResult();
            m.update(new double[] {1.15, 10.5}, 0, out);
            assertTrue(out.beyondRange, kind + ": 15% of the range past its top");
            assertTrue(out.anomaly, kind + ": the range rule alerts");
            assertTrue(out.anomalyScore < AnomalyScorer.threshold(1e-4), kind + ": the density alone would not have alerted: "
                    + out.anomalyScore);

            // the same point with the rule off: not an anomaly
            PipelineModel off = uniformModel(kind, SCORING.withRangeTolerance(0), 2000, new Random(1));
            off.update(new double[] {1.15, 10.5}, 0, out);
            assertFalse(out.beyondRange);
            assertFalse(out.anomaly, kind + ": without the rule the density decides");
            assertNull(off.rangeLow(), "no range is kept when the rule is off");
        }
    }

    @Test
    void shouldNotFlagValuesWithinTheToleranceOrMissingOnes() {
        PipelineModel m = uniformModel(ModelKind.MIXTURE, SCORING, 2000, new Random(2));
        double low = m.rangeLow()[0];
        double high = m.rangeHigh()[0];
        PointResult out = new PointResult();
        m.update(new double[] {high + 0.05 * (high - low), 10.5}, 0, out);
        assertFalse(out.beyondRange, "5% past the top is within a tolerance of 10%");
        m.update(new double[] {Double.NaN, 10.5}, 0, out);
        assertFalse(out.beyondRange, "a missing coordinate is never beyond");
        m.update(new double[] {0.5, 9.0}, 0, out);
        assertTrue(out.beyondRange, "any coordinate beyond counts: the second's range is about [10, 11]");
    }

    @Test
    void shouldNotFlagTheFirstValueOfACoordinateMissingUntilThen() {
        PipelineModel m = (PipelineModel) OnlineModel.create(ModelSettings.builder().k(2).initPoints(200).scoring(SCORING).build());
        Random r = new Random(7);
        PointResult out = new PointResult();
        for (int i = 0; i < 400; i++) {
            m.update(new double[] {r.nextDouble(), Double.NaN}, i, out);
        }
        m.update(new double[] {0.5, 1e6}, 400, out);
        assertFalse(out.beyondRange, "a coordinate with no range yet is beyond nothing");
        assertEquals(1e6, m.rangeLow()[1]);
        assertEquals(1e6, m.rangeHigh()[1]);
    }

    @Test
    void shouldWidenTheRangeWithEveryPointSoTheSameLevelAlertsOnce() {
        PipelineModel m = uniformModel(ModelKind.MIXTURE, SCORING.withRangeTolerance(0.1), 2000, new Random(3));
        PointResult out = new PointResult();
        m.update(new double[] {1.5, 10.5}, 0, out);
        assertTrue(out.beyondRange && out.anomaly);
        assertEquals(1.5, m.rangeHigh()[0]);
        m.update(new double[] {1.5, 10.5}, 0, out);
        assertFalse(out.beyondRange, "the range now reaches 1.5");
    }

    @Test
    void shouldHoldARangeAlertBackLikeAnyOtherWithinTheSuppression() {
        PipelineModel m = uniformModel(ModelKind.MIXTURE, SCORING, 2000, new Random(4));
        PointResult out = new PointResult();
        m.update(new double[] {2.0, 10.5}, 0, out);
        assertTrue(out.anomaly);
        m.update(new double[] {3.0, 10.5}, 0, out);
        assertTrue(out.beyondRange, "beyond the widened range too");
        assertFalse(out.anomaly, "one event, one alert: the next 100 points are held back");
    }

    @Test
    void shouldNotAlertDuringWarmUpButKeepTheRangeOfItsPoints() {
        PipelineModel m = uniformModel(ModelKind.MIXTURE, SCORING, 50, new Random(5));
        PointResult out = new PointResult();
        m.update(new double[] {5.0, 10.5}, 0, out);
        assertTrue(out.warmup);
        assertFalse(out.beyondRange);
        assertEquals(5.0, m.rangeHigh()[0], "warm-up points count towards the range");
    }

    @Test
    void shouldRestoreTheRangeBitForBitInWarmUpAndOnline() {
        for (int points : new int[] {0, 1, 50, 2000}) {
            PipelineModel m = uniformModel(ModelKind.MIXTURE, SCORING, points, new Random(6));
            PipelineModel restored = (PipelineModel) StateCodec.decode(StateCodec.encode(m));
            if (points > 0) {
                assertArrayEquals(m.rangeLow(), restored.rangeLow());
                assertArrayEquals(m.rangeHigh(), restored.rangeHigh());
            }
            PointResult a = new PointResult();
            PointResult b = new PointResult();
            Random r = new Random(7);
            for (int i = 0; i < 600; i++) {
                double[] x = {r.nextDouble() * (1 + i / 200.0), 10 + r.nextDouble()};
                m.update(x, i, a);
                restored.update(x, i, b);
                assertEquals(a.beyondRange, b.beyondRange);
                assertEquals(a.anomaly, b.anomaly);
            }
            assertArrayEquals(StateCodec.encode(m), StateCodec.encode(restored));
        }
    }
}
