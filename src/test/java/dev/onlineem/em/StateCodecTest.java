package dev.onlineem.em;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class StateCodecTest {

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void shouldRoundTripEveryPhaseExactlyAndEvolveIdentically(CovarianceType type) {
        TrueMixture truth = TrueMixture.random(3, 4, 2.5, new Random(1));
        Random r = new Random(2);
        MixtureSettings settings = MixtureSettings.builder().k(3).covarianceType(type).initPoints(300)
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
        OnlineMixtureModel restored = StateCodec.decode(StateCodec.encode(model));
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

    private static void assertRoundTrip(OnlineMixtureModel model) {
        byte[] bytes = StateCodec.encode(model);
        assertArrayEquals(bytes, StateCodec.encode(StateCodec.decode(bytes)));
    }

    @Test
    void shouldRejectCorruptOrForeignBytesWithAReason() {
        OnlineMixtureModel model = new OnlineMixtureModel(MixtureSettings.builder().build());
        model.update(new double[] {1, 2}, new PointResult());
        byte[] bytes = StateCodec.encode(model);
        byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);
        assertThrows(StateCodec.CorruptStateException.class, () -> StateCodec.decode(truncated));
        byte[] future = bytes.clone();
        future[2] = 99;
        StateCodec.CorruptStateException e = assertThrows(StateCodec.CorruptStateException.class, () -> StateCodec.decode(future));
        assertEquals("model state version 99 is not supported (this build reads 2)", e.getMessage());
    }
}
