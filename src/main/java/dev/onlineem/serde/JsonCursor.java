package dev.onlineem.serde;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A position in a UTF-8 JSON record, for the scanners that read common records straight from their bytes
 * ({@link PointScanner}, {@link TickScanner}). Every method takes only what Jackson's parser would read the same way
 * and answers "not here" (false, null, -1 or NaN) for anything else, leaving the record to Jackson's path, which
 * accepts it or words the error: a string with an escape or a byte outside printable ASCII, a number outside JSON's
 * grammar or longer than {@link #LONGEST_NUMBER} characters, an integer with a sign or more than 18 digits where a
 * long is read, {@code -0} (Jackson reads an integer zero, losing the sign), a double out of range.
 */
final class JsonCursor {
    /** Longer numbers (no double needs more than 25 characters written shortest) go to Jackson and its limits. */
    static final int LONGEST_NUMBER = 64;

    private final byte[] b;
    private int p;

    JsonCursor(byte[] b) {
        this.b = b;
    }

    /** Whether the record starts an object here, after whitespace. */
    boolean objectStart() {
        skipWhitespace();
        return take('{');
    }

    /**
     * At the start of an object's field: its name's index in {@code names}, if it is one of them and not yet among
     * {@code seen} (bit i for names[i]), past its colon; else -1.
     */
    int field(byte[][] names, int seen) {
        skipWhitespace();
        int f = fieldName(names);
        return f < 0 || (seen & 1 << f) != 0 || !colon() ? -1 : f;
    }

    /** After a field's value: whether a comma follows, and so another field. */
    boolean nextField() {
        skipWhitespace();
        return take(',');
    }

    /** Whether the object closes here with only whitespace after it. */
    boolean objectEndsRecord() {
        return take('}') && atEnd();
    }

    /** The index in {@code names} of the quoted field name here (plain ASCII, exactly), else -1. */
    private int fieldName(byte[][] names) {
        int start = p + 1;
        int end = stringEnd();
        if (end < 0) {
            return -1;
        }
        int length = end - start;
        for (int i = 0; i < names.length; i++) {
            byte[] name = names[i];
            if (name.length == length && Arrays.equals(b, start, start + length, name, 0, length)) {
                return i;
            }
        }
        return -1;
    }

    /** Field names as {@link #field} matches them. */
    static byte[][] names(String... names) {
        byte[][] encoded = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            encoded[i] = names[i].getBytes(StandardCharsets.US_ASCII);
        }
        return encoded;
    }

    /** A quoted string of printable ASCII with nothing escaped; else null. */
    String string() {
        int start = p + 1;
        int end = stringEnd();
        return end < 0 ? null : new String(b, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /** Moves past a quoted string of printable ASCII with nothing escaped and returns where its text ends; else -1. */
    private int stringEnd() {
        if (!take('"')) {
            return -1;
        }
        int start = p;
        while (p < b.length) {
            int c = b[p];
            if (c == '"') {
                p++;
                return p - 1 - start > Json.MAX_STRING_LENGTH ? -1 : p - 1;
            }
            if (c < 0x20 || c > 0x7E || c == '\\') {
                return -1;
            }
            p++;
        }
        return -1;
    }

    /** 1 to 18 digits with no sign, fraction or exponent, as a long; else -1. */
    long unsignedLong() {
        int start = p;
        int end = numberEnd();
        if (end < 0 || end - start > 18 || b[start] == '-' || !integral(start, end)) {
            return -1;
        }
        return digits(start, end);
    }

    /** A JSON number as Jackson reads it into a finite double, or NaN when Jackson has to read it. */
    double number() {
        int start = p;
        int end = numberEnd();
        if (end < 0) {
            return Double.NaN;
        }
        if (!integral(start, end)) {
            double v = JavaDoubleParser.parseDouble(b, start, end - start);
            return Double.isFinite(v) ? v : Double.NaN;
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
        } else if (skipDigits() == 0) {
            return -1;
        }
        if (take('.') && skipDigits() == 0) {
            return -1;
        }
        if (take('e') || take('E')) {
            if (!take('+')) {
                take('-');
            }
            if (skipDigits() == 0) {
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

    private int skipDigits() {
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

    boolean takeNull() {
        if (p + 4 <= b.length && b[p] == 'n' && b[p + 1] == 'u' && b[p + 2] == 'l' && b[p + 3] == 'l') {
            p += 4;
            return true;
        }
        return false;
    }

    boolean take(char c) {
        if (p < b.length && b[p] == c) {
            p++;
            return true;
        }
        return false;
    }

    /** Skips JSON whitespace, then whether a colon follows; skips the whitespace after it. */
    private boolean colon() {
        skipWhitespace();
        boolean taken = take(':');
        skipWhitespace();
        return taken;
    }

    /** Whether only whitespace is left. */
    private boolean atEnd() {
        skipWhitespace();
        return p == b.length;
    }

    void skipWhitespace() {
        while (p < b.length) {
            byte c = b[p];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            p++;
        }
    }
}
