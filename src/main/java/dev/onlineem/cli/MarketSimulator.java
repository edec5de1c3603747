package dev.onlineem.cli;

import dev.onlineem.serde.Tick;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A seeded regime-switching market for the demo and the tests: per symbol, a hidden two-state Markov
 * chain over bars (calm, volatile) whose state sets the bar's tick rate, the volatility of the price path
 * and the traded sizes. {@link #bar} produces one bar's ticks, in time order, and remembers the true
 * regime of every bar so that what a model finds can be scored against it.
 */
public final class MarketSimulator {
    /** True transition matrix over bars: calm stays with 0.98, volatile with 0.95. */
    public static final double[][] TRANSITIONS = {{0.98, 0.02}, {0.05, 0.95}};
    /** Per regime: volatility of the log price over one bar. */
    static final double[] BAR_VOLATILITY = {0.0005, 0.002};
    /** Per regime: mean ticks per bar. */
    static final double[] TICK_RATE = {15, 30};
    /** Per regime: mean size per tick. */
    static final double[] SIZE = {100, 300};

    private final Random random;
    private final long barMs;
    private final long start;
    private final List<String> symbols;
    private final double[] price;
    private final int[] regime;
    private final List<int[]> truth = new ArrayList<>(); // per bar index: the true regime of each symbol

    /**
     * @param start event time of the first bar, a multiple of barMs
     */
    public MarketSimulator(long seed, List<String> symbols, long barMs, long start) {
        this.random = new Random(seed);
        this.symbols = List.copyOf(symbols);
        this.barMs = barMs;
        this.start = start;
        this.price = new double[symbols.size()];
        this.regime = new int[symbols.size()];
        Arrays.fill(price, 100);
    }

    public List<String> symbols() {
        return symbols;
    }

    /** The ticks of bar {@code index} (bars are produced in order, 0, 1, 2, ...) of every symbol, symbol by symbol. */
    public List<Tick> bar(int index) {
        if (index != truth.size()) {
            throw new IllegalArgumentException("bars are produced in order: expected " + truth.size() + ", got " + index);
        }
        List<Tick> ticks = new ArrayList<>();
        long barStart = start + index * barMs;
        for (int s = 0; s < symbols.size(); s++) {
            if (index > 0 && random.nextDouble() > TRANSITIONS[regime[s]][regime[s]]) {
                regime[s] = 1 - regime[s];
            }
            int k = regime[s];
            int n = 1 + poisson(TICK_RATE[k] - 1);
            double step = BAR_VOLATILITY[k] / Math.sqrt(n);
            long[] times = new long[n];
            for (int i = 0; i < n; i++) {
                times[i] = barStart + (long) (random.nextDouble() * barMs);
            }
            Arrays.sort(times);
            for (int i = 0; i < n; i++) {
                price[s] *= Math.exp(step * random.nextGaussian());
                double size = Math.ceil(-SIZE[k] * Math.log(1 - random.nextDouble()));
                ticks.add(new Tick(symbols.get(s), price[s], size, times[i]));
            }
        }
        truth.add(regime.clone());
        return ticks;
    }

    /** The true regime of symbol {@code symbol} during the bar starting at {@code barStart}, or -1 if not produced. */
    public int regime(String symbol, long barStart) {
        long index = (barStart - start) / barMs;
        int s = symbols.indexOf(symbol);
        return s < 0 || index < 0 || index >= truth.size() ? -1 : truth.get((int) index)[s];
    }

    /** Changes of the true regime of this symbol from bar {@code from} on. */
    public int regimeChanges(String symbol, int from) {
        int s = symbols.indexOf(symbol);
        int changes = 0;
        for (int i = Math.max(1, from + 1); i < truth.size(); i++) {
            changes += truth.get(i)[s] != truth.get(i - 1)[s] ? 1 : 0;
        }
        return changes;
    }

    private int poisson(double mean) {
        double l = Math.exp(-mean);
        double p = 1;
        int k = -1;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > l);
        return k;
    }
}
