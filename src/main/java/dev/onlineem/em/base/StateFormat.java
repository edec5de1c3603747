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
    /** The version written. */
    public static final byte VERSION = VERSION_14;

    private StateFormat() {
    }

    /** A bulk copy through a double view; little-endian, so on x86 and ARM it is a plain memory copy. */
    public static void putAll(ByteBuffer out, double[] values) {
        out.asDoubleBuffer().put(values);
        out.position(out.position() + Double.BYTES * values.length);
    }

    /** Reads into.length doubles into {@code into} (modified) and returns it. */
    public static double[] getAll(ByteBuffer in, double[] into) {
        in.asDoubleBuffer().get(into);
        in.position(in.position() + Double.BYTES * into.length);
        return into;
    }
}
