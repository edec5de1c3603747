package dev.onlineem.stream;

import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.StateCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The durable state of the models one task owns, written at each commit for the models that changed
 * since the last one: a model's full encoded state in the {@code models} store, or for a model that took
 * only a few points since, just those points in the {@code model-log} store.
 *
 * <p>Models are held decoded in memory and learn there; {@link #accepted} only notes the change. At each
 * commit, before the stores' caches reach their changelogs, {@link #writeChanged} runs
 * ({@link ModelCheckpointStore}'s hook), so the commit's transaction carries exactly the state its input
 * offsets account for and a point costs no store write of its own. A model that took more than
 * {@link #LOG_LIMIT} points since the last commit (a busy model), or whose logged points would reach
 * {@code checkpointPoints} past its last full state, has its full state written: once per commit however
 * many points it took. A quiet model (one point a commit among many models) has its few points written to
 * the log under the slot {@code id#(seq mod checkpointPoints)}, with their sequence numbers and times,
 * which is far smaller than its state. Loading a model decodes its state and replays the logged points
 * that follow it, in order; the update is deterministic, so the loaded model is bit for bit the one that
 * was lost. A slot whose sequence number does not follow is stale and ends the replay. (Builds before state
 * format 6 wrote every point to the log as it came, and a full state every {@code checkpointPoints}
 * points: the same layout, which loads the same way.) The log store also keeps the number of models the
 * task holds, under {@link #COUNT_KEY}.
 *
 * <p>At most {@code maxHeld} models stay in memory: past that the least recently used one is dropped, its
 * full state written first unless the store already has it (so that loading it again, bit for bit, at its
 * next point is one read and no replay).
 */
final class ModelStates {
    /** Points a model may take between two commits and still be written as logged points rather than as a full state. */
    static final int LOG_LIMIT = 8;
    private final ModelCheckpointStore checkpoints;
    private final KeyValueStore<String, byte[]> log;
    private final Function<String, ModelSettings> settings;
    private final int checkpointPoints;
    private final Map<String, Held> live;
    /** Models changed since the last commit, in the order they first changed (an evicted one is written and unmarked). */
    private final List<Held> changed = new ArrayList<>();
    private final PointResult discarded = new PointResult();
    /** Log-store key of the number of models this task holds; model ids are never empty, so no slot key equals it. */
    static final String COUNT_KEY = "#models";
    private long count = -1;
    private long evicted;
    private long restored;
    /** The last model {@link #get} returned, so that {@link #accepted} finds it without a second lookup. */
    private Held last;
    /**
     * The log entries of every quiet model's points since the last commit, back to back (each model keeps their offsets):
     * one buffer for the task rather than an array per point held by its model, which with many models (each long in the
     * old generation) the collector had to find through the card table at every young collection.
     */
    private ByteBuffer pendingBytes = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    /** A held model and what of it the stores do not have yet. */
    private static final class Held {
        final String id;
        final OnlineModel model;
        /** pointsSeen of the model's full state in the store (0: none yet). */
        long stateAt;
        /** Offsets in {@link #pendingBytes} of the log entries of the points taken since the last commit, while they are few. */
        final int[] pendingAt = new int[LOG_LIMIT];
        int pendingCount;
        /** The full state is to be written at the next commit. */
        boolean full;
        boolean changed;

        Held(String id, OnlineModel model, long stateAt) {
            this.id = id;
            this.model = model;
            this.stateAt = stateAt;
        }
    }

    ModelStates(ModelCheckpointStore checkpoints, KeyValueStore<String, byte[]> log,
                Function<String, ModelSettings> settings, int checkpointPoints, int maxHeld) {
        // access order: iteration starts at the least recently used model, which goes first past maxHeld
        this.live = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Held> eldest) {
                if (size() <= maxHeld) {
                    return false;
                }
                Held h = eldest.getValue();
                if (h.stateAt < h.model.pointsSeen()) {
                    // its full state, so that loading it again is one read and no replay
                    h.full = true;
                    h.changed = true;
                }
                write(h);
                if (last == h) {
                    last = null;
                }
                evicted++;
                return true;
            }
        };
        this.checkpoints = checkpoints;
        this.log = log;
        this.settings = settings;
        this.checkpointPoints = checkpointPoints;
    }

    /**
     * The model with this id: held, or loaded from its state and the points logged after it, or new with
     * its prefix's settings. A new model (pointsSeen 0) is held, counted and written only once it accepts
     * a point, so ids whose first records are all rejected leave nothing behind.
     */
    OnlineModel get(String id) {
        Held h = live.get(id);
        if (h == null) {
            byte[] stored = checkpoints.get(id);
            if (stored == null) {
                last = null;
                return OnlineModel.create(settings.apply(id));
            }
            OnlineModel model = StateCodec.decode(stored);
            long stateAt = model.pointsSeen();
            replay(id, model, log::get, checkpointPoints, discarded);
            h = new Held(id, model, stateAt);
            live.put(id, h);
            restored++;
        }
        last = h;
        return h.model;
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
     * A model as its stores hold it at the last commit, read without changing anything (the HTTP layer's
     * interactive queries): its state decoded and any logged points replayed; null when there is none.
     *
     * (the model's {@link OnlineModel#lastPointTs} is its last point's time: kept in its state, or that of the last point replayed)
     */
    static OnlineModel read(String id, Function<String, byte[]> checkpoints, Function<String, byte[]> log, int checkpointPoints) {
        byte[] stored = checkpoints.apply(id);
        if (stored == null) {
            return null;
        }
        OnlineModel model = StateCodec.decode(stored);
        replay(id, model, log, checkpointPoints, new PointResult());
        return model;
    }

    /** Replays the logged points that follow the model's checkpoint. */
    private static void replay(String id, OnlineModel model, Function<String, byte[]> log, int checkpointPoints, PointResult discarded) {
        for (long seq = model.pointsSeen() + 1; ; seq++) {
            byte[] entry = log.apply(slot(id, seq, checkpointPoints));
            if (entry == null) {
                return;
            }
            ByteBuffer in = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
            if (in.getLong() != seq) {
                return;
            }
            // an entry written before timestamps were logged holds exactly the d coordinates after its sequence number
            long ts = in.remaining() == Double.BYTES * model.dimension() ? 0L : in.getLong();
            double[] x = new double[in.remaining() / Double.BYTES];
            in.asDoubleBuffer().get(x);
            model.update(x, ts, discarded);
        }
    }

    /**
     * Notes the point the model has just accepted; {@link #writeChanged} makes it durable at the next commit.
     *
     * @param x the point as accepted (logged for a quiet model). Not modified.
     */
    void accepted(String id, OnlineModel model, double[] x, long ts) {
        long seq = model.pointsSeen();
        Held h = last != null && last.model == model ? last : live.get(id);
        if (h == null) { // a new model
            h = new Held(id, model, 0);
            h.full = true;
            live.put(id, h);
            last = h;
            count = count() + 1;
            log.put(COUNT_KEY, ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(count).array());
        }
        if (!h.changed) {
            h.changed = true;
            changed.add(h);
        }
        if (h.full) {
            return;
        }
        if (h.pendingCount < LOG_LIMIT && seq - h.stateAt < checkpointPoints) {
            int size = entryBytes(x.length);
            if (pendingBytes.capacity() - pendingBytes.position() < size) {
                ByteBuffer grown = ByteBuffer.allocate(Math.max(2 * pendingBytes.capacity(), pendingBytes.position() + size))
                        .order(ByteOrder.LITTLE_ENDIAN);
                grown.put(pendingBytes.flip());
                pendingBytes = grown;
            }
            h.pendingAt[h.pendingCount++] = pendingBytes.position();
            pendingBytes.putLong(seq).putLong(ts);
            for (double v : x) {
                pendingBytes.putDouble(v);
            }
        } else {
            h.full = true;
            h.pendingCount = 0;
        }
    }

    /** Writes what every model changed since the last call, as its full state or its logged points; run at each commit. */
    void writeChanged() {
        for (Held h : changed) {
            write(h);
        }
        changed.clear();
        pendingBytes.clear();
    }

    private void write(Held h) {
        if (!h.changed) {
            return;
        }
        if (h.full) {
            checkpoints.put(h.id, StateCodec.encode(h.model));
            h.stateAt = h.model.pointsSeen();
        } else {
            for (int i = 0; i < h.pendingCount; i++) {
                int at = h.pendingAt[i];
                byte[] entry = Arrays.copyOfRange(pendingBytes.array(), at, at + entryBytes(h.model.dimension()));
                log.put(slot(h.id, pendingBytes.getLong(at), checkpointPoints), entry);
            }
        }
        h.pendingCount = 0;
        h.full = false;
        h.changed = false;
    }

    /** Bytes of one log entry: sequence number, time and the coordinates. */
    private static int entryBytes(int dimension) {
        return 2 * Long.BYTES + Double.BYTES * dimension;
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
        Held h = live.get(id);
        return h == null ? null : h.model;
    }

    /** Forgets every held and changed model (the task closes; what was not committed is not kept). */
    void clear() {
        live.clear();
        changed.clear();
        pendingBytes.clear();
        last = null;
        count = -1;
    }
}
