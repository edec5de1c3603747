package dev.onlineem.stream;

import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.StateCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The durable state of the models one task owns, as a checkpoint plus a short point log.
 *
 * <p>Encoding a whole model after every point would cost a copy of all its parameters and statistics
 * per record (35 KB for K=8, d=16). Instead, at its first accepted point and every
 * {@code checkpointPoints} accepted points after, the full encoded model goes to the {@code models} store, and in between each accepted point goes to the
 * {@code model-log} store under the slot {@code id#(seq mod checkpointPoints)}, with its sequence number
 * and timestamp (the calendar features read it).
 * Both stores are changelogged and cached, so each commit makes durable exactly the checkpoint and the
 * points that its offsets account for. Loading a model decodes its checkpoint and replays the logged
 * points that follow it, in order; the update is deterministic, so the replayed model is bit for bit
 * the one that was lost. A slot whose sequence number does not follow is stale and ends the replay.
 * The log store also keeps the number of models the task holds, under {@link #COUNT_KEY}.
 *
 * <p>Models are held deserialised in memory, at most {@code maxHeld} of them: past that the least recently
 * used one is dropped from memory (everything it accepted is already in the stores, to be made durable at
 * the next commit), and restored from its checkpoint and log, bit for bit, at its next point. The stores are
 * read only when a model is not held.
 */
final class ModelStates {
    private final KeyValueStore<String, byte[]> checkpoints;
    private final KeyValueStore<String, byte[]> log;
    private final Function<String, ModelSettings> settings;
    private final int checkpointPoints;
    private final Map<String, OnlineModel> live;
    private final PointResult discarded = new PointResult();
    /** Log-store key of the number of models this task holds; model ids are never empty, so no slot key equals it. */
    static final String COUNT_KEY = "#models";
    private long count = -1;
    private long evicted;
    private long restored;

    ModelStates(KeyValueStore<String, byte[]> checkpoints, KeyValueStore<String, byte[]> log,
                Function<String, ModelSettings> settings, int checkpointPoints, int maxHeld) {
        // access order: iteration starts at the least recently used model, which goes first past maxHeld
        this.live = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, OnlineModel> eldest) {
                if (size() > maxHeld) {
                    evicted++;
                    return true;
                }
                return false;
            }
        };
        this.checkpoints = checkpoints;
        this.log = log;
        this.settings = settings;
        this.checkpointPoints = checkpointPoints;
    }

    /**
     * The model with this id: held, or restored from its checkpoint and log, or new with its prefix's
     * settings. A new model (pointsSeen 0) is held, counted and checkpointed only once it accepts a
     * point, so ids whose first records are all rejected leave nothing behind.
     */
    OnlineModel get(String id) {
        OnlineModel model = live.get(id);
        if (model == null) {
            byte[] stored = checkpoints.get(id);
            if (stored == null) {
                return OnlineModel.create(settings.apply(id));
            }
            model = StateCodec.decode(stored);
            replay(id, model, log::get, checkpointPoints, discarded);
            live.put(id, model);
            restored++;
        }
        return model;
    }

    /** How many models this task holds (every model that has accepted a point). */
    long count() {
        if (count < 0) {
            byte[] c = log.get(COUNT_KEY);
            count = c == null ? 0 : ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).getLong();
        }
        return count;
    }

    /**
     * A model as its stores hold it, read without changing anything (the HTTP layer's interactive
     * queries): its checkpoint decoded and its logged points replayed; null when there is no checkpoint.
     *
     * @return the model and the time of the last point replayed (0 when none was)
     */
    static Restored read(String id, Function<String, byte[]> checkpoints, Function<String, byte[]> log, int checkpointPoints) {
        byte[] stored = checkpoints.apply(id);
        if (stored == null) {
            return null;
        }
        OnlineModel model = StateCodec.decode(stored);
        long lastTs = replay(id, model, log, checkpointPoints, new PointResult());
        return new Restored(model, lastTs);
    }

    record Restored(OnlineModel model, long lastPointTs) {
    }

    /** Replays the logged points that follow the model's checkpoint; returns the last one's time, or 0. */
    private static long replay(String id, OnlineModel model, Function<String, byte[]> log, int checkpointPoints, PointResult discarded) {
        long lastTs = 0;
        for (long seq = model.pointsSeen() + 1; ; seq++) {
            byte[] entry = log.apply(slot(id, seq, checkpointPoints));
            if (entry == null) {
                return lastTs;
            }
            ByteBuffer in = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
            if (in.getLong() != seq) {
                return lastTs;
            }
            // an entry written before timestamps were logged holds exactly the d coordinates after its sequence number
            long ts = in.remaining() == Double.BYTES * model.dimension() ? 0L : in.getLong();
            double[] x = new double[in.remaining() / Double.BYTES];
            in.asDoubleBuffer().get(x);
            model.update(x, ts, discarded);
            lastTs = ts;
        }
    }

    /** Makes the point the model has just accepted durable (at the next commit). */
    void accepted(String id, OnlineModel model, double[] x, long ts) {
        long seq = model.pointsSeen();
        if (seq == 1) { // a new model: a held model had accepted a point before this one
            live.put(id, model);
            count = count() + 1;
            log.put(COUNT_KEY, ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(count).array());
        }
        if (seq == 1 || seq % checkpointPoints == 0) {
            checkpoints.put(id, StateCodec.encode(model));
            return;
        }
        ByteBuffer out = ByteBuffer.allocate(2 * Long.BYTES + Double.BYTES * x.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(seq).putLong(ts);
        out.asDoubleBuffer().put(x);
        log.put(slot(id, seq), out.array());
    }

    private String slot(String id, long seq) {
        return slot(id, seq, checkpointPoints);
    }

    private static String slot(String id, long seq, int checkpointPoints) {
        // the slot number is all digits after the last '#', so no two (id, slot) pairs share a key
        return id + '#' + (seq % checkpointPoints);
    }

    /** How many models are held in memory (read racily by the metrics). */
    int heldCount() {
        return live.size();
    }

    /** Models dropped from memory past the cap, and models restored from the stores, since the task started. */
    long evictedCount() {
        return evicted;
    }

    long restoredCount() {
        return restored;
    }

    OnlineModel held(String id) {
        return live.get(id);
    }

    void clear() {
        live.clear();
        count = -1;
    }
}
