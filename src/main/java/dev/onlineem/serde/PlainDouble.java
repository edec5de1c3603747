package dev.onlineem.serde;

/**
 * The shortest decimal that reads back as a given double, written straight into a byte buffer, for the doubles that
 * Java (19 and later) and Jackson's Schubfach writer write in plain notation: 0 and 10^-3 <= |v| < 10^7. The text is
 * theirs exactly: among the decimals that round to v, those with the fewest significant digits, and of those the
 * closest to v (the even last digit on a tie), as {@code 123.456} or {@code 0.00125} with at least one digit after the
 * point. Everything else (|v| outside that range, where they switch to {@code 1.0E-5}; a power of two, whose lower
 * neighbour is nearer than its upper one) returns -1 and goes to Jackson's writer. Jackson's writer builds an object
 * and a String per number; an assignment has seven doubles, which took nearly all of its 1.3 us.
 *
 * <p>The arithmetic is exact: with v = m 2^e, the bounds (2m +- 1) 2^(e-1) of the rounding interval, scaled by
 * 10^s to 17 or more significant digits, are 118-bit products of 64-bit integers, shifted right by 1 - e (30 to 63
 * in this range). {@code PlainDoubleTest} holds the text to Jackson's on millions of doubles and on every boundary.
 */
final class PlainDouble {
    private static final long[] POW10 = new long[19];
    /** 10^19 does not fit in a signed long; as an unsigned 64-bit integer it does. */
    private static final long POW10_19 = -8446744073709551616L;
    private static final long E16 = 10_000_000_000_000_000L;
    private static final byte[] ZERO = {'0', '.', '0'};

    static {
        POW10[0] = 1;
        for (int i = 1; i < POW10.length; i++) {
            POW10[i] = 10 * POW10[i - 1];
        }
    }

    private PlainDouble() {
    }

    /**
     * Writes v at buf[pos] (at most 26 bytes) and returns the position after it, or -1 (nothing written) when Jackson's
     * writer has to write it.
     */
    static int write(double v, byte[] buf, int pos) {
        long bits = Double.doubleToRawLongBits(v);
        boolean negative = bits < 0;
        double a = Math.abs(v);
        if (a == 0) {
            if (negative) {
                buf[pos++] = '-';
            }
            System.arraycopy(ZERO, 0, buf, pos, 3);
            return pos + 3;
        }
        long fraction = bits & 0xFFFFFFFFFFFFFL;
        if (!(a >= 1e-3 && a < 1e7) || fraction == 0) {
            return -1;
        }
        long m = fraction | 1L << 52;
        int k = 1075 - (int) (bits >>> 52 & 0x7FF) + 1; // v = m 2^e, e = 1 - k; interval bounds have denominator 2^k
        // 10^s v has 17 digits before the point, or 18 when log10 rounded down across a power of ten (and
        // 10^19 v >= 10^16 for every v in range); one more power when log10 rounded up across one
        int s = Math.min(19, 16 - (int) Math.floor(Math.log10(a)));
        long vq = scaled(2 * m, s, k);
        if (vq < E16 && s < 19) {
            s++;
            vq = scaled(2 * m, s, k);
        }
        if (vq < E16) {
            return -1;
        }
        boolean inclusive = (m & 1) == 0; // a decimal on a bound rounds to v only when m is even
        long lo = scaled(2 * m - 1, s, k);
        long hi = scaled(2 * m + 1, s, k);
        long lowest = remainder(2 * m - 1, s, k) == 0 && inclusive ? lo : lo + 1;
        long highest = remainder(2 * m + 1, s, k) == 0 && !inclusive ? hi - 1 : hi;
        // the coarsest power of ten t with a multiple in [lowest, highest]: the fewest significant digits
        int t = 0;
        while (t + 1 < POW10.length && ceilMultiple(lowest, POW10[t + 1]) <= highest) {
            t++;
        }
        long u = POW10[t];
        long below = vq / u * u; // <= v
        long above = below + u;
        long chosen;
        boolean belowIn = below >= lowest;
        boolean aboveIn = above <= highest;
        if (belowIn && aboveIn) {
            int c = closer(vq - below, u, remainder(2 * m, s, k), k);
            chosen = c < 0 || c == 0 && (below / u & 1) == 0 ? below : above;
        } else {
            chosen = belowIn ? below : above;
        }
        long digits = chosen / u;
        int exponent = t - s; // value = digits 10^exponent
        while (digits % 10 == 0) {
            digits /= 10;
            exponent++;
        }
        if (negative) {
            buf[pos++] = '-';
        }
        return plain(digits, exponent, buf, pos);
    }

    /** floor(x 10^s / 2^k) for 0 < x < 2^55, s <= 19, 30 <= k <= 63. */
    private static long scaled(long x, int s, int k) {
        long p = s == 19 ? POW10_19 : POW10[s];
        long high = Math.multiplyHigh(x, p) + (p >> 63 & x); // unsigned high word: p may be >= 2^63
        long low = x * p;
        return high << (64 - k) | low >>> k;
    }

    /** (x 10^s) mod 2^k. */
    private static long remainder(long x, int s, int k) {
        long p = s == 19 ? POW10_19 : POW10[s];
        return x * p & (1L << k) - 1;
    }

    private static long ceilMultiple(long x, long u) {
        long f = x / u * u;
        return f == x ? x : f + u;
    }

    /**
     * Sign of (distance from v to the multiple below) - (distance to the one above): v = below + a + r / 2^k with
     * 0 <= a < u integer and r the remainder of 2m 10^s over 2^k, so the sign is that of 2a + 2r/2^k - u.
     */
    private static int closer(long a, long u, long r, int k) {
        long twice = 2 * a - u;
        if (twice <= -2) {
            return -1;
        }
        if (twice >= 0) {
            return twice == 0 && r == 0 ? 0 : 1;
        }
        return Long.compare(r, 1L << (k - 1)); // twice == -1: compare r / 2^k with 1/2
    }

    /** digits 10^exponent in plain notation with at least one digit after the point. */
    private static int plain(long digits, int exponent, byte[] buf, int pos) {
        int n = 1;
        while (n < 19 && digits >= POW10[n]) {
            n++;
        }
        int point = n + exponent; // digits before the point
        if (point <= 0) {
            buf[pos++] = '0';
            buf[pos++] = '.';
            for (int i = point; i < 0; i++) {
                buf[pos++] = '0';
            }
            return putDigits(digits, n, buf, pos);
        }
        if (point >= n) {
            pos = putDigits(digits, n, buf, pos);
            for (int i = n; i < point; i++) {
                buf[pos++] = '0';
            }
            buf[pos++] = '.';
            buf[pos++] = '0';
            return pos;
        }
        long head = digits / POW10[n - point];
        pos = putDigits(head, point, buf, pos);
        buf[pos++] = '.';
        return putDigits(digits - head * POW10[n - point], n - point, buf, pos);
    }

    /** The n lowest decimal digits of x, leading zeros included. */
    private static int putDigits(long x, int n, byte[] buf, int pos) {
        for (int i = pos + n - 1; i >= pos; i--) {
            buf[i] = (byte) ('0' + x % 10);
            x /= 10;
        }
        return pos + n;
    }
}
