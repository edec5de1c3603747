package dev.onlineem.serde;

import java.util.Arrays;

/**
 * The common point read straight from its bytes, without a parser object, a token per value or a set of the
 * names seen: {@code {"id": "...", "ts": N, "x": [numbers or null]}} in plain ASCII, the fields in any order, JSON
 * whitespace between tokens. Jackson's streaming parser took 11% of the stream thread's time, a third of it in its
 * duplicate-name detection, which hashes every field name.
 *
 * <p>It takes only what Jackson's path ({@link PointDeserializer}) takes, with the same values; anything else
 * returns null and goes through Jackson, which accepts it or words the error exactly as before: what
 * {@link JsonCursor} leaves to Jackson, an unknown or repeated field, an id given as a number, more than
 * max.dimension coordinates, and every error. {@code PointScannerTest} holds the two paths to the same result on
 * hand-picked and on mutated records.
 */
final class PointScanner {
    private static final byte[][] FIELDS = JsonCursor.names("id", "ts", "x");
    private static final int ID = 0;
    private static final int TS = 1;

    private PointScanner() {
    }

    /** The point, or null when Jackson's path has to read these bytes. */
    static Point scan(byte[] data, int maxDimension) {
        JsonCursor c = new JsonCursor(data);
        if (!c.objectStart()) {
            return null;
        }
        String id = null;
        Long ts = null;
        double[] x = null;
        int seen = 0;
        do {
            int field = c.field(FIELDS, seen);
            if (field < 0) {
                return null;
            }
            seen |= 1 << field;
            boolean isNull = c.takeNull();
            if (field == ID) {
                if (!isNull && (id = c.string()) == null) {
                    return null;
                }
            } else if (field == TS) {
                if (!isNull) {
                    long t = c.unsignedLong();
                    if (t < 0) {
                        return null;
                    }
                    ts = t;
                }
            } else if (isNull || (x = coordinates(c, maxDimension)) == null) {
                return null;
            }
        } while (c.nextField());
        return c.objectEndsRecord() && x != null ? new Point(id, ts, x) : null;
    }

    /** {@code [c, ...]}, each a number or null, at least one a number, at most maxDimension; else null. */
    private static double[] coordinates(JsonCursor c, int maxDimension) {
        if (!c.take('[')) {
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
            c.skipWhitespace();
            if (c.takeNull()) {
                x[n++] = Double.NaN;
            } else {
                double v = c.number();
                if (Double.isNaN(v)) {
                    return null;
                }
                x[n++] = v;
                observed = true;
            }
            c.skipWhitespace();
        } while (c.take(','));
        if (!c.take(']') || !observed) {
            return null;
        }
        return n == x.length ? x : Arrays.copyOf(x, n);
    }
}
