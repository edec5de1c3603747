package dev.onlineem.em.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineMixtureModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.StateCodec;
import dev.onlineem.em.density.SpecialFunctions;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Scores from the tenth point: the warm-up's provisional model, and the special functions behind it. */
class ProvisionalScorerTest {
    private static final double RELATIVE = 1e-12;

    @Test
    void shouldComputeLogGammaTailsAndBetaLikeSciPy() {
        // scipy.special.gammaln, scipy.stats.t.sf (times 2) and t.logpdf, scipy.special.betainc: SciPy 1.10.1 (Debian python3-scipy)
        assertEquals(0.5723649429247, SpecialFunctions.logGamma(0.5), 1e-13);
        assertEquals(0.0, SpecialFunctions.logGamma(1), 1e-14);
        assertEquals(1.2009736023470743, SpecialFunctions.logGamma(3.5), RELATIVE * 2);
        assertEquals(12.801827480081469, SpecialFunctions.logGamma(10), RELATIVE * 13);
        assertEquals(360.28455963776423, SpecialFunctions.logGamma(100.25), RELATIVE * 360);
        assertEquals(0.6290712998260264, SpecialFunctions.studentTwoSidedTail(0.5, 9), 1e-13);
        assertEquals(0.03386182768298571, SpecialFunctions.studentTwoSidedTail(2.5, 9), 0.0338 * 1e-12);
        assertEquals(0.0031104283103858535, SpecialFunctions.studentTwoSidedTail(-4, 9), 0.0031 * 1e-12);
        assertEquals(4.5752514082296097e-11, SpecialFunctions.studentTwoSidedTail(10, 30), 4.58e-11 * 1e-10);
        assertEquals(0.0030448267251061687, SpecialFunctions.studentTwoSidedTail(3, 199), 0.003 * 1e-11);
        assertEquals(-3.5834346006733124, SpecialFunctions.logStudentDensity(2.5, 9), 1e-12);
        assertEquals(-23.655494891676966, SpecialFunctions.logStudentDensity(10, 30), 1e-11);
        assertEquals(0.01892712407194565, SpecialFunctions.regularizedBeta(0.3, 2.5, 0.5), 1e-14);
        assertEquals(0.98304, SpecialFunctions.regularizedBeta(0.8, 3, 4), 1e-13);
    }

    @Test
    void shouldScoreFromTheTenthPointOfTheWarmUp() {
        OnlineMixtureModel m = new OnlineMixtureModel(ModelSettings.builder().k(2).initPoints(200).build());
        Random r = new Random(3);
        PointResult out = new PointResult();
        for (int i = 0; i < 200; i++) {
            m.update(new double[] {r.nextGaussian(), 5 + 2 * r.nextGaussian()}, i, out);
            assertTrue(out.warmup, "point " + i + " is a warm-up point");
            assertEquals(i >= ProvisionalScorer.MIN_POINTS, out.provisional, "point " + i + " scored provisionally");
            if (out.provisional) {
                assertTrue(Double.isFinite(out.logDensity) && out.pValue > 0 && out.pValue <= 1 && out.anomalyScore >= 0, "point " + i);
            }
        }
        assertTrue(out.initialisedNow, "the 200th point ends warm-up");
        m.update(new double[] {0, 5}, 200, out);
        assertFalse(out.provisional || out.warmup, "the model itself scores from there");
    }

    @Test
    void shouldFlagASpikeDuringWarmUpOnceAndNeverAFlatLine() {
        ModelSettings settings = ModelSettings.builder().k(2).initPoints(200).anomalyAlpha(1e-4).build();
        OnlineMixtureModel noisy = new OnlineMixtureModel(settings);
        OnlineMixtureModel flat = new OnlineMixtureModel(settings);
        Random r = new Random(4);
        PointResult out = new PointResult();
        int alerts = 0;
        int flatAlerts = 0;
        for (int i = 0; i < 150; i++) {
            double x = 10 + r.nextGaussian();
            if (i == 60 || i == 61) {
                x = 40; // one event, two points: one alert (suppression)
            }
            noisy.update(new double[] {x}, i, out);
            if (out.anomaly) {
                alerts++;
                assertEquals(60, i, "the spike is flagged when it comes");
            }
            flat.update(new double[] {45}, i, out);
            flatAlerts += out.anomaly ? 1 : 0;
        }
        assertEquals(1, alerts);
        assertEquals(0, flatAlerts, "a constant is never an anomaly");
    }

    @Test
    void shouldGiveCalibratedPValuesOnGaussianPoints() {
        ModelSettings settings = ModelSettings.builder().k(2).initPoints(200).build();
        long n = 0;
        long below01 = 0;
        long below001 = 0;
        for (int seed = 0; seed < 300; seed++) {
            OnlineMixtureModel m = new OnlineMixtureModel(settings);
            Random r = new Random(seed);
            PointResult out = new PointResult();
            for (int i = 0; i < 199; i++) {
                m.update(new double[] {r.nextGaussian()}, i, out);
                if (out.provisional) {
                    n++;
                    below01 += out.pValue < 0.01 ? 1 : 0;
                    below001 += out.pValue < 0.001 ? 1 : 0;
                }
            }
        }
        // 56,700 p-values: 0.01 +- 0.0004 and 0.001 +- 0.00013 (one standard error) if calibrated
        assertEquals(0.01, below01 / (double) n, 0.0015, "P(p < 0.01)");
        assertEquals(0.001, below001 / (double) n, 0.0005, "P(p < 0.001)");
    }

    @Test
    void shouldRestoreTheProvisionalSuppressionBitForBit() {
        ModelSettings settings = ModelSettings.builder().k(2).initPoints(300).build();
        OnlineMixtureModel m = new OnlineMixtureModel(settings);
        Random r = new Random(5);
        PointResult a = new PointResult();
        for (int i = 0; i < 50; i++) {
            m.update(new double[] {i == 40 ? 30 : r.nextGaussian()}, i, a);
        }
        assertTrue(m.provisionalSuppressLeft() > 0, "the spike at 40 suppresses");
        OnlineMixtureModel restored = (OnlineMixtureModel) StateCodec.decode(StateCodec.encode(m));
        PointResult b = new PointResult();
        for (int i = 50; i < 600; i++) {
            double[] x = {i % 97 == 0 ? 25 : r.nextGaussian()};
            m.update(x, i, a);
            restored.update(x, i, b);
            assertEquals(a.anomaly, b.anomaly, "point " + i);
            assertEquals(Double.doubleToLongBits(a.anomalyScore), Double.doubleToLongBits(b.anomalyScore), "point " + i);
        }
        assertArrayEquals(StateCodec.encode(m), StateCodec.encode(restored));
    }
}
