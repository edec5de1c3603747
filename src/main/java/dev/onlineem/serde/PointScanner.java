package dev.onlineem.serde;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The common point read straight from its bytes, without a parser object, a token per value or a set of the
 * names seen: {@code {"id": "...", "ts": N, "x": [numbers or null]}} in plain ASCII, the fields in any order, JSON
 * whitespace between tokens. Jackson's streaming parser took 11% of the stream thread's time, a third of it in its
 * duplicate-name detection, which hashes every field name.
 *
 * <p>It takes only what Jackson's path ({@link PointDeserializer}) takes, with the same values; anything else
 * returns null and goes through Jackson, which accepts it or words the error exactly as before: an escape or a
 * byte outside printable ASCII in the id, an unknown or repeated field, an id given as a number, a timestamp with a
 * sign, a number longer than {@link #LONGEST_NUMBER} characters, an integer with more than 18 digits, {@code -0}
 * (Jackson reads an integer zero, losing the sign), a coordinate outside the double range, and every error.
 * Numbers follow JSON's grammar, so {@code 01}, {@code 1.}, {@code .5} and {@code +1} go to Jackson, which refuses
 * them; a decimal is parsed correctly rounded, as Jackson's parser does, so both give the same double.
 * {@code PointScannerTest} holds the two paths to the same result on hand-picked and on mutated records.
 */
final class PointScanner {
    /** Longer numbers (no double needs more than 25 characters written shortest) go to Jackson and its limits. */
    static final int LONGEST_NUMBER = 64;
    private static final int ID = 1;
    private static final int TS = 2;
    private static final int X = 4;

    private final byte[] b;
    private int p;

    private PointScanner(byte[] b) {
        this.b = b;
    }

    /** The point, or null when Jackson's path has to read these bytes. */
    static Point scan(byte[] data, int maxDimension) {
        return new PointScanner(data).point(maxDimension);
    }

    private Point point(int maxDimension) {
        skipWhitespace();
        if (!take('{')) {
            return null;
        }
        String id = null;
        Long ts = null;
        double[] x = null;
        int seen = 0;
        do {
            skipWhitespace();
            int field = fieldName();
            if (field == 0 || (seen & field) != 0) {
                return null;
            }
            seen |= field;
            skipWhitespace();
            if (!take(':')) {
                return null;
            }
            skipWhitespace();
            boolean isNull = takeNull();
            if (field == ID) {
                if (!isNull && (id = string()) == null) {
                    return null;
                }
            } else if (field == TS) {
                if (!isNull) {
                    long t = unsignedLong();
                    if (t < 0) {
                        return null;
                    }
                    ts = t;
                }
            } else if (isNull || (x = coordinates(maxDimension)) == null) {
                return null;
            }
            skipWhitespace();
        } while (take(','));
        if (!take('}')) {
            return null;
        }
        skipWhitespace();
        return p == b.length && x != null ? new Point(id, ts, x) : null;
    }

    /** ID, TS or X for a quoted name that is exactly one of them, else 0. */
    private int fieldName() {
        if (!take('"')) {
            return 0;
        }
        int field;
        if (take('x')) {
            field = X;
        } else if (take('i')) {
            field = take('d') ? ID : 0;
        } else if (take('t')) {
            field = take('s') ? TS : 0;
        } else {
            return 0;
        }
        return field != 0 && take('"') ? field : 0;
    }

    /** A string of printable ASCII with nothing escaped, after its opening quote; else null. */
    private String string() {
        if (!take('"')) {
            return null;
        }
        int start = p;
        while (p < b.length) {
            int c = b[p];
            if (c == '"') {
                int length = p - start;
                p++;
                return length > Json.MAX_STRING_LENGTH ? null : new String(b, start, length, StandardCharsets.ISO_8859_1);
            }
            if (c < 0x20 || c > 0x7E || c == '\\') {
                return null;
            }
            p++;
        }
        return null;
    }

    /** 0 to 18 digits with no sign, fraction or exponent, as a long; else -1. */
    private long unsignedLong() {
        int start = p;
        int end = numberEnd();
        if (end < 0 || end - start > 18 || b[start] == '-' || !integral(start, end)) {
            return -1;
        }
        return digits(start, end);
    }

    /** {@code [c, ...]}, each a number or null, at least one a number, at most maxDimension; else null. */
    private double[] coordinates(int maxDimension) {
        if (!take('[')) {
            return null;
        }
        double[] x = new double[Math.min(8, maxDimension)];
        int n = 0;
        boolean observed = false;
        do {
            if (n == maxDimension) {
                return null;
            }
            if (n == x.length) {
                x = Arrays.copyOf(x, Math.min(2 * n, maxDimension));
            }
            skipWhitespace();
            if (takeNull()) {
                x[n++] = Double.NaN;
            } else {
                double v = number();
                if (!Double.isFinite(v)) {
                    return null;
                }
                x[n++] = v;
                observed = true;
            }
            skipWhitespace();
        } while (take(','));
        if (!take(']') || !observed) {
            return null;
        }
        return n == x.length ? x : Arrays.copyOf(x, n);
    }

    /** A JSON number as Jackson reads it into a double, or NaN when Jackson has to read it. */
    private double number() {
        int start = p;
        int end = numberEnd();
        if (end < 0) {
            return Double.NaN;
        }
        if (!integral(start, end)) {
            return JavaDoubleParser.parseDouble(b, start, end - start);
        }
        boolean negative = b[start] == '-';
        int from = negative ? start + 1 : start;
        if (end - from > 18 || negative && end - from == 1 && b[from] == '0') {
            return Double.NaN;
        }
        long v = digits(from, end);
        return negative ? -v : v;
    }

    /**
     * Moves past a number in JSON's grammar, {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}, that ends
     * where a token may end, and returns its end; -1 (position undefined) when there is none or it is too long.
     */
    private int numberEnd() {
        int start = p;
        take('-');
        if (take('0')) {
            // a leading zero stands alone
        } else if (digitsAtLeastOne() == 0) {
            return -1;
        }
        if (take('.') && digitsAtLeastOne() == 0) {
            return -1;
        }
        if (take('e') || take('E')) {
            if (!take('+')) {
                take('-');
            }
            if (digitsAtLeastOne() == 0) {
                return -1;
            }
        }
        if (p - start > LONGEST_NUMBER || p < b.length && !endsToken(b[p])) {
            return -1;
        }
        return p;
    }

    private static boolean endsToken(byte c) {
        return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }

    private int digitsAtLeastOne() {
        int start = p;
        while (p < b.length && b[p] >= '0' && b[p] <= '9') {
            p++;
        }
        return p - start;
    }

    private boolean integral(int start, int end) {
        for (int i = start; i < end; i++) {
            if (b[i] == '.' || b[i] == 'e' || b[i] == 'E') {
                return false;
            }
        }
        return true;
    }

    private long digits(int from, int end) {
        long v = 0;
        for (int i = from; i < end; i++) {
            v = 10 * v + (b[i] - '0');
        }
        return v;
    }

    private boolean takeNull() {
        if (p + 4 <= b.length && b[p] == 'n' && b[p + 1] == 'u' && b[p + 2] == 'l' && b[p + 3] == 'l') {
            p += 4;
            return true;
        }
        return false;
    }

    private boolean take(char c) {
        if (p < b.length && b[p] == c) {
            p++;
            return true;
        }
        return false;
    }

    private void skipWhitespace() {
        while (p < b.length) {
            byte c = b[p];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            p++;
        }
    }
}
