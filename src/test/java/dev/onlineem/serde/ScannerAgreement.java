package dev.onlineem.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.common.errors.SerializationException;

/**
 * A byte scanner against Jackson's path for the same record type: whatever the scanner takes, Jackson's path takes with
 * the same value, and the deserializer's answer to any record (a value or an error message) is the one Jackson's path
 * alone would give.
 *
 * @param <T> the record type
 */
final class ScannerAgreement<T> {
    private static final String WHITESPACE = " \t\n\r";
    private final Function<byte[], T> deserializer;
    private final Function<byte[], T> jackson;
    private final Function<byte[], T> scanner;
    private final Function<T, Object> canonical;

    /**
     * @param canonical a value whose equals compares two records exactly (doubles bit for bit)
     */
    ScannerAgreement(Function<byte[], T> deserializer, Function<byte[], T> jackson, Function<byte[], T> scanner, Function<T, Object> canonical) {
        this.deserializer = deserializer;
        this.jackson = jackson;
        this.scanner = scanner;
        this.canonical = canonical;
    }

    /** Checks one record both ways; returns whether the scanner took it. */
    boolean check(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        Object reference = answer(jackson, data);
        Object answer = answer(deserializer, data);
        T scanned = scanner.apply(data);
        if (scanned != null) {
            if (reference instanceof String) {
                fail("the scanner took " + text + ", which Jackson's path refuses: " + reference);
            }
            assertEquals(reference, canonical.apply(scanned), text);
        }
        assertEquals(reference, answer, text);
        return scanned != null;
    }

    /** Each record is taken by the scanner, with Jackson's value. */
    void assertTaken(String... records) {
        for (String r : records) {
            assertTrue(check(r.getBytes(StandardCharsets.UTF_8)), "the scanner takes " + r);
        }
    }

    /** Each record is left to Jackson's path, which decides it as the deserializer does. */
    void assertLeftToJackson(String... records) {
        for (String r : records) {
            assertTrue(!check(r.getBytes(StandardCharsets.UTF_8)), "Jackson's path decides " + r);
        }
    }

    /** The canonical value, or the error message as a String. */
    private Object answer(Function<byte[], T> path, byte[] data) {
        try {
            return canonical.apply(path.apply(data));
        } catch (SerializationException e) {
            return e.getMessage();
        }
    }

    /** n records from {@code records}, each taken by the scanner, and 5 mutations of each, checked both ways. */
    void agreeOnRandomRecordsAndTheirMutations(Random r, Supplier<String> records, int n, String alphabet) {
        int mutatedTaken = 0;
        int mutatedRefused = 0;
        for (int i = 0; i < n; i++) {
            byte[] data = records.get().getBytes(StandardCharsets.ISO_8859_1);
            assertTrue(check(data), () -> "the scanner takes " + new String(data, StandardCharsets.ISO_8859_1));
            for (int m = 0; m < 5; m++) {
                if (check(mutate(r, data, alphabet))) {
                    mutatedTaken++;
                } else {
                    mutatedRefused++;
                }
            }
        }
        // both kinds occur in numbers: the comparison is not vacuous either way
        assertTrue(mutatedTaken > n / 2 && mutatedRefused > n / 2, mutatedTaken + " mutations taken, " + mutatedRefused + " not");
    }

    /** {@code "name": value} with random JSON whitespace around its tokens. */
    static String field(Random r, String name, String value) {
        return ws(r) + "\"" + name + "\"" + ws(r) + ":" + ws(r) + value;
    }

    /** The fields in random order as one object, with random JSON whitespace around its tokens. */
    static String object(Random r, List<String> fields) {
        Collections.shuffle(fields, r);
        return ws(r) + "{" + String.join(ws(r) + ",", fields) + ws(r) + "}" + ws(r);
    }

    static String ws(Random r) {
        return r.nextInt(3) > 0 ? "" : String.valueOf(WHITESPACE.charAt(r.nextInt(WHITESPACE.length())));
    }

    /** Numbers the way writers write them, and digit strings that test correct rounding; all finite doubles. */
    static String randomNumber(Random r) {
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

    /** Printable ASCII with nothing to escape. */
    static String randomPlainString(Random r) {
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            char c = (char) (0x20 + r.nextInt(0x5F));
            s.append(c == '"' || c == '\\' ? 'q' : c);
        }
        return s.toString();
    }

    /** One byte replaced, inserted or deleted, or the record cut short: mostly from JSON's own characters and the names'. */
    static byte[] mutate(Random r, byte[] data, String alphabet) {
        String all = "{}[],:\"\\ -+.eE0123456789null\u00e9\u0000" + alphabet;
        byte c = r.nextInt(20) == 0 ? (byte) r.nextInt(256) : (byte) all.charAt(r.nextInt(all.length()));
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
                return Arrays.copyOf(data, at);
        }
    }
}
