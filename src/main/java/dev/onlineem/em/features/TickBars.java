package dev.onlineem.em.features;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One symbol's ticks turned into bars in event time, and each closed bar into a feature vector
 * ({@link BarSettings#features()}): the tick stage in front of a market model's feature stage.
 *
 * <p><b>Time bars</b> cover [start, start + barMs) with start a multiple of barMs (UTC epoch). A bar closes
 * when a tick of the symbol at or after its end + grace arrives (event time: the newest tick time seen,
 * never the wall clock), so ticks may arrive out of order within the grace. A tick for a bar that has
 * already closed is <em>late</em> and refused with the reason. Empty intervals (no trades) between two
 * closed bars are skipped, or reported as up to {@code gapBars} bars with volume 0 and the other features
 * missing. <b>Tick-count bars</b> close at every {@code barTicks}-th tick; a tick older than the last closed
 * bar's newest tick by more than the grace is late.
 *
 * <p>Out-of-order ticks inside an open bar count for its open (earliest tick), close (latest tick), high,
 * low and volume; only ticks in time order add to the realised volatility, which needs the price path.
 * A bar's features: see {@link BarFeature}. A bar whose features are all missing (the first bar when only
 * the return is asked for) is not reported.
 *
 * <p>Ticks are validated before any state changes: the price must be finite and positive, the size
 * finite and not negative. Deterministic and serialisable bit for bit, like the models' state.
 * Mutable, not thread-safe.
 */
public final class TickBars {
    private static final int VERSION = 1;
    /** 9999-12-31T23:59:59.999Z: the latest tick time accepted, so bar arithmetic cannot overflow. */
    static final long MAX_TS = 253_402_300_799_999L;

    /** A closed bar: its interval, its ticks and its feature vector (NaN for a missing feature). */
    public record Bar(long index, long start, long end, int ticks, double open, double high, double low, double close,
                      double volume, double[] features) {
        /** The bar's time: its end for a time bar, its newest tick for a tick-count bar. */
        public long ts() {
            return end;
        }
    }

    private final BarSettings settings;
    /** Close of the last reported non-empty bar; NaN before the first. */
    private double lastClose = Double.NaN;
    /** Time bars: end of the last closed bar (ticks before it are late). Count bars: newest tick of the last closed bar. */
    private long closedUpTo = Long.MIN_VALUE;
    /** Newest tick time seen. */
    private long watermark = Long.MIN_VALUE;
    private long barsClosed;
    /** Open bars by start (time bars; count bars use key 0 for their one open bar). */
    private final TreeMap<Long, Open> open = new TreeMap<>();

    public TickBars(BarSettings settings) {
        this.settings = settings;
    }

    public BarSettings settings() {
        return settings;
    }

    /** Bars closed so far (empty bars reported for a gap included). */
    public long barsClosed() {
        return barsClosed;
    }

    /**
     * Adds one tick, then closes the bars it completes.
     *
     * @param out receives the closed bars, oldest first
     * @throws IllegalArgumentException (before any state changes) for a bad price or size, or a late tick;
     *         the message says which and why
     */
    public void accept(double price, double size, long ts, List<Bar> out) {
        if (!(price > 0) || Double.isInfinite(price)) {
            throw new IllegalArgumentException("bad tick: price " + price + " is not a finite positive number");
        }
        if (!(size >= 0) || Double.isInfinite(size)) {
            throw new IllegalArgumentException("bad tick: size " + size + " is not a finite number >= 0");
        }
        if (ts < 0 || ts > MAX_TS) {
            throw new IllegalArgumentException("bad tick: ts " + ts + " is not an epoch-millisecond time between 1970 and 9999");
        }
        if (settings.timeBars()) {
            long start = Math.floorDiv(ts, settings.barMs()) * settings.barMs();
            if (start < closedUpTo) {
                throw new IllegalArgumentException("late tick: ts " + ts + " falls in the bar [" + start + ", " + (start + settings.barMs())
                        + ") that closed when ticks reached " + watermark + " (ticks.grace.ms = " + settings.graceMs() + ")");
            }
            open.computeIfAbsent(start, s -> new Open()).add(price, size, ts);
            watermark = Math.max(watermark, ts);
            Map.Entry<Long, Open> first;
            while ((first = open.firstEntry()) != null && first.getKey() + settings.barMs() + settings.graceMs() <= watermark) {
                open.pollFirstEntry();
                closeTimeBar(first.getKey(), first.getValue(), out);
            }
        } else {
            if (closedUpTo != Long.MIN_VALUE && ts < closedUpTo - settings.graceMs()) {
                throw new IllegalArgumentException("late tick: ts " + ts + " is older than the last closed bar's newest tick " + closedUpTo
                        + " by more than ticks.grace.ms = " + settings.graceMs());
            }
            Open bar = open.computeIfAbsent(0L, s -> new Open());
            bar.add(price, size, ts);
            watermark = Math.max(watermark, ts);
            if (bar.ticks == settings.barTicks()) {
                open.clear();
                closedUpTo = bar.closeTs;
                emit(report(bar.openTs, bar.closeTs, bar), out);
            }
        }
    }

    private void closeTimeBar(long start, Open bar, List<Bar> out) {
        long ms = settings.barMs();
        if (closedUpTo != Long.MIN_VALUE && settings.gapBars() > 0) {
            long empty = (start - closedUpTo) / ms;
            for (long i = 0; i < Math.min(empty, settings.gapBars()); i++) {
                long s = closedUpTo + i * ms;
                emit(report(s, s + ms, null), out);
            }
        }
        closedUpTo = start + ms;
        emit(report(start, start + ms, bar), out);
    }

    private static void emit(Bar bar, List<Bar> out) {
        if (bar != null) {
            out.add(bar);
        }
    }

    private Bar report(long start, long end, Open bar) {
        double[] f = new double[settings.dimension()];
        boolean any = false;
        for (int i = 0; i < f.length; i++) {
            f[i] = bar == null ? emptyFeature(settings.features().get(i)) : feature(settings.features().get(i), bar);
            any |= !Double.isNaN(f[i]);
        }
        long index = barsClosed++;
        Bar b = bar == null
                ? new Bar(index, start, end, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, f)
                : new Bar(index, start, end, bar.ticks, bar.open, bar.high, bar.low, bar.close, bar.volume, f);
        if (bar != null) {
            lastClose = bar.close;
        }
        return any ? b : null;
    }

    private static double emptyFeature(BarFeature f) {
        return f == BarFeature.VOLUME ? 0 : Double.NaN;
    }

    private double feature(BarFeature f, Open bar) {
        switch (f) {
            case RETURN: return Double.isNaN(lastClose) ? Double.NaN : Math.log(bar.close / lastClose);
            case VOLATILITY: return Math.sqrt(bar.sumSquaredReturns);
            case VOLUME: return Math.log1p(bar.volume);
            default: return Math.log(bar.high / bar.low);
        }
    }

    /** The bar being built. */
    private static final class Open {
        int ticks;
        double open;
        double high;
        double low;
        double close;
        long openTs;
        long closeTs;
        double volume;
        double sumSquaredReturns;

        void add(double price, double size, long ts) {
            if (ticks == 0) {
                open = high = low = close = price;
                openTs = closeTs = ts;
            } else {
                if (ts >= closeTs) { // in time order: one more step of the price path
                    double r = Math.log(price / close);
                    sumSquaredReturns += r * r;
                    close = price;
                    closeTs = ts;
                }
                if (ts < openTs) {
                    open = price;
                    openTs = ts;
                }
                high = Math.max(high, price);
                low = Math.min(low, price);
            }
            volume += size;
            ticks++;
        }
    }

    /** Bytes {@link #writeTo} writes. */
    public int encodedSize() {
        return 4 + 8 * 4 + 4 + open.size() * (8 + 4 + 8 * 8);
    }

    /** Writes the whole state; {@link #readFrom} restores it bit for bit. */
    public void writeTo(ByteBuffer out) {
        out.putInt(VERSION).putDouble(lastClose).putLong(closedUpTo).putLong(watermark).putLong(barsClosed).putInt(open.size());
        for (Map.Entry<Long, Open> e : open.entrySet()) {
            Open b = e.getValue();
            out.putLong(e.getKey()).putInt(b.ticks).putDouble(b.open).putDouble(b.high).putDouble(b.low).putDouble(b.close)
                    .putLong(b.openTs).putLong(b.closeTs).putDouble(b.volume).putDouble(b.sumSquaredReturns);
        }
    }

    public byte[] encode() {
        ByteBuffer out = ByteBuffer.allocate(encodedSize());
        writeTo(out);
        return out.array();
    }

    /** The state {@link #writeTo} wrote, under these settings. */
    public static TickBars readFrom(ByteBuffer in, BarSettings settings) {
        int version = in.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException("tick-bar state version " + version + " is not supported (this build reads " + VERSION + ")");
        }
        TickBars t = new TickBars(settings);
        t.lastClose = in.getDouble();
        t.closedUpTo = in.getLong();
        t.watermark = in.getLong();
        t.barsClosed = in.getLong();
        int n = in.getInt();
        for (int i = 0; i < n; i++) {
            Open b = new Open();
            long start = in.getLong();
            b.ticks = in.getInt();
            b.open = in.getDouble();
            b.high = in.getDouble();
            b.low = in.getDouble();
            b.close = in.getDouble();
            b.openTs = in.getLong();
            b.closeTs = in.getLong();
            b.volume = in.getDouble();
            b.sumSquaredReturns = in.getDouble();
            t.open.put(start, b);
        }
        return t;
    }

    public static TickBars decode(byte[] bytes, BarSettings settings) {
        return readFrom(ByteBuffer.wrap(bytes), settings);
    }
}
