package dev.onlineem.stream;

import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.StateCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

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
 * many points it took. The few points of every quiet model (one point a commit among many models) go to
 * the log together: one record per commit, the task's log batch (split in chunks of at most
 * {@link #CHUNK_BYTES}), which holds each model's id and its points with their sequence numbers and times.
 * With 100,000 models that is one store write a commit instead of one a point. The update is
 * deterministic, so a model loaded from its state and the logged points after it is bit for bit the one
 * that was lost.
 *
 * <p>A batch is deleted once no model needs it: once every model with points in it has had a later full
 * state written. While a model has logged points it stays in memory (dropping it writes its full state
 * first), so the log is read only when a task starts and by interactive queries. A task's first call reads
 * every batch (about a second for 130 MB) and notes each model's points; a model is loaded and its points
 * replayed at its next point, or by a commit (each spends up to {@link #LOAD_BUDGET_NANOS} on it), never all
 * at once. A model that stops taking points would keep its batch for ever: when the task's batches pass
 * {@link #LOG_MAX_BYTES}, the models holding the oldest ones have their full states written, and those
 * batches go.
 *
 * <p>Builds before this layout wrote each quiet model's point under the slot
 * {@code id#(seq mod checkpointPoints)} (and builds before state format 6 every point so); those slots are
 * still replayed, before the batches, when a model is loaded. A slot whose sequence number does not follow
 * is stale and ends that replay. The log store also keeps the number of models the task holds, under
 * {@link #COUNT_KEY}.
 *
 * <p>At most {@code maxHeld} models stay in memory: past that the least recently used one is dropped, its
 * full state written first unless the store already has it (so that loading it again, bit for bit, at its
 * next point is one read and no replay).
 */
final class ModelStates {
    /** Points a model may take between two commits and still be written as logged points rather than as a full state. */
    static final int LOG_LIMIT = 8;
    /** A log batch's records are at most about this long (a model's points are never split), well under Kafka's 1 MB record limit. */
    static final int CHUNK_BYTES = 256 * 1024;
    /**
     * Past this many bytes of live batches, the models holding the oldest batches have their full states written.
     * 100,000 models of d=2 taking 30 points each log 130 MB; a bound of 64 MiB made a full state for every 14
     * points, and took 15.6 us a point against 12.3 at this bound (bench's 100,000-model run).
     */
    static final long LOG_MAX_BYTES = 256L * 1024 * 1024;
    /** Log-store key of the number of models this task holds; model ids are never empty, so no slot key equals it. */
    static final String COUNT_KEY = "#models";
    /**
     * Log batch keys: {@code #log#} and the batch number in 16 hex digits, then {@code .} and the chunk in 4 hex
     * digits; they sort in the order written, and none is a slot key (a slot's text after its last '#' is all digits).
     */
    static final String BATCH_PREFIX = "#log#";
    private static final String BATCH_END = "#log$";
    private final ModelCheckpointStore checkpoints;
    private final KeyValueStore<String, byte[]> log;
    private final Function<String, ModelSettings> settings;
    private final int checkpointPoints;
    private final Map<String, Held> live;
    /** Models changed since the last commit, in the order they first changed (an evicted one is written and unmarked). */
    private final List<Held> changed = new ArrayList<>();
    private final PointResult discarded = new PointResult();
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
    /** The batch being written at a commit. */
    private ByteBuffer batchBytes = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    /** The batches in the store, oldest first; every model with logged points names the oldest of them it needs. */
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    private long liveBatchBytes;
    private final long logMaxBytes;
    private long nextBatch;
    /** The batches in the store have been read (the first {@link #get} or commit of the task does it). */
    private boolean batchesRead;
    /**
     * Models with points in the batches a task start found, not loaded yet: each one's groups of points, in order, and
     * the batch of each. Such a model holds its oldest batch until it is loaded: at its next point, or by
     * {@link #writeChanged} within {@link #LOAD_BUDGET_NANOS} a commit.
     */
    private final LinkedHashMap<String, Pending> pending = new LinkedHashMap<>();
    /** What a commit may spend loading models with points in the batches a task start found. */
    static final long LOAD_BUDGET_NANOS = 10_000_000L;

    /** A model's groups of points in the batches found at a task's start. */
    private static final class Pending {
        final List<Batch> batches = new ArrayList<>();
        final List<ByteBuffer> groups = new ArrayList<>();
    }

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
        /** The oldest batch holding points of this model that its stored state lacks, or null. */
        Batch firstLogged;
        /** The id in UTF-8, as batches hold it (made at the model's first logged point). */
        byte[] idBytes;

        Held(String id, OnlineModel model, long stateAt) {
            this.id = id;
            this.model = model;
            this.stateAt = stateAt;
        }
    }

    /** One commit's log batch in the store. */
    private static final class Batch {
        final long number;
        int chunks;
        long bytes;
        /** Models whose oldest needed batch this is (some may have moved on since: {@link Held#firstLogged} says). */
        final List<Held> first = new ArrayList<>();
        /** Ids of models not loaded yet whose oldest batch this is (some may have been loaded since). */
        final List<String> firstPending = new ArrayList<>();
        /** How many held models this is still the oldest needed batch of: none, and the oldest batch goes. */
        int pinned;

        Batch(long number) {
            this.number = number;
        }
    }

    ModelStates(ModelCheckpointStore checkpoints, KeyValueStore<String, byte[]> log,
                Function<String, ModelSettings> settings, int checkpointPoints, int maxHeld) {
        this(checkpoints, log, settings, checkpointPoints, maxHeld, LOG_MAX_BYTES);
    }

    /** @param logMaxBytes the bound of the task's live log batches ({@link #LOG_MAX_BYTES} but in tests) */
    ModelStates(ModelCheckpointStore checkpoints, KeyValueStore<String, byte[]> log,
                Function<String, ModelSettings> settings, int checkpointPoints, int maxHeld, long logMaxBytes) {
        this.logMaxBytes = logMaxBytes;
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
        readBatches();
        Held h = live.get(id);
        if (h == null) {
            h = load(id);
            if (h == null) {
                last = null;
                return OnlineModel.create(settings.apply(id));
            }
        }
        last = h;
        return h.model;
    }

    /** Loads a model that is not held from its state and any slots older builds logged after it, and holds it; null when it has no state. */
    private Held load(String id) {
        byte[] stored = checkpoints.get(id);
        if (stored == null) {
            return null;
        }
        OnlineModel model = StateCodec.decode(stored);
        long stateAt = model.pointsSeen();
        replaySlots(id, model, log::get, checkpointPoints, discarded);
        Held h = new Held(id, model, stateAt);
        Pending p = pending.remove(id);
        if (p != null) {
            p.batches.get(0).pinned--;
            for (int i = 0; i < p.groups.size(); i++) {
                ByteBuffer g = p.groups.get(i);
                if (applyPoints(model, g, g.getShort(g.position() - 4) & 0xFFFF, g.getShort(g.position() - 2) & 0xFFFF, discarded)
                        && h.firstLogged == null) {
                    pin(h, p.batches.get(i));
                }
            }
        }
        live.put(id, h);
        restored++;
        return h;
    }

    /**
     * Once a task starts: reads every batch in the store, oldest first, and notes each model's points in them, which
     * are replayed when the model is loaded (so that it is bit for bit what it was at the last commit). Nothing is
     * replayed here: with 100,000 models a task's log can hold millions of points, whose replay at once could
     * outlast the producer's transaction timeout.
     */
    private void readBatches() {
        if (batchesRead) {
            return;
        }
        batchesRead = true;
        try (KeyValueIterator<String, byte[]> it = log.range(BATCH_PREFIX, BATCH_END)) {
            Batch b = null;
            while (it.hasNext()) {
                KeyValue<String, byte[]> kv = it.next();
                long number = batchNumber(kv.key);
                if (number < 0) {
                    continue; // a slot of a model whose id starts with the prefix
                }
                if (b == null || b.number != number) {
                    b = new Batch(number);
                    batches.add(b);
                }
                b.chunks = Math.max(b.chunks, chunkNumber(kv.key) + 1);
                b.bytes += kv.value.length;
                liveBatchBytes += kv.value.length;
                Batch batch = b;
                forEachGroup(kv.value, null, (id, in, points, dimension) -> {
                    Pending p = pending.get(id);
                    if (p == null) {
                        p = new Pending();
                        pending.put(id, p);
                        batch.pinned++;
                        batch.firstPending.add(id);
                    }
                    p.batches.add(batch);
                    p.groups.add(in);
                });
            }
        }
        nextBatch = batches.isEmpty() ? 0 : batches.getLast().number + 1;
    }

    /** Loads models with points in the batches a task start found, oldest first, for about {@code budgetNanos}. */
    private void loadPending(long budgetNanos) {
        long deadline = System.nanoTime() + budgetNanos;
        while (!pending.isEmpty() && System.nanoTime() - deadline < 0) {
            String id = pending.keySet().iterator().next();
            if (load(id) == null) {
                pending.remove(id).batches.get(0).pinned--; // no state (never written so): nothing to replay onto
            }
        }
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
     *
     * @param batches the task's log batches, in the order of their keys (those of {@link #batches})
     */
    static OnlineModel read(String id, Function<String, byte[]> checkpoints, Function<String, byte[]> log, Iterable<byte[]> batches,
                            int checkpointPoints) {
        byte[] stored = checkpoints.apply(id);
        if (stored == null) {
            return null;
        }
        OnlineModel model = StateCodec.decode(stored);
        PointResult discarded = new PointResult();
        replaySlots(id, model, log, checkpointPoints, discarded);
        for (byte[] batch : batches) {
            forEachGroup(batch, id, (gid, in, points, dimension) -> applyPoints(model, in, points, dimension, discarded));
        }
        return model;
    }

    /** The values of the log batches in a store's log, oldest first (a query's view; the iterator is closed at the end). */
    static List<byte[]> batches(ReadOnlyKeyValueStore<String, byte[]> log) {
        List<byte[]> out = new ArrayList<>();
        try (KeyValueIterator<String, byte[]> it = log.range(BATCH_PREFIX, BATCH_END)) {
            it.forEachRemaining(kv -> {
                if (batchNumber(kv.key) >= 0) {
                    out.add(kv.value);
                }
            });
        }
        return out;
    }

    /**
     * Every model's logged points in these batches, as batches of its own (a query of many models reads the log once):
     * by id, each model's groups back to back in their order.
     */
    static Map<String, List<byte[]>> batchesById(Iterable<byte[]> batches) {
        Map<String, ByteBuffer> groups = new HashMap<>();
        for (byte[] batch : batches) {
            ByteBuffer in = ByteBuffer.wrap(batch).order(ByteOrder.LITTLE_ENDIAN);
            while (in.hasRemaining()) {
                int start = in.position();
                byte[] idBytes = new byte[in.getShort() & 0xFFFF];
                in.get(idBytes);
                int points = in.getShort() & 0xFFFF;
                int dimension = in.getShort() & 0xFFFF;
                in.position(in.position() + points * entryBytes(dimension));
                String id = new String(idBytes, StandardCharsets.UTF_8);
                ByteBuffer mine = groups.get(id);
                int size = in.position() - start;
                if (mine == null || mine.remaining() < size) {
                    ByteBuffer grown = ByteBuffer.allocate(Math.max(256, 2 * (mine == null ? 0 : mine.capacity()) + size));
                    if (mine != null) {
                        grown.put(mine.flip());
                    }
                    mine = grown;
                    groups.put(id, mine);
                }
                mine.put(batch, start, size);
            }
        }
        Map<String, List<byte[]>> out = new HashMap<>();
        groups.forEach((id, b) -> out.put(id, List.of(Arrays.copyOf(b.array(), b.position()))));
        return out;
    }

    /** Replays the slots older builds logged after the model's checkpoint. */
    private static void replaySlots(String id, OnlineModel model, Function<String, byte[]> log, int checkpointPoints, PointResult discarded) {
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

    /** What is done with one model's points in a batch: {@code in} is at the first of them. */
    private interface Group {
        void points(String id, ByteBuffer in, int points, int dimension);
    }

    /**
     * Each model's points in a batch, in order: the id (its length as an unsigned short, then UTF-8), the number
     * of points and the dimension (unsigned shorts), then each point's sequence number, time and coordinates;
     * little-endian.
     *
     * @param only the one model to visit, or null for all
     */
    private static void forEachGroup(byte[] batch, String only, Group visit) {
        byte[] onlyBytes = only == null ? null : only.getBytes(StandardCharsets.UTF_8);
        ByteBuffer in = ByteBuffer.wrap(batch).order(ByteOrder.LITTLE_ENDIAN);
        while (in.hasRemaining()) {
            int idLength = in.getShort() & 0xFFFF;
            int idAt = in.position();
            in.position(idAt + idLength);
            int points = in.getShort() & 0xFFFF;
            int dimension = in.getShort() & 0xFFFF;
            int next = in.position() + points * entryBytes(dimension);
            if (onlyBytes == null || Arrays.equals(batch, idAt, idAt + idLength, onlyBytes, 0, onlyBytes.length)) {
                String id = only != null ? only : new String(batch, idAt, idLength, StandardCharsets.UTF_8);
                visit.points(id, in.duplicate().order(ByteOrder.LITTLE_ENDIAN), points, dimension);
            }
            in.position(next);
        }
    }

    /**
     * Applies the logged points the model lacks (the one after its last, and on); points it already has are
     * skipped, and one that does not follow ends it (stale). Whether any was applied.
     */
    private static boolean applyPoints(OnlineModel model, ByteBuffer in, int points, int dimension, PointResult discarded) {
        boolean applied = false;
        for (int i = 0; i < points; i++) {
            long seq = in.getLong();
            long ts = in.getLong();
            if (seq <= model.pointsSeen()) {
                in.position(in.position() + Double.BYTES * dimension);
                continue;
            }
            if (seq != model.pointsSeen() + 1 || dimension != model.dimension()) {
                return applied;
            }
            double[] x = new double[dimension];
            in.asDoubleBuffer().get(x);
            in.position(in.position() + Double.BYTES * dimension);
            model.update(x, ts, discarded);
            applied = true;
        }
        return applied;
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
                pendingBytes = grow(pendingBytes, size);
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

    private static ByteBuffer grow(ByteBuffer b, int more) {
        ByteBuffer grown = ByteBuffer.allocate(Math.max(2 * b.capacity(), b.position() + more)).order(ByteOrder.LITTLE_ENDIAN);
        grown.put(b.flip());
        return grown;
    }

    /**
     * Writes what every model changed since the last call, run at each commit: full states, one log batch
     * with the points of the quiet models, and the deletion of the batches no model needs any more.
     */
    void writeChanged() {
        readBatches();
        loadPending(LOAD_BUDGET_NANOS);
        if (liveBatchBytes > logMaxBytes) {
            // the models that hold the oldest batches have their full states written now, and those batches go
            long freed = 0;
            for (Batch b : batches) {
                if (liveBatchBytes - freed <= logMaxBytes) {
                    break;
                }
                for (String id : b.firstPending) {
                    Held h = pending.containsKey(id) ? load(id) : null;
                    if (h != null && h.firstLogged != null) {
                        h.full = true;
                        h.changed = true;
                        changed.add(h);
                    }
                }
                for (Held h : b.first) {
                    if (h.firstLogged == b) {
                        h.full = true;
                        h.pendingCount = 0;
                        if (!h.changed) {
                            h.changed = true;
                            changed.add(h);
                        }
                    }
                }
                freed += b.bytes;
            }
        }
        Batch batch = new Batch(nextBatch);
        batchBytes.clear();
        for (Held h : changed) {
            if (!h.changed) {
                continue; // written when it was dropped from memory
            }
            if (h.full || h.pendingCount == 0) {
                write(h);
                continue;
            }
            if (h.idBytes == null) {
                h.idBytes = h.id.getBytes(StandardCharsets.UTF_8);
            }
            int entry = entryBytes(h.model.dimension());
            int size = 3 * Short.BYTES + h.idBytes.length + h.pendingCount * entry;
            if (batchBytes.position() > 0 && batchBytes.position() + size > CHUNK_BYTES) {
                putChunk(batch);
            }
            if (batchBytes.remaining() < size) {
                batchBytes = grow(batchBytes, size);
            }
            batchBytes.putShort((short) h.idBytes.length).put(h.idBytes).putShort((short) h.pendingCount).putShort((short) h.model.dimension());
            for (int i = 0; i < h.pendingCount; i++) {
                batchBytes.put(pendingBytes.array(), h.pendingAt[i], entry);
            }
            if (h.firstLogged == null) {
                pin(h, batch);
            }
            h.pendingCount = 0;
            h.changed = false;
        }
        if (batchBytes.position() > 0) {
            putChunk(batch);
        }
        if (batch.chunks > 0) {
            batches.add(batch);
            nextBatch++;
        }
        changed.clear();
        pendingBytes.clear();
        while (!batches.isEmpty() && batches.getFirst().pinned == 0) {
            Batch gone = batches.removeFirst();
            for (int c = 0; c < gone.chunks; c++) {
                log.delete(batchKey(gone.number, c));
            }
            liveBatchBytes -= gone.bytes;
        }
    }

    private void putChunk(Batch batch) {
        byte[] value = Arrays.copyOf(batchBytes.array(), batchBytes.position());
        log.put(batchKey(batch.number, batch.chunks++), value);
        batch.bytes += value.length;
        liveBatchBytes += value.length;
        batchBytes.clear();
    }

    private static void pin(Held h, Batch b) {
        h.firstLogged = b;
        b.first.add(h);
        b.pinned++;
    }

    /** Writes a model's full state (if it is to be written: changed and marked full) and frees the batches it held. */
    private void write(Held h) {
        if (!h.changed) {
            return;
        }
        if (h.full) {
            checkpoints.put(h.id, StateCodec.encode(h.model));
            h.stateAt = h.model.pointsSeen();
            if (h.firstLogged != null) {
                h.firstLogged.pinned--;
                h.firstLogged = null;
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

    static String batchKey(long number, int chunk) {
        return String.format("%s%016x.%04x", BATCH_PREFIX, number, chunk);
    }

    /** The batch number of a batch key, or -1 for any other key. */
    private static long batchNumber(String key) {
        if (key.length() != BATCH_PREFIX.length() + 21 || !key.startsWith(BATCH_PREFIX) || key.charAt(BATCH_PREFIX.length() + 16) != '.') {
            return -1;
        }
        try {
            Integer.parseUnsignedInt(key.substring(BATCH_PREFIX.length() + 17), 16);
            return Long.parseUnsignedLong(key.substring(BATCH_PREFIX.length(), BATCH_PREFIX.length() + 16), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int chunkNumber(String key) {
        return Integer.parseUnsignedInt(key.substring(BATCH_PREFIX.length() + 17), 16);
    }

    /** The log batches in the store, and their bytes (tests). */
    int batchCount() {
        return batches.size();
    }

    long batchBytes() {
        return liveBatchBytes;
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
        batches.clear();
        pending.clear();
        liveBatchBytes = 0;
        batchesRead = false;
        last = null;
        count = -1;
    }
}
