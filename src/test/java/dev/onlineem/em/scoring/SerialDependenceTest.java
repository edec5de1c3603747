package dev.onlineem.em.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/** Whether a stream looks exchangeable or serially dependent, from the von Neumann ratio of its points. */
class SerialDependenceTest {

    private static SerialDependence fed(int d, int n, IntFunction<double[]> point) {
        SerialDependence s = new SerialDependence(d);
        for (int t = 0; t < n; t++) {
            s.observe(point.apply(t));
        }
        return s;
    }

    @Test
    void shouldTakeIndependentPointsOfAnyScaleAsExchangeable() {
        Random r = new Random(1);
        // three coordinates of scales 1, 1e6 and 1e-6, one of them heavy-tailed
        SerialDependence s = fed(3, 5000, t -> new double[] {r.nextGaussian(), 1e6 * r.nextGaussian(),
                1e-6 * Math.exp(2 * r.nextGaussian())});
        // 1 in expectation; winsorising a skewed coordinate's deviations (from its mean) trims more than its differences
        assertTrue(s.ratio() > 0.9 && s.ratio() < 1.3, "ratio " + s.ratio());
        assertEquals(1, s.exchangeableWeight());
    }

    @Test
    void shouldTakeASparseCoordinateBesideOthersAsExchangeable() {
        // mostly zero, now and then a large value (a pixel that rarely lights up), in a random order
        Random r = new Random(2);
        SerialDependence s = fed(2, 5000, t -> new double[] {r.nextDouble() < 0.02 ? 50 + r.nextGaussian() : 0,
                r.nextGaussian()});
        assertTrue(s.ratio() > 0.85, "ratio " + s.ratio());
        assertEquals(1, s.exchangeableWeight());
    }

    @Test
    void shouldTakeAutocorrelatedAndSmoothStreamsAsDependent() {
        Random r = new Random(3);
        double[] ar = {0};
        SerialDependence autoregression = fed(1, 5000, t -> new double[] {ar[0] = 0.7 * ar[0] + r.nextGaussian()});
        assertEquals(0.3, autoregression.ratio(), 0.06, "1 - rho for a first-order autoregression");
        assertEquals(0, autoregression.exchangeableWeight());
        SerialDependence daily = fed(1, 5000, t -> new double[] {Math.sin(2 * Math.PI * t / 288) + 0.05 * r.nextGaussian()});
        assertTrue(daily.ratio() < 0.1, "ratio " + daily.ratio());
        assertEquals(0, daily.exchangeableWeight());
    }

    @Test
    void shouldNotTakeASmoothStreamAsExchangeableBecauseOfOneSpike() {
        Random r = new Random(4);
        SerialDependence s = fed(1, 3000, t -> new double[] {Math.sin(2 * Math.PI * t / 288) + 0.05 * r.nextGaussian()
                + (t == 2000 ? 1e4 : 0)});
        assertEquals(0, s.exchangeableWeight(), "ratio " + s.ratio());
    }

    @Test
    void shouldTakeAConstantStreamAsDependentAndAQuantisedOneByItsOrder() {
        assertEquals(0, fed(1, 1000, t -> new double[] {3}).exchangeableWeight(), "nothing varies: the long memory");
        // a quantised load whose first values are equal, then independent: its spread starts at 0 and must still grow
        Random r = new Random(5);
        SerialDependence quantised = fed(1, 3000, t -> new double[] {t < 5 ? 1 : Math.round(4 * r.nextDouble())});
        assertEquals(1, quantised.exchangeableWeight(), "ratio " + quantised.ratio());
    }

    @Test
    void shouldLeaveMissingCoordinatesOutAndSayNothingForItsFirstPoints() {
        Random r = new Random(6);
        SerialDependence s = fed(2, SerialDependence.MIN_POINTS - 1, t -> new double[] {r.nextGaussian(), r.nextGaussian()});
        assertEquals(0, s.exchangeableWeight(), "too few points to say");
        SerialDependence missing = fed(2, 4000, t -> new double[] {r.nextDouble() < 0.3 ? Double.NaN : r.nextGaussian(),
                r.nextGaussian()});
        assertEquals(1, missing.exchangeableWeight(), "ratio " + missing.ratio());
    }

    @Test
    void shouldGoOnBitForBitAfterARoundTrip() {
        Random r = new Random(7);
        double[] ar = {0};
        IntFunction<double[]> point = t -> new double[] {ar[0] = 0.5 * ar[0] + r.nextGaussian(),
                r.nextDouble() < 0.1 ? Double.NaN : r.nextGaussian()};
        SerialDependence s = fed(2, 700, point);
        ByteBuffer buf = ByteBuffer.allocate(s.serializedSize());
        s.writeTo(buf);
        assertEquals(s.serializedSize(), buf.position());
        buf.flip();
        SerialDependence copy = SerialDependence.readFrom(buf, 2);
        for (int t = 0; t < 500; t++) {
            double[] x = point.apply(t);
            s.observe(x);
            copy.observe(x);
            assertEquals(s.ratio(), copy.ratio(), 0.0);
        }
    }
}
