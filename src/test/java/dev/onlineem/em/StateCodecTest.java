package dev.onlineem.em;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.base.StateFormat;
import dev.onlineem.em.features.FeatureSettings;
import dev.onlineem.em.mixture.TrueMixture;
import dev.onlineem.em.scoring.LikelihoodTail;
import dev.onlineem.em.scoring.ScoreSettings;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StateCodecTest {

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void shouldRoundTripEveryPhaseExactlyAndEvolveIdentically(CovarianceType type) {
        TrueMixture truth = TrueMixture.random(3, 4, 2.5, new Random(1));
        Random r = new Random(2);
        ModelSettings settings = ModelSettings.builder().k(3).covarianceType(type).initPoints(300)
                .mStepInterval(3).halfLife(5000).build();
        OnlineMixtureModel model = new OnlineMixtureModel(settings);
        PointResult out = new PointResult();
        for (int i = 0; i < 2000; i++) {
            if (i == 0 || i == 150 || i == 299 || i == 1999) {
                assertRoundTrip(model);
            }
            double[] x = truth.sample(r);
            if (i % 5 == 0) {
                x[i % 4] = Double.NaN;
            }
            model.update(x, out);
        }
        OnlineModel restored = StateCodec.decode(StateCodec.encode(model));
        PointResult a = new PointResult();
        PointResult b = new PointResult();
        for (int i = 0; i < 1000; i++) {
            double[] x = truth.sample(r);
            if (i % 3 == 0) {
                x[(i / 3) % 4] = Double.NaN;
            }
            model.update(x, a);
            restored.update(x, b);
            assertEquals(Double.doubleToLongBits(a.logDensity), Double.doubleToLongBits(b.logDensity));
            assertEquals(Double.doubleToLongBits(a.pValue), Double.doubleToLongBits(b.pValue));
        }
        assertArrayEquals(StateCodec.encode(model), StateCodec.encode(restored));
    }

    @Test
    void shouldRestoreFeaturesScoresAndAlertsBitForBit() {
        // every feature kind, the anomaly likelihood and alert suppression on: a restored model goes on identically
        ModelSettings settings = ModelSettings.builder().k(2).initPoints(200)
                .features(new FeatureSettings(3, true, 12, true, true))
                .scoring(new ScoreSettings(0.01, 500, 20, 300, 25, LikelihoodTail.GAMMA)).build();
        Random r = new Random(5);
        OnlineMixtureModel model = new OnlineMixtureModel(settings);
        PointResult out = new PointResult();
        long ts = 1_700_000_000_000L;
        for (int i = 0; i < 1500; i++) {
            if (i == 0 || i == 5 || i == 100 || i == 1499) {
                assertRoundTrip(model);
            }
            double[] x = {Math.sin(i / 30.0) + 0.3 * r.nextGaussian(), i % 7 == 0 ? Double.NaN : r.nextGaussian()};
            model.update(x, ts + i * 300_000L, out);
        }
        OnlineModel restored = StateCodec.decode(StateCodec.encode(model));
        PointResult a = new PointResult();
        PointResult b = new PointResult();
        int alerts = 0;
        for (int i = 1500; i < 3000; i++) {
            double[] x = {Math.sin(i / 30.0) + 0.3 * r.nextGaussian() + (i % 400 == 0 ? 8 : 0), r.nextGaussian()};
            model.update(x, ts + i * 300_000L, a);
            restored.update(x, ts + i * 300_000L, b);
            assertEquals(Double.doubleToLongBits(a.logDensity), Double.doubleToLongBits(b.logDensity));
            assertEquals(Double.doubleToLongBits(a.pValue), Double.doubleToLongBits(b.pValue));
            assertEquals(Double.doubleToLongBits(a.anomalyScore), Double.doubleToLongBits(b.anomalyScore));
            assertEquals(a.anomaly, b.anomaly);
            alerts += a.anomaly ? 1 : 0;
        }
        assertTrue(alerts > 0, "the comparison covered alerts");
        assertArrayEquals(StateCodec.encode(model), StateCodec.encode(restored));
        assertEquals(2 * 4 + 2 * 2 + 4, model.snapshot().dimension(), "x and 3 differences, window mean and sd, two calendar pairs");
    }

    private static void assertRoundTrip(OnlineMixtureModel model) {
        byte[] bytes = StateCodec.encode(model);
        assertArrayEquals(bytes, StateCodec.encode(StateCodec.decode(bytes)));
    }

    @Test
    void shouldKeepTheTimeOfTheLastPointOfEveryKindInWarmUpAndOnline() {
        for (ModelKind kind : ModelKind.values()) {
            OnlineModel model = OnlineModel.create(ModelSettings.builder().kind(kind).k(2).initPoints(50).build());
            assertEquals(0, StateCodec.decode(StateCodec.encode(model)).lastPointTs(), "before the first point");
            PointResult out = new PointResult();
            java.util.Random r = new java.util.Random(2);
            for (int i = 0; i < 80; i++) {
                model.update(new double[] {r.nextGaussian() + 4 * (i % 2), r.nextGaussian()}, 1_700_000_000_000L + 1000L * i, out);
                if (i == 10 || i == 79) { // in warm-up, then online
                    assertEquals(1_700_000_000_000L + 1000L * i, StateCodec.decode(StateCodec.encode(model)).lastPointTs(), kind + " after " + i);
                }
            }
        }
    }

    @Test
    void shouldRejectCorruptOrForeignBytesWithAReason() {
        OnlineMixtureModel model = new OnlineMixtureModel(ModelSettings.builder().build());
        model.update(new double[] {1, 2}, new PointResult());
        byte[] bytes = StateCodec.encode(model);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThrows(StateCodec.CorruptStateException.class, () -> StateCodec.decode(truncated));
        byte[] future = bytes.clone();
        future[2] = 99;
        StateCodec.CorruptStateException e = assertThrows(StateCodec.CorruptStateException.class, () -> StateCodec.decode(future));
        assertEquals("model state version 99 is not supported (this build reads 2 to " + StateFormat.VERSION + ")", e.getMessage());
    }
}
