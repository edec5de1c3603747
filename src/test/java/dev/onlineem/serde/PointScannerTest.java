package dev.onlineem.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * The point scanner against Jackson's path: whatever the scanner takes, Jackson takes with the same id, time and
 * coordinates (bit for bit), and the deserializer's answer to any record, a point or an error message, is the one
 * Jackson's path alone would give.
 */
class PointScannerTest {
    private static final int MAX_DIMENSION = 6;
    private static final PointDeserializer DESERIALIZER = new PointDeserializer(MAX_DIMENSION, 4096);
    private static final String WHITESPACE = " \t\n\r";

    /** Checks one record both ways; returns whether the scanner took it. */
    private static boolean sameAsJackson(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        Object reference;
        try {
            reference = DESERIALIZER.readWithJackson(data);
        } catch (SerializationException e) {
            reference = e.getMessage();
        }
        Object answer;
        try {
            answer = DESERIALIZER.deserialize("points", data);
        } catch (SerializationException e) {
            answer = e.getMessage();
        }
        Point scanned = data.length <= 4096 ? PointScanner.scan(data, MAX_DIMENSION) : null;
        if (scanned != null) {
            if (!(reference instanceof Point)) {
                fail("the scanner took " + text + ", which Jackson's path refuses: " + reference);
            }
            assertSamePoint((Point) reference, scanned, text);
        }
        if (reference instanceof Point) {
            assertTrue(answer instanceof Point, text);
            assertSamePoint((Point) reference, (Point) answer, text);
        } else {
            assertEquals(reference, answer, text);
        }
        return scanned != null;
    }

    private static void assertSamePoint(Point expected, Point actual, String text) {
        assertEquals(expected.id(), actual.id(), text);
        assertEquals(expected.ts(), actual.ts(), text);
        assertEquals(expected.x().length, actual.x().length, text);
        for (int j = 0; j < expected.x().length; j++) {
            assertEquals(Double.doubleToRawLongBits(expected.x()[j]), Double.doubleToRawLongBits(actual.x()[j]), text + " x[" + j + "]");
        }
    }

    private static boolean sameAsJackson(String text) {
        return sameAsJackson(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldTakeTheCommonShapeAndAgreeWithJacksonOnEveryEdge() {
        String[] taken = {
            "{\"id\":\"evt-1\",\"ts\":1732000000000,\"x\":[0.42,null,17.5]}",
            " {\n\t\"x\" : [ 1 , -2.5e-3 , 1E+2 ] ,\r\"ts\" : 0 , \"id\" : null } \n",
            "{\"x\":[0],\"id\":\"\"}",
            "{\"x\":[-0.0,0.0,123456789012345678]}",
            "{\"x\":[1e-400,2.2250738585072011e-308,4.9e-324]}", // underflow to 0 and subnormals, correctly rounded
            "{\"x\":[1.7976931348623157e308],\"ts\":null}",
            "{\"x\":[0.1000000000000000055511151231257827,9007199254740993]}",
        };
        for (String t : taken) {
            assertTrue(sameAsJackson(t), "the scanner takes " + t);
        }
        String[] jacksonDecides = {
            "", " ", "{}", "[]", "null", "{\"x\":[]}", "{\"x\":[null]}", "{\"x\":[1],}", "{\"x\":[1,]}", "{,\"x\":[1]}",
            "{\"x\":[1]}x", "{\"x\":[1]}{}", "{\"x\":[1]", "{\"x\":[1}", "{\"x\":1}", "{\"x\":null}", "{\"x\":[[1]]}",
            "{\"x\":[1],\"x\":[2]}", "{\"id\":\"a\",\"id\":\"b\",\"x\":[1]}", "{\"x\":[1],\"y\":2}", "{\"\\u0078\":[1]}",
            "{\"x\":[01]}", "{\"x\":[1.]}", "{\"x\":[.5]}", "{\"x\":[+1]}", "{\"x\":[-]}", "{\"x\":[1e]}", "{\"x\":[1e+]}",
            "{\"x\":[-0]}", "{\"x\":[1x]}", "{\"x\":[nul]}", "{\"x\":[nullx]}", "{\"x\":[NaN]}", "{\"x\":[Infinity]}",
            "{\"x\":[1e400]}", "{\"x\":[-1e309]}", "{\"x\":[12345678901234567890]}", "{\"x\":[1,2,3,4,5,6,7]}",
            "{\"x\":[1],\"ts\":-5}", "{\"x\":[1],\"ts\":-0}", "{\"x\":[1],\"ts\":1.0}", "{\"x\":[1],\"ts\":1e3}",
            "{\"x\":[1],\"ts\":\"5\"}", "{\"x\":[1],\"ts\":99999999999999999999}", "{\"x\":[1],\"ts\":007}",
            "{\"x\":[1],\"id\":7}", "{\"x\":[1],\"id\":\"a\\\"b\"}", "{\"x\":[1],\"id\":\"tab\there\"}", "{\"x\":[1],\"id\":\"caf\u00e9\"}",
            "{\"x\":[1],\"id\":true}", "{\"x\":[1] /* c */}", "\ufeff{\"x\":[1]}", "{\"x\":[1],\"ts\":1}\u0000",
            "{\"x\":[" + "1".repeat(70) + ".5]}",
        };
        for (String t : jacksonDecides) {
            assertTrue(!sameAsJackson(t), "Jackson's path decides " + t);
        }
    }

    @Test
    void shouldAgreeWithJacksonOnRandomPointsAndOnEveryMutationOfThem() {
        Random r = new Random(20261130);
        int taken = 0;
        int mutatedTaken = 0;
        int mutatedRefused = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] data = randomPoint(r).getBytes(StandardCharsets.ISO_8859_1);
            assertTrue(sameAsJackson(data), () -> "the scanner takes " + new String(data, StandardCharsets.ISO_8859_1));
            taken++;
            for (int m = 0; m < 5; m++) {
                byte[] mutated = mutate(r, data);
                boolean scanned = sameAsJackson(mutated);
                mutatedTaken += scanned ? 1 : 0;
                mutatedRefused += scanned ? 0 : 1;
            }
        }
        assertEquals(20_000, taken);
        // both kinds occur in numbers: the comparison above is not vacuous either way
        assertTrue(mutatedTaken > 10_000 && mutatedRefused > 10_000, mutatedTaken + " mutations taken, " + mutatedRefused + " not");
    }

    @Test
    void shouldLeaveARecordOverTheSizeLimitToTheLimitsMessage() {
        PointDeserializer small = new PointDeserializer(MAX_DIMENSION, 16);
        byte[] data = "{\"x\":[1,2,3,4,5]}".getBytes(StandardCharsets.UTF_8);
        assertNotNull(PointScanner.scan(data, MAX_DIMENSION));
        try {
            small.deserialize("points", data);
            fail("a 17-byte record passes max.record.bytes=16");
        } catch (SerializationException e) {
            assertTrue(e.getMessage().contains("max.record.bytes=16"), e.getMessage());
        }
        assertNull(PointScanner.scan("{\"x\":[1,2,3,4,5,6,7]}".getBytes(StandardCharsets.UTF_8), MAX_DIMENSION));
        assertArrayEquals(new double[] {1, 2}, PointScanner.scan("{\"x\":[1,2]}".getBytes(StandardCharsets.UTF_8), 2).x());
    }

    private static String randomPoint(Random r) {
        List<String> fields = new ArrayList<>();
        if (r.nextInt(4) > 0) {
            fields.add(ws(r) + "\"id\"" + ws(r) + ":" + ws(r) + (r.nextInt(10) == 0 ? "null" : "\"" + randomId(r) + "\""));
        }
        if (r.nextInt(4) > 0) {
            String ts = r.nextInt(10) == 0 ? "null" : Long.toString(r.nextInt(3) == 0 ? r.nextInt(1000) : (long) (r.nextDouble() * 1e17));
            fields.add(ws(r) + "\"ts\"" + ws(r) + ":" + ws(r) + ts);
        }
        int n = 1 + r.nextInt(MAX_DIMENSION);
        StringBuilder x = new StringBuilder("[");
        int observed = r.nextInt(n);
        for (int j = 0; j < n; j++) {
            x.append(ws(r)).append(j != observed && r.nextInt(8) == 0 ? "null" : randomNumber(r)).append(ws(r));
            if (j + 1 < n) {
                x.append(',');
            }
        }
        fields.add(ws(r) + "\"x\"" + ws(r) + ":" + ws(r) + x + "]");
        Collections.shuffle(fields, r);
        return ws(r) + "{" + String.join(ws(r) + ",", fields) + ws(r) + "}" + ws(r);
    }

    private static String randomId(Random r) {
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            char c = (char) (0x20 + r.nextInt(0x5F));
            s.append(c == '"' || c == '\\' ? 'q' : c);
        }
        return s.toString();
    }

    /** Numbers the way writers write them, and digit strings that test correct rounding and the double range. */
    private static String randomNumber(Random r) {
        switch (r.nextInt(6)) {
            case 0:
                return Double.toString(r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
            case 1:
                return Long.toString(r.nextLong() >> (10 + r.nextInt(54))); // at most 16 digits
            case 2:
                return NumberOutput.toString(r.nextGaussian() * 1e3, true); // Jackson's Schubfach writer, as assignments are written
            case 3:
                return Integer.toString(r.nextInt(100) - 50);
            default:
                StringBuilder s = new StringBuilder(r.nextBoolean() ? "-" : "");
                s.append(1 + r.nextInt(9));
                int digits = r.nextInt(25);
                for (int i = 0; i < digits; i++) {
                    s.append(r.nextInt(10));
                }
                boolean fraction = digits > 17 || r.nextBoolean(); // else an integer of more than 18 digits, for Jackson
                if (fraction) {
                    s.append('.').append(r.nextInt(1000));
                }
                if (r.nextBoolean()) {
                    int exponent = r.nextInt(610) - 330; // finite whatever the mantissa: 1e26 x 1e280 < 1.8e308
                    s.append(r.nextBoolean() ? 'e' : 'E').append(exponent >= 0 && r.nextBoolean() ? "+" : "").append(exponent);
                }
                return s.toString();
        }
    }

    private static String ws(Random r) {
        return r.nextInt(3) > 0 ? "" : String.valueOf(WHITESPACE.charAt(r.nextInt(WHITESPACE.length())));
    }

    /** One byte replaced, inserted or deleted, or the record cut short: mostly from JSON's own characters. */
    private static byte[] mutate(Random r, byte[] data) {
        String alphabet = "{}[],:\"\\ -+.eE0123456789nulxidts\u00e9\u0000";
        byte c = r.nextInt(20) == 0 ? (byte) r.nextInt(256) : (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        int at = r.nextInt(data.length);
        switch (r.nextInt(4)) {
            case 0: {
                byte[] m = data.clone();
                m[at] = c;
                return m;
            }
            case 1: {
                byte[] m = new byte[data.length + 1];
                System.arraycopy(data, 0, m, 0, at);
                m[at] = c;
                System.arraycopy(data, at, m, at + 1, data.length - at);
                return m;
            }
            case 2: {
                byte[] m = new byte[data.length - 1];
                System.arraycopy(data, 0, m, 0, at);
                System.arraycopy(data, at + 1, m, at, data.length - at - 1);
                return m;
            }
            default:
                return java.util.Arrays.copyOf(data, at);
        }
    }
}
