package dev.onlineem.stream;

import dev.onlineem.config.AssignmentsMode;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.features.BarSettings;
import dev.onlineem.serde.AssignmentSerializer;
import dev.onlineem.serde.JsonSerializer;
import dev.onlineem.serde.PointDeserializer;
import dev.onlineem.serde.PointSerializer;
import dev.onlineem.serde.TickDeserializer;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The topology: the tick stage (ticks topic, then {@link TickBarProcessor} with its changelogged "bars" store,
 * then the points topic), and the model stage: points topic, then the online-EM processor with its changelogged stores "models"
 * (checkpoints) and "model-log" (points since each model's checkpoint; see {@link ModelStates}), then
 * three sinks (assignments, anomalies, models). The "models" store is a {@link ModelCheckpointStore}: the processor
 * writes each changed model into it once per commit; "model-log" holds only the task's model count and the points
 * that builds before state format 6 logged between checkpoints. Rejected records reach the dead-letter topic through
 * Kafka Streams' exception-handler hooks, which {@link StreamApp#properties} sets to the
 * {@link DeadLetters} handlers.
 */
public final class OnlineEmTopology {
    /** Each model's latest full state (its checkpoint); named "models", as its changelog topic has been since the first build. */
    public static final String CHECKPOINT_STORE = "models";
    public static final String LOG_STORE = "model-log";
    /** Model ids updated since their last published snapshot, so that a restored task publishes what a killed one did not. */
    public static final String UNPUBLISHED_STORE = "unpublished";
    public static final String BARS_STORE = "bars";
    static final String TICKS_SOURCE = "ticks-source";
    static final String TICK_BARS = "tick-bars";
    static final String BAR_POINTS = "bar-points";
    static final String SOURCE = "points-source";
    static final String PROCESSOR = "online-em";

    private OnlineEmTopology() {
    }

    /** The topology {@code run}, {@code demo} and the tests all run. */
    public static Topology build(OnlineEmConfig config) {
        return build(config, null);
    }

    /** The topology, its processors reporting to the HTTP layer's view when there is one. */
    public static Topology build(OnlineEmConfig config, LiveView live) {
        Topology t = new Topology();
        t.addSource(SOURCE, new StringDeserializer(),
                new PointDeserializer(config.getInt(OnlineEmConfig.MAX_DIMENSION_CONFIG), config.getInt(OnlineEmConfig.MAX_RECORD_BYTES_CONFIG)),
                config.pointsTopic());
        ProcessorSettings stage = ProcessorSettings.of(config);
        AssignmentsMode uniform = config.assignmentsModeFor("");
        Function<String, AssignmentsMode> modes = config.assignmentsModeUniform() ? id -> uniform : config::assignmentsModeFor;
        t.addProcessor(PROCESSOR, () -> new OnlineEmProcessor(config::settingsFor, modes, stage, live),
                SOURCE);
        t.addStateStore(new ModelCheckpointStore.Builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CHECKPOINT_STORE), Serdes.String(),
                Serdes.ByteArray())).withCachingEnabled(), PROCESSOR);
        for (String store : new String[] {LOG_STORE, UNPUBLISHED_STORE}) {
            t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(), Serdes.ByteArray())
                    .withCachingDisabled(), PROCESSOR);
        }
        t.addSink(OnlineEmProcessor.ASSIGNMENTS, config.assignmentsTopic(), new StringSerializer(), new AssignmentSerializer(), PROCESSOR);
        t.addSink(OnlineEmProcessor.ANOMALIES, config.anomaliesTopic(), new StringSerializer(), new AssignmentSerializer(), PROCESSOR);
        t.addSink(OnlineEmProcessor.REGIMES, config.regimesTopic(), new StringSerializer(), new JsonSerializer<>(), PROCESSOR);
        t.addSink(OnlineEmProcessor.MODELS, config.modelsTopic(), new StringSerializer(), new JsonSerializer<>(), PROCESSOR);

        // the tick stage: ticks keyed by symbol, then bars, then points of the symbol's model on the points topic
        t.addSource(TICKS_SOURCE, new StringDeserializer(), new TickDeserializer(config.getInt(OnlineEmConfig.MAX_RECORD_BYTES_CONFIG)),
                config.ticksTopic());
        BarSettings bars = config.barSettings();
        String prefix = config.tickModelPrefix();
        long maxAhead = config.getLong(OnlineEmConfig.TICKS_MAX_AHEAD_MS_CONFIG);
        t.addProcessor(TICK_BARS, () -> new TickBarProcessor(bars, prefix, maxAhead), TICKS_SOURCE);
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(BARS_STORE), Serdes.String(), Serdes.ByteArray())
                .withCachingEnabled(), TICK_BARS);
        t.addSink(BAR_POINTS, config.pointsTopic(), new StringSerializer(), new PointSerializer(), TICK_BARS);
        return t;
    }
}
