package dev.onlineem.em.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TickBarsTest {
    private static final List<BarFeature> ALL = List.of(BarFeature.RETURN, BarFeature.VOLATILITY, BarFeature.VOLUME, BarFeature.RANGE);

    private static BarSettings timeBars(long ms, long grace, int gapBars) {
        return new BarSettings(true, ms, 100, grace, ALL, gapBars);
    }

    private static List<TickBars.Bar> feed(TickBars bars, double[][] ticks) {
        List<TickBars.Bar> out = new ArrayList<>();
        for (double[] t : ticks) {
            bars.accept(t[0], t[1], (long) t[2], out);
        }
        return out;
    }

    @Test
    void shouldCloseATimeBarAtTheFirstTickAfterItsEndWithItsReturnVolatilityVolumeAndRange() {
        TickBars bars = new TickBars(timeBars(60_000, 0, 0));
        List<TickBars.Bar> out = feed(bars, new double[][] {
            {100, 5, 0}, {101, 1, 10_000}, {99, 2, 59_999}, // bar [0, 60000)
            {102, 3, 60_000}, {104, 1, 61_000},              // bar [60000, 120000)
            {103, 1, 120_000}});                              // closes the second
        assertEquals(2, out.size());
        TickBars.Bar first = out.get(0);
        assertEquals(0, first.start());
        assertEquals(60_000, first.ts());
        assertEquals(3, first.ticks());
        assertEquals(100, first.open());
        assertEquals(99, first.close());
        assertTrue(Double.isNaN(first.features()[0]), "no previous close, so no return");
        double rv = Math.sqrt(Math.pow(Math.log(101 / 100.0), 2) + Math.pow(Math.log(99 / 101.0), 2));
        assertEquals(rv, first.features()[1], 1e-15);
        assertEquals(Math.log1p(8), first.features()[2], 1e-15);
        assertEquals(Math.log(101 / 99.0), first.features()[3], 1e-15);
        TickBars.Bar second = out.get(1);
        assertEquals(Math.log(104 / 99.0), second.features()[0], 1e-15, "close to previous close");
        assertEquals(Math.abs(Math.log(104 / 102.0)), second.features()[1], 1e-15);
        assertEquals(1, bars.barsClosed() - 1);
    }

    @Test
    void shouldCountAnOutOfOrderTickInTheOpenBarButNotInItsVolatility() {
        TickBars bars = new TickBars(timeBars(60_000, 0, 0));
        List<TickBars.Bar> out = feed(bars, new double[][] {{100, 1, 10_000}, {102, 1, 30_000}, {90, 1, 5_000}, {101, 1, 60_000}});
        TickBars.Bar b = out.get(0);
        assertEquals(90, b.open(), "the earliest tick opens the bar");
        assertEquals(102, b.close(), "the latest tick closes it");
        assertEquals(90, b.low());
        assertEquals(3, b.ticks());
        assertEquals(Math.abs(Math.log(102 / 100.0)), b.features()[1], 1e-15);
    }

    @Test
    void shouldRefuseALateTickWithTheReasonAndLeaveTheStateUnchanged() {
        TickBars bars = new TickBars(timeBars(60_000, 0, 0));
        feed(bars, new double[][] {{100, 1, 10_000}, {101, 1, 70_000}});
        byte[] before = bars.encode();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bars.accept(99, 1, 59_000, new ArrayList<>()));
        assertTrue(e.getMessage().startsWith("late tick: ts 59000 falls in the bar [0, 60000)"), e.getMessage());
        assertArrayEquals(before, bars.encode());
    }

    @Test
    void shouldKeepABarOpenForOutOfOrderTicksDuringTheGrace() {
        TickBars bars = new TickBars(timeBars(60_000, 5_000, 0));
        List<TickBars.Bar> out = feed(bars, new double[][] {{100, 1, 10_000}, {101, 1, 62_000}, {95, 1, 59_000}});
        assertEquals(0, out.size(), "bar [0, 60000) waits until ticks reach 65000");
        out = feed(bars, new double[][] {{101, 1, 65_000}});
        assertEquals(1, out.size());
        assertEquals(2, out.get(0).ticks());
        assertEquals(95, out.get(0).close());
        assertThrows(IllegalArgumentException.class, () -> bars.accept(99, 1, 59_999, new ArrayList<>()));
    }

    @Test
    void shouldSkipEmptyBarsSoThatTheNextReturnSpansTheGap() {
        TickBars bars = new TickBars(timeBars(1_000, 0, 0));
        List<TickBars.Bar> out = feed(bars, new double[][] {{100, 1, 0}, {110, 1, 5_500}, {111, 1, 6_000}});
        assertEquals(2, out.size());
        assertEquals(5_000, out.get(1).start());
        assertEquals(Math.log(110 / 100.0), out.get(1).features()[0], 1e-15);
    }

    @Test
    void shouldReportEmptyBarsAsMissingFeaturesWithZeroVolumeWhenAsked() {
        TickBars bars = new TickBars(timeBars(1_000, 0, 2));
        List<TickBars.Bar> out = feed(bars, new double[][] {{100, 1, 0}, {110, 1, 5_500}, {111, 1, 6_000}});
        assertEquals(4, out.size(), "the bar, two of the four empty bars, the bar after the gap");
        TickBars.Bar empty = out.get(1);
        assertEquals(1_000, empty.start());
        assertEquals(0, empty.ticks());
        assertTrue(Double.isNaN(empty.features()[0]) && Double.isNaN(empty.features()[1]) && Double.isNaN(empty.features()[3]));
        assertEquals(0, empty.features()[2]);
        assertEquals(2_000, out.get(2).start());
        assertEquals(Math.log(110 / 100.0), out.get(3).features()[0], 1e-15);
        assertEquals(List.of(0L, 1L, 2L, 3L), out.stream().map(TickBars.Bar::index).toList());
    }

    @Test
    void shouldNotReportABarWhoseFeaturesAreAllMissing() {
        TickBars bars = new TickBars(new BarSettings(true, 1_000, 1, 0, List.of(BarFeature.RETURN), 0));
        List<TickBars.Bar> out = feed(bars, new double[][] {{100, 1, 0}, {101, 1, 1_000}, {102, 1, 2_000}});
        assertEquals(1, out.size(), "the first bar has no return");
        assertEquals(Math.log(101 / 100.0), out.get(0).features()[0], 1e-15);
    }

    @Test
    void shouldCloseATickCountBarAtEveryNthTick() {
        TickBars bars = new TickBars(new BarSettings(false, 60_000, 3, 0, ALL, 0));
        List<TickBars.Bar> out = feed(bars, new double[][] {{100, 1, 5}, {101, 1, 7}, {102, 1, 9}, {103, 1, 10}, {104, 1, 11}, {105, 1, 12}});
        assertEquals(2, out.size());
        assertEquals(9, out.get(0).ts());
        assertEquals(Math.log(105 / 102.0), out.get(1).features()[0], 1e-15);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bars.accept(99, 1, 11, new ArrayList<>()));
        assertTrue(e.getMessage().startsWith("late tick"), e.getMessage());
    }

    @Test
    void shouldRefuseBadPricesAndSizesBeforeAnyStateChanges() {
        TickBars bars = new TickBars(timeBars(60_000, 0, 0));
        feed(bars, new double[][] {{100, 1, 0}});
        byte[] before = bars.encode();
        double[][] bad = {{0, 1}, {-1, 1}, {Double.NaN, 1}, {Double.POSITIVE_INFINITY, 1}, {100, -1}, {100, Double.NaN}};
        for (double[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bars.accept(b[0], b[1], 10, new ArrayList<>()));
            assertTrue(e.getMessage().startsWith("bad tick: "), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> bars.accept(100, 1, -5, new ArrayList<>()));
        assertThrows(IllegalArgumentException.class, () -> bars.accept(100, 1, Long.MAX_VALUE, new ArrayList<>()));
        assertArrayEquals(before, bars.encode());
    }

    @Test
    void shouldRestoreBitForBitSoThatARestoredStageGoesOnIdentically() {
        Random r = new Random(3);
        BarSettings s = timeBars(1_000, 300, 1);
        TickBars straight = new TickBars(s);
        TickBars restored = new TickBars(s);
        double price = 100;
        long ts = 0;
        List<TickBars.Bar> a = new ArrayList<>();
        List<TickBars.Bar> b = new ArrayList<>();
        int late = 0;
        for (int i = 0; i < 5_000; i++) {
            price *= Math.exp(0.001 * r.nextGaussian());
            ts += r.nextInt(400) - 50; // some out of order, some gaps
            ts = Math.max(ts, 0);
            double size = r.nextInt(10);
            long tickTs = i % 50 == 0 ? Math.max(0, ts - 1_500) : ts; // now and then a straggler, late past the grace
            boolean lateA = accept(straight, price, size, tickTs, a);
            if (i % 97 == 0) {
                restored = TickBars.decode(restored.encode(), s);
            }
            assertEquals(lateA, accept(restored, price, size, tickTs, b), "the same ticks are late");
            late += lateA ? 1 : 0;
        }
        assertTrue(late > 0 && a.size() > 500, late + " late ticks, " + a.size() + " bars");
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).start(), b.get(i).start());
            assertArrayEquals(a.get(i).features(), b.get(i).features());
        }
        assertArrayEquals(straight.encode(), restored.encode());
    }

    private static boolean accept(TickBars bars, double price, double size, long ts, List<TickBars.Bar> out) {
        try {
            bars.accept(price, size, ts, out);
            return false;
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    @Test
    void shouldNameTheSettingOfABadBarConfiguration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BarSettings(true, 0, 10, 0, ALL, 0));
        assertTrue(e.getMessage().contains("ticks.bar.ms"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BarFeature.parse("vwap"));
        assertTrue(e.getMessage().contains("ticks.features"), e.getMessage());
    }
}
