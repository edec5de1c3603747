package dev.onlineem.stream;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.WrappedStateStore;

/**
 * The "models" store: a cached, changelogged key-value store of encoded model states with a hook that
 * runs at every commit, before the store's cache is flushed to its changelog.
 *
 * <p>That is where the processor writes each model it changed since the last commit, once: a commit
 * then carries, in the same transaction as the input offsets it accounts for, exactly the state those
 * offsets produced, and nothing is written per point. Kafka Streams flushes every store's cache
 * ({@code CachedStateStore#flushCache}) before it flushes its producer and commits offsets, for both
 * guarantees; the hook runs there, and again before {@code commit} in case a store is committed without
 * a cache flush (it writes nothing when nothing changed). A dirty close (a crash, a corrupted task)
 * runs no hook: the state in the changelog stays that of the last commit, as the offsets do.
 *
 * <p>It implements {@link ReadOnlyKeyValueStore} (interactive queries read it) but not
 * {@code KeyValueStore}, so that Kafka Streams hands it to the processor as it is rather than behind
 * its read-write decorator; writes go through {@link #put} and {@link #delete}. It extends Kafka
 * Streams' {@link WrappedStateStore}, an internal class, as the store layers of Kafka Streams itself do;
 * the Kafka version is pinned in the pom.
 */
final class ModelCheckpointStore extends WrappedStateStore<KeyValueStore<String, byte[]>, String, byte[]>
        implements ReadOnlyKeyValueStore<String, byte[]> {
    private Runnable beforeCommit = () -> { };

    ModelCheckpointStore(KeyValueStore<String, byte[]> inner) {
        super(inner);
    }

    /** Runs {@code hook} at every commit before the cache reaches the changelog; one hook, the last set. */
    void beforeCommit(Runnable hook) {
        this.beforeCommit = hook;
    }

    void put(String key, byte[] value) {
        wrapped().put(key, value);
    }

    void delete(String key) {
        wrapped().delete(key);
    }

    @Override
    public void flushCache() {
        beforeCommit.run();
        super.flushCache();
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        beforeCommit.run();
        super.commit(changelogOffsets);
    }

    @Override
    public void close() {
        beforeCommit = () -> { };
        super.close();
    }

    @Override
    public byte[] get(String key) {
        return wrapped().get(key);
    }

    @Override
    public KeyValueIterator<String, byte[]> range(String from, String to) {
        return wrapped().range(from, to);
    }

    @Override
    public KeyValueIterator<String, byte[]> all() {
        return wrapped().all();
    }

    @Override
    public long approximateNumEntries() {
        return wrapped().approximateNumEntries();
    }

    /** Builds the store around a key-value store builder (caching and logging as that builder says). */
    static final class Builder implements StoreBuilder<ModelCheckpointStore> {
        private final StoreBuilder<KeyValueStore<String, byte[]>> inner;

        Builder(StoreBuilder<KeyValueStore<String, byte[]>> inner) {
            this.inner = inner;
        }

        @Override
        public Builder withCachingEnabled() {
            inner.withCachingEnabled();
            return this;
        }

        @Override
        public Builder withCachingDisabled() {
            inner.withCachingDisabled();
            return this;
        }

        @Override
        public Builder withLoggingEnabled(Map<String, String> config) {
            inner.withLoggingEnabled(config);
            return this;
        }

        @Override
        public Builder withLoggingDisabled() {
            inner.withLoggingDisabled();
            return this;
        }

        @Override
        public ModelCheckpointStore build() {
            return new ModelCheckpointStore(inner.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return inner.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return inner.loggingEnabled();
        }

        @Override
        public String name() {
            return inner.name();
        }
    }

    /** The store as a processor sees it: this class, whatever decorator a later Kafka Streams might add. */
    static ModelCheckpointStore of(StateStore store) {
        if (store instanceof ModelCheckpointStore m) {
            return m;
        }
        throw new IllegalStateException("store " + store.name() + " is a " + store.getClass().getName() + ", not the models store");
    }
}
