package dev.onlineem.stream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateRestoreListener;

/**
 * Restoration of the active tasks' stores from their changelogs, for readiness and the metrics: which
 * changelog partitions are restoring now and how many records are left. With Kafka Streams' state updater
 * the client is RUNNING while tasks still restore, so readiness asks this too.
 */
public final class RestoreTracker implements StateRestoreListener {
    private final Map<TopicPartition, long[]> restoring = new ConcurrentHashMap<>(); // restored, to restore
    private final LongAdder restored = new LongAdder();

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        restoring.put(partition, new long[] {0, Math.max(0, endingOffset - startingOffset)});
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        long[] r = restoring.get(partition);
        if (r != null) {
            r[0] += numRestored;
        }
        restored.add(numRestored);
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        restoring.remove(partition);
    }

    @Override
    public void onRestoreSuspended(TopicPartition partition, String storeName, long totalRestored) {
        restoring.remove(partition);
    }

    /** Changelog partitions restoring now. */
    public int restoring() {
        return restoring.size();
    }

    /** Records still to restore, over the partitions restoring now (an estimate: compacted changelogs have gaps). */
    public long remaining() {
        long n = 0;
        for (long[] r : restoring.values()) {
            n += Math.max(0, r[1] - r[0]);
        }
        return n;
    }

    /** Records restored since this process started. */
    public long restored() {
        return restored.sum();
    }
}
