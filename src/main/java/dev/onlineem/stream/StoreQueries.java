package dev.onlineem.stream;

import dev.onlineem.em.OnlineModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Interactive queries of the models this instance's active tasks hold: a model is its checkpoint decoded
 * and its logged points replayed ({@link ModelStates#read}), a copy the processor never sees, so nothing a
 * query does can change a model. The processor writes its stores at each commit, so a query sees a model as
 * of the last commit. A query of one model reads its task's log batches (at most {@link ModelStates#LOG_MAX_BYTES}),
 * a query of all of them reads each task's log once.
 */
public final class StoreQueries {
    private final KafkaStreams streams;
    private final int checkpointPoints;

    public StoreQueries(KafkaStreams streams, int checkpointPoints) {
        this.streams = streams;
        this.checkpointPoints = checkpointPoints;
    }

    /** A model as stored (its {@link OnlineModel#lastPointTs} is its last point's time, 0 when unknown). */
    public record Stored(String id, OnlineModel model) {
    }

    /** Which instance's active task owns the model's key ({@link KeyQueryMetadata#NOT_AVAILABLE} while rebalancing). */
    public KeyQueryMetadata owner(String id) {
        return streams.queryMetadataForKey(OnlineEmTopology.CHECKPOINT_STORE, id, Serdes.String().serializer());
    }

    /** The model from this instance's task of that partition, or null when it has none. */
    public Stored read(String id, int partition) {
        ReadOnlyKeyValueStore<String, byte[]> checkpoints = store(OnlineEmTopology.CHECKPOINT_STORE, partition);
        ReadOnlyKeyValueStore<String, byte[]> log = store(OnlineEmTopology.LOG_STORE, partition);
        OnlineModel m = ModelStates.read(id, checkpoints::get, log::get, ModelStates.batches(log), checkpointPoints);
        return m == null ? null : new Stored(id, m);
    }

    /** Every model of this instance's active tasks, by id. */
    public List<Stored> all() {
        ReadOnlyKeyValueStore<String, byte[]> checkpoints = store(OnlineEmTopology.CHECKPOINT_STORE, null);
        ReadOnlyKeyValueStore<String, byte[]> log = store(OnlineEmTopology.LOG_STORE, null);
        List<String> ids = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = checkpoints.all()) {
            it.forEachRemaining(kv -> ids.add(kv.key));
        }
        // the log read once: each model's logged points
        Map<String, List<byte[]>> logged = ModelStates.batchesById(ModelStates.batches(log));
        List<Stored> out = new ArrayList<>();
        for (String id : ids) {
            OnlineModel m = ModelStates.read(id, checkpoints::get, log::get, logged.getOrDefault(id, List.of()), checkpointPoints);
            if (m != null) {
                out.add(new Stored(id, m));
            }
        }
        return out;
    }

    private ReadOnlyKeyValueStore<String, byte[]> store(String name, Integer partition) {
        StoreQueryParameters<ReadOnlyKeyValueStore<String, byte[]>> p =
                StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore());
        return streams.store(partition == null ? p : p.withPartition(partition));
    }
}
