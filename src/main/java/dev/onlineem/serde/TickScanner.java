package dev.onlineem.serde;

/**
 * The common tick read straight from its bytes: {@code {"symbol": "...", "price": N, "size": N, "ts": N}} in plain
 * ASCII, the fields in any order, JSON whitespace between tokens, as {@link PointScanner} reads points. Anything else
 * returns null and goes through Jackson's path ({@link TickDeserializer}), which accepts it or words the error as
 * before: what {@link JsonCursor} leaves to Jackson, a field other than these four (a feed's exchange or conditions,
 * which Jackson's path skips), a repeated field, a null symbol or price, a negative time, and every error.
 * {@code TickScannerTest} holds the two paths to the same tick on hand-picked and on mutated records.
 */
final class TickScanner {
    private static final byte[][] FIELDS = JsonCursor.names("symbol", "price", "size", "ts");
    private static final int SYMBOL = 0;
    private static final int PRICE = 1;
    private static final int SIZE = 2;

    private TickScanner() {
    }

    /** The tick, or null when Jackson's path has to read these bytes. */
    static Tick scan(byte[] data) {
        JsonCursor c = new JsonCursor(data);
        if (!c.objectStart()) {
            return null;
        }
        String symbol = null;
        double price = Double.NaN;
        double size = 0;
        Long ts = null;
        int seen = 0;
        do {
            int field = c.field(FIELDS, seen);
            if (field < 0) {
                return null;
            }
            seen |= 1 << field;
            boolean isNull = c.takeNull();
            if (field == SYMBOL) {
                if (isNull || (symbol = c.string()) == null) {
                    return null;
                }
            } else if (field == PRICE) {
                if (isNull || Double.isNaN(price = c.number())) {
                    return null;
                }
            } else if (field == SIZE) {
                if (!isNull && Double.isNaN(size = c.number())) {
                    return null;
                }
            } else if (!isNull) {
                long t = c.unsignedLong();
                if (t < 0) {
                    return null;
                }
                ts = t;
            }
        } while (c.nextField());
        return c.objectEndsRecord() && (seen & 1 << PRICE) != 0 ? new Tick(symbol, price, size, ts) : null;
    }
}
