package dev.onlineem.em.base;

import java.nio.ByteBuffer;

/**
 * The stored state's versions and its array layout, which every part of a model writes and reads alike
 * ({@code StateCodec} frames the whole and documents each version).
 */
public final class StateFormat {
    public static final byte VERSION_2 = 2;
    public static final byte VERSION_3 = 3;
    public static final byte VERSION_4 = 4;
    public static final byte VERSION_5 = 5;
    public static final byte VERSION_6 = 6;
    public static final byte VERSION_7 = 7;
    public static final byte VERSION_8 = 8;
    public static final byte VERSION_9 = 9;
    public static final byte VERSION_10 = 10;
    public static final byte VERSION_11 = 11;
    public static final byte VERSION_12 = 12;
    public static final byte VERSION_13 = 13;
    public static final byte VERSION_14 = 14;
    public static final byte VERSION_15 = 15;
    /**
     * A scorer's fast sketch and its stream's exchangeability ({@code AnomalyScorer}); a challenger's judgement without the
     * gains' count and sum, which format 15 kept.
     */
    public static final byte VERSION_16 = 16;
    /** An HMM's fast chain and the bank's weight ({@code OnlineHmmModel}), after drift repair. */
    public static final byte VERSION_17 = 17;
    /** The version written. */
    public static final byte VERSION = VERSION_17;

    private StateFormat() {
    }

    /** A bulk copy through a double view; little-endian, so on x86 and ARM it is a plain memory copy. */
    public static void putAll(ByteBuffer out, double[] values) {
        putAll(out, values, values.length);
    }

    /** {@link #putAll(ByteBuffer, double[])} of the first {@code count} values. */
    public static void putAll(ByteBuffer out, double[] values, int count) {
        out.asDoubleBuffer().put(values, 0, count);
        out.position(out.position() + Double.BYTES * count);
    }

    /** Reads into.length doubles into {@code into} (modified) and returns it. */
    public static double[] getAll(ByteBuffer in, double[] into) {
        return getAll(in, into, into.length);
    }

    /** Reads {@code count} doubles into the start of {@code into} (modified) and returns it. */
    public static double[] getAll(ByteBuffer in, double[] into, int count) {
        in.asDoubleBuffer().get(into, 0, count);
        in.position(in.position() + Double.BYTES * count);
        return into;
    }
}
