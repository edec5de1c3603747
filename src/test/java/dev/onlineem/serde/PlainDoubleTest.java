package dev.onlineem.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plain-notation writer against Jackson's Schubfach writer (the text assignments had before it), byte for byte. */
class PlainDoubleTest {
    private final byte[] buf = new byte[32];
    private long written;

    /** PlainDouble's text for v, if it writes v, is Jackson's. */
    private void check(double v) {
        int end = PlainDouble.write(v, buf, 3);
        String jackson = NumberOutput.toString(v, true);
        if (end >= 0) {
            written++;
            assertEquals(jackson, new String(buf, 3, end - 3, StandardCharsets.US_ASCII), () -> "bits " + Long.toHexString(Double.doubleToRawLongBits(v)));
            assertTrue(end - 3 <= 26);
        } else {
            double a = Math.abs(v);
            assertTrue(!(a >= 1e-3 && a < 1e7) || (Double.doubleToRawLongBits(v) & 0xFFFFFFFFFFFFFL) == 0,
                    () -> v + " is in plain range and not a power of two, yet left to Jackson");
        }
    }

    private void around(double v, int ulps) {
        double x = v;
        for (int i = 0; i < ulps; i++) {
            x = Math.nextDown(x);
        }
        for (int i = 0; i < 2 * ulps; i++) {
            check(x);
            check(-x);
            x = Math.nextUp(x);
        }
    }

    @Test
    void shouldWriteJacksonsTextAtEveryBoundaryOfThePlainRange() {
        check(0.0);
        check(-0.0);
        for (int p = -4; p <= 8; p++) {
            around(Math.pow(10, p), 64);
            around(Double.parseDouble("1e" + p), 64);
            around(Double.parseDouble("9.999999999999999e" + p), 64);
            around(Double.parseDouble("5e" + p), 8);
        }
        for (int e = -11; e <= 24; e++) {
            around(Math.scalb(1.0, e), 16); // powers of two, left to Jackson, and their neighbours
        }
        around(0.1, 16);
        around(0.3, 16);
        around(1.0 / 3, 16);
        around(2.0 / 3, 16);
        around(1234567.0, 16);
        assertTrue(written > 5000, written + " written");
    }

    @Test
    void shouldWriteJacksonsTextForShortDecimalsAndIntegers() {
        for (int n = 1; n <= 200_000; n++) {
            check(n);
            check(n / 1000.0);
            check(n / 1e6);
            check(n * 0.01);
            check(n * 37.0);
        }
    }

    @Test
    void shouldWriteJacksonsTextForMillionsOfRandomDoubles() {
        Random r = new Random(7);
        for (int i = 0; i < Integer.getInteger("plainDouble.n", 300_000); i++) {
            check(Math.pow(10, -3.5 + 11 * r.nextDouble())); // uniform in log space over the range and beyond
            check(r.nextDouble()); // probabilities
            check(Double.longBitsToDouble(r.nextLong()));
            check(-3 + r.nextGaussian()); // log-densities
            double v = Math.pow(10, -3 + 10 * r.nextDouble());
            check(Double.parseDouble(String.format("%.3g", v))); // few digits: the shortest is short
            check(Double.parseDouble(String.format("%.16g", v)));
        }
        assertTrue(written > Integer.getInteger("plainDouble.n", 300_000) * 4L, written + " written");
    }
}
