package dev.onlineem.em;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.scoring.AnomalyScorer;
import dev.onlineem.em.scoring.ScoreSettings;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The repeat rule (anomaly.repeat.tolerance): a point that would alert but lies, inside the range, within the tolerance
 * (a fraction of each coordinate's range) of one of the model's recent alerts is not an anomaly again.
 */
class RepeatRuleTest {
    private static final ScoreSettings SCORING = ScoreSettings.DEFAULT.withAlpha(1e-4);
    /**
     * Calm points between the events of a test: five of the fast sketch's half-lives. The calm points are independent, so
     * the scorer ranks each point against its recent surprises (AnomalyScorer), and an event that recurs every 150 points
     * is then not rare enough to alert at 1e-4 (0.7% of the points).
     */
    private static final int FORGOTTEN = 1500;

    /** Standard normal points in two coordinates, 2,000 of them: a range of about [-3.5, 3.5] on each. */
    private static PipelineModel calmModel(ModelKind kind, ScoreSettings scoring) {
        PipelineModel m = (PipelineModel) OnlineModel.create(ModelSettings.builder().kind(kind).k(2).initPoints(200).halfLife(2000)
                .scoring(scoring).build());
        calm(m, 2000, new Random(1));
        return m;
    }

    /** Calm points, more than the alert suppression holds back. */
    private static void calm(PipelineModel m, int n, Random r) {
        PointResult out = new PointResult();
        for (int i = 0; i < n; i++) {
            m.update(new double[] {r.nextGaussian(), r.nextGaussian()}, 0, out);
        }
    }

    private static PointResult point(PipelineModel m, double... x) {
        PointResult out = new PointResult();
        m.update(x, 0, out);
        return out;
    }

    @Test
    void shouldNotAlertAgainOnAPointNearARecentAlertButStillScoreIt() {
        for (ModelKind kind : ModelKind.values()) {
            PipelineModel m = calmModel(kind, SCORING);
            int calmAlerts = m.rememberedAlerts();
            assertTrue(point(m, 8, 0).anomaly, kind + ": the first spike alerts");
            assertEquals(calmAlerts + 1, m.rememberedAlerts());
            calm(m, 300, new Random(2));
            PointResult again = point(m, 7.8, 0.2);
            assertFalse(again.anomaly, kind + ": a spike where the last one was is not news");
            assertTrue(again.repeat, kind + ": the record says why");
            assertTrue(again.anomalyScore > AnomalyScorer.threshold(1e-4), kind + ": its score still says it is rare: " + again.anomalyScore);
            assertEquals(calmAlerts + 1, m.rememberedAlerts(), "a repeat is not remembered");

            // a repeat holds nothing back: a new kind of point right after it alerts
            PointResult other = point(m, -0.2, -8);
            assertTrue(other.anomaly, kind + ": a spike elsewhere alerts");
            assertFalse(other.repeat);

            // with the rule off the same stream alerts on the second spike
            PipelineModel off = calmModel(kind, SCORING.withRepeatTolerance(0));
            point(off, 8, 0);
            calm(off, 300, new Random(2));
            PointResult noRule = point(off, 7.8, 0.2);
            assertTrue(noRule.anomaly, kind + ": without the rule it alerts again");
            assertFalse(noRule.repeat);
            assertEquals(0, off.rememberedAlerts());
        }
    }

    @Test
    void shouldAlertWhenAnyCoordinateIsFarFromEveryRecentAlert() {
        PipelineModel m = calmModel(ModelKind.MIXTURE, SCORING);
        point(m, 8, 0);
        calm(m, 300, new Random(3));
        // 0.2 from the alert on the first coordinate, 2.5 on the second, whose range is about 7: far beyond 7% of it
        PointResult out = point(m, 7.8, 2.5);
        assertTrue(out.anomaly, "near on one coordinate only is not a repeat");
        assertFalse(out.repeat);
    }

    @Test
    void shouldTreatANewExtremeAsNewsEvenWithinTheToleranceOfAnAlert() {
        // the range rule off, so that only the density and the repeat rule speak
        PipelineModel m = calmModel(ModelKind.MIXTURE, SCORING.withRangeTolerance(0));
        assertTrue(point(m, 8, 0).anomaly);
        calm(m, 300, new Random(4));
        PointResult out = point(m, 8.2, 0);
        assertTrue(out.anomaly, "past the largest value yet, however near the last alert");
        assertFalse(out.repeat);
        assertFalse(out.beyondRange, "the range rule is off");
    }

    @Test
    void shouldCompareOnTheCoordinatesAPointHas() {
        PipelineModel m = calmModel(ModelKind.MIXTURE, SCORING);
        point(m, 8, 0);
        calm(m, 300, new Random(5));
        PointResult out = point(m, 7.9, Double.NaN);
        assertTrue(out.repeat, "the missing coordinate is left out of the comparison");
        assertFalse(out.anomaly);
    }

    @Test
    void shouldForgetTheOldestAlertWhenItsMemoryIsFull() {
        PipelineModel m = calmModel(ModelKind.MIXTURE, SCORING);
        Random r = new Random(6);
        calm(m, FORGOTTEN, r);
        assertTrue(point(m, 0, 9).anomaly);
        // 16 alerts elsewhere, each new: further and further out on the first coordinate, so none repeats another
        for (int i = 0; i < ScoreSettings.REPEAT_MEMORY; i++) {
            calm(m, FORGOTTEN, r);
            assertTrue(point(m, 6 + 3 * i, 0).anomaly, "alert " + i);
        }
        assertEquals(ScoreSettings.REPEAT_MEMORY, m.rememberedAlerts());
        calm(m, FORGOTTEN, r);
        PointResult out = point(m, 0.1, 8.9);
        assertFalse(out.repeat, "the first alert was forgotten, 16 alerts later");
        assertTrue(out.anomaly);
    }

    @Test
    void shouldGoOnBitForBitAfterARestoreWithAlertsRemembered() {
        for (ModelKind kind : ModelKind.values()) {
            PipelineModel m = calmModel(kind, SCORING);
            int calmAlerts = m.rememberedAlerts();
            point(m, 8, 0);
            calm(m, 150, new Random(7));
            point(m, -0.3, -8);
            assertEquals(calmAlerts + 2, m.rememberedAlerts());
            PipelineModel restored = (PipelineModel) StateCodec.decode(StateCodec.encode(m));
            assertEquals(calmAlerts + 2, restored.rememberedAlerts());
            Random r1 = new Random(8);
            Random r2 = new Random(8);
            PointResult a = new PointResult();
            PointResult b = new PointResult();
            for (int i = 0; i < 4 * FORGOTTEN; i++) {
                boolean spike = i % FORGOTTEN == FORGOTTEN - 1;
                double[] x = spike ? new double[] {7.9 + 0.01 * i / FORGOTTEN, 0.1} : new double[] {r1.nextGaussian(), r1.nextGaussian()};
                double[] y = spike ? x.clone() : new double[] {r2.nextGaussian(), r2.nextGaussian()};
                m.update(x, 0, a);
                restored.update(y, 0, b);
                assertEquals(a.anomaly, b.anomaly, kind + ": point " + i);
                assertEquals(a.repeat, b.repeat, kind + ": point " + i);
                assertEquals(a.anomalyScore, b.anomalyScore, kind + ": point " + i);
                if (spike) {
                    assertTrue(a.repeat, kind + ": the spikes repeat the first alert");
                }
            }
            assertArrayEquals(StateCodec.encode(m), StateCodec.encode(restored));
        }
    }

    /**
     * A sensor's calm readings: each coordinate a first-order autoregression (0.6) of unit variance. The anomaly likelihood
     * speaks of runs of surprise only where the order of the points means something; on independent points it is silent.
     */
    private static void sensor(PipelineModel m, int n, Random r) {
        PointResult out = new PointResult();
        double a = 0;
        double b = 0;
        for (int i = 0; i < n; i++) {
            a = 0.6 * a + 0.8 * r.nextGaussian();
            b = 0.6 * b + 0.8 * r.nextGaussian();
            m.update(new double[] {a, b}, 0, out);
        }
    }

    @Test
    void shouldLeaveAnAlertOfTheAnomalyLikelihoodToItsRunWhereverItsLastPointLies() {
        PipelineModel m = (PipelineModel) OnlineModel.create(ModelSettings.builder().kind(ModelKind.MIXTURE).k(2).initPoints(200)
                .halfLife(2000).scoring(SCORING).build());
        sensor(m, 2000, new Random(1));
        assertEquals(0, m.exchangeableWeight(), "the sensor's readings are serially dependent");
        Random r = new Random(9);
        for (int run = 0; run < 2; run++) {
            // a run of moderately surprising points: none rare alone, the run is (the anomaly likelihood's alert)
            PointResult first = null;
            for (int i = 0; i < 60 && first == null; i++) {
                PointResult out = point(m, 2.6 + 0.1 * r.nextGaussian(), 0.1 * r.nextGaussian());
                if (out.anomaly || out.repeat) {
                    first = out;
                }
            }
            assertNotNull(first, "run " + run + " alerts");
            assertTrue(first.pValue > SCORING.alpha(), "the run's alert is the likelihood's, not the point's: " + first.pValue);
            assertTrue(first.anomaly && !first.repeat, "run " + run + ": the second run alerts again, near the first's point as it is");
            sensor(m, FORGOTTEN, r);
        }
    }

    @Test
    void shouldKeepNoMemoryWhenTheRuleIsOff() {
        PipelineModel m = calmModel(ModelKind.MIXTURE, SCORING.withRepeatTolerance(0).withRangeTolerance(0));
        point(m, 8, 0);
        assertEquals(0, m.rememberedAlerts());
        assertNull(m.rangeLow(), "neither rule needs the range");
    }
}
