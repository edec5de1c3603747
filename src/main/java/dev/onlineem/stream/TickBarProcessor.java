package dev.onlineem.stream;

import dev.onlineem.em.features.BarSettings;
import dev.onlineem.em.features.TickBars;
import dev.onlineem.serde.Point;
import dev.onlineem.serde.Tick;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The tick stage: each symbol's ticks become bars ({@link TickBars}), each closed bar a point of model
 * {@code prefix + symbol} on the points topic, with id {@code symbol@bar-start} and the bar's time as its
 * {@code ts} (the record timestamp is the closing tick's record timestamp). A
 * symbol's bar state goes to the changelogged {@code bars} store after every accepted tick, so a restored
 * task goes on from exactly the committed ticks. A rejected tick (no key, a symbol that is not the key,
 * a bad price or size, a late tick, a time too far ahead) changes nothing and is dead-lettered with the
 * reason.
 */
final class TickBarProcessor implements Processor<String, Tick, String, Point> {
    private final BarSettings settings;
    private final String modelPrefix;
    private final long maxAheadMs;
    private final Map<String, TickBars> live = new HashMap<>();
    private final List<TickBars.Bar> closed = new ArrayList<>();
    private ProcessorContext<String, Point> context;
    private KeyValueStore<String, byte[]> store;

    TickBarProcessor(BarSettings settings, String modelPrefix, long maxAheadMs) {
        this.settings = settings;
        this.modelPrefix = modelPrefix;
        this.maxAheadMs = maxAheadMs;
    }

    @Override
    public void init(ProcessorContext<String, Point> context) {
        this.context = context;
        this.store = context.getStateStore(OnlineEmTopology.BARS_STORE);
        live.clear(); // a re-initialised task reads the store again
    }

    @Override
    public void process(Record<String, Tick> record) {
        String symbol = record.key();
        if (symbol == null || symbol.isEmpty()) {
            throw new BadPointException("tick has no key: the key is the symbol");
        }
        if (symbol.length() > OnlineEmProcessor.MAX_MODEL_ID_LENGTH - modelPrefix.length()) {
            throw new BadPointException("symbol of " + symbol.length() + " characters is too long: at most "
                    + (OnlineEmProcessor.MAX_MODEL_ID_LENGTH - modelPrefix.length()));
        }
        Tick tick = record.value();
        if (tick == null) {
            throw new BadPointException("tick for symbol " + symbol + " has no value: a JSON tick is expected");
        }
        if (tick.symbol() != null && !tick.symbol().equals(symbol)) {
            throw new BadPointException("tick's symbol " + cut(tick.symbol()) + " is not its key " + symbol
                    + ": ticks are keyed by symbol, so that one symbol's ticks stay in order on one partition");
        }
        long ts = tick.ts() != null ? tick.ts() : record.timestamp();
        if (ts - record.timestamp() > maxAheadMs) {
            throw new BadPointException("tick ts " + ts + " is " + (ts - record.timestamp()) + " ms ahead of its record's timestamp "
                    + record.timestamp() + ", more than ticks.max.ahead.ms = " + maxAheadMs);
        }
        TickBars bars = bars(symbol);
        closed.clear();
        try {
            bars.accept(tick.price(), tick.size(), ts, closed);
        } catch (IllegalArgumentException e) {
            throw new BadPointException(e.getMessage() + " (symbol " + symbol + ")");
        }
        store.put(symbol, bars.encode());
        for (TickBars.Bar b : closed) {
            String id = symbol + "@" + (settings.timeBars() ? Instant.ofEpochMilli(b.start()).toString() : "bar-" + b.index());
            // the point carries the bar's time; the record keeps the closing tick's record timestamp, as Kafka Streams'
            // outputs do, so that replayed history does not put old timestamps (segment rolls, retention) on the points topic
            context.forward(new Record<>(modelPrefix + symbol, new Point(id, b.ts(), b.features()), record.timestamp(), record.headers()));
        }
    }

    private TickBars bars(String symbol) {
        TickBars bars = live.get(symbol);
        if (bars == null) {
            byte[] stored = store.get(symbol);
            bars = stored == null ? new TickBars(settings) : TickBars.decode(stored, settings);
            live.put(symbol, bars);
        }
        return bars;
    }

    private static String cut(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override
    public void close() {
        live.clear();
    }
}
