package dev.onlineem.em.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FeatureStageTest {
    private static final double EPS = 1e-12;

    @Test
    void shouldBuildLagsDifferencesWindowAndCalendarFromThePastOnly() {
        FeatureStage f = new FeatureStage(new FeatureSettings(2, true, 3, true, true), 1);
        double[] out = new double[f.outputDimension()];
        assertEquals(1 + 2 + 2 + 2 + 2, out.length);
        long monday6am = 1_700_438_400_000L + 6 * 3_600_000L; // 2023-11-20 is a Monday
        assertFalse(f.transform(new double[] {1}, 0, out));
        assertFalse(f.transform(new double[] {2}, 0, out));
        assertFalse(f.transform(new double[] {4}, 0, out));
        assertTrue(f.transform(new double[] {8}, monday6am, out));
        // x_t, x_t - x_{t-1}, x_{t-1} - x_{t-2}, mean and sd of (1, 2, 4) -- not of 8 -- then time of day and day of week
        double sd = Math.sqrt(((1 - 7 / 3.0) * (1 - 7 / 3.0) + (2 - 7 / 3.0) * (2 - 7 / 3.0) + (4 - 7 / 3.0) * (4 - 7 / 3.0)) / 3);
        assertArrayEquals(new double[] {8, 4, 2, 7 / 3.0, sd, 0, 1, 1, Math.sin(2 * Math.PI * 0.25 / 7)},
                new double[] {out[0], out[1], out[2], out[3], out[4], out[5], out[6],
                    Math.cos(2 * Math.PI * 0.25 / 7) / out[7], out[8]}, 1e-9);
        assertEquals(Math.cos(2 * Math.PI * 0.25), out[5], EPS);
        assertEquals(Math.sin(2 * Math.PI * 0.25), out[6], EPS);
        assertTrue(f.transform(new double[] {16}, monday6am, out));
        assertEquals(16, out[0], EPS);
        assertEquals(8, out[1], EPS);
        assertEquals(4, out[2], EPS);
        assertEquals(14 / 3.0, out[3], EPS);
    }

    @Test
    void shouldKeepAMissingValueMissingInEveryFeatureBuiltFromIt() {
        FeatureStage f = new FeatureStage(new FeatureSettings(1, false, 2, false, false), 1);
        double[] out = new double[f.outputDimension()];
        f.transform(new double[] {Double.NaN}, 0, out);
        f.transform(new double[] {Double.NaN}, 0, out);
        f.transform(new double[] {3}, 0, out);
        assertEquals(3, out[0]);
        assertTrue(Double.isNaN(out[1]), "lag of a missing value");
        assertTrue(Double.isNaN(out[2]) && Double.isNaN(out[3]), "a window with nothing observed");
        f.transform(new double[] {5}, 0, out);
        assertEquals(3, out[1]);
        assertEquals(3, out[2], EPS);
        assertEquals(0, out[3], EPS);
    }

    @Test
    void shouldRoundTripItsHistoryBitForBit() {
        FeatureSettings s = new FeatureSettings(3, false, 5, false, false);
        FeatureStage f = new FeatureStage(s, 2);
        double[] out = new double[f.outputDimension()];
        for (int i = 0; i < 9; i++) {
            f.transform(new double[] {i, -i * 0.1}, i, out);
        }
        ByteBuffer buf = ByteBuffer.allocate(f.serializedSize());
        f.writeTo(buf);
        buf.flip();
        FeatureStage g = FeatureStage.readFrom(buf, s, 2);
        double[] a = new double[out.length];
        double[] b = new double[out.length];
        f.transform(new double[] {0.5, 7}, 10, a);
        g.transform(new double[] {0.5, 7}, 10, b);
        assertArrayEquals(a, b, 0);
    }

    @Test
    void shouldRejectSettingsThatMakeNoSenseNamingTheSetting() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new FeatureSettings(0, true, 0, false, false));
        assertTrue(e.getMessage().contains("features.differences"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FeatureSettings(1, false, 1, false, false));
        assertTrue(e.getMessage().contains("features.window"), e.getMessage());
    }
}
