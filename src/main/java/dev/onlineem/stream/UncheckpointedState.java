package dev.onlineem.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before an exactly-once processor starts: deletes the local state of every task that a killed run left
 * without a checkpoint, so that Kafka Streams restores it from its changelog as a new task instead of
 * discovering it corrupted in the middle of a rebalance.
 *
 * <p>Why. Under exactly-once, Kafka Streams deletes a task's {@code .checkpoint} file while the task runs, so
 * after a SIGKILL every task directory has stores and no checkpoint, and Kafka Streams treats it as corrupted
 * whenever that task is next assigned to this instance. Handling that corruption loses data when it happens
 * while a rebalance is in progress and other tasks of the same stream thread have processed records in the open
 * transaction (Kafka Streams 4.3.1, {@code TaskManager.handleCorruption}): the commit of the healthy tasks is
 * skipped during a rebalance ({@code commitTasksAndMaybeUpdateCommittableOffsets} returns -1, apache/kafka#10444),
 * then closing the corrupted task dirty aborts the thread's transaction ({@code RecordCollectorImpl.closeDirty}),
 * so the healthy tasks' outputs are aborted while their consumed positions are not rewound, and their next commit
 * commits offsets past records whose outputs are gone (the mechanism described in apache/kafka#8440). The soak
 * found it: 1,294 of 1.1M inputs without a committed output, in three partitions of one instance, right after
 * that instance was handed a task whose directory a killed predecessor had left.
 *
 * <p>Deleting such a directory before start is what Kafka Streams itself would do with it (wipe, then restore
 * from the changelog), done while no transaction is open.
 */
final class UncheckpointedState {
    private static final Logger log = LoggerFactory.getLogger(UncheckpointedState.class);

    private UncheckpointedState() {
    }

    /** Deletes the uncheckpointed task directories of this application's state directory; the task ids deleted. */
    static List<String> wipe(Properties streams) {
        String guarantee = String.valueOf(streams.getOrDefault(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE));
        if (!guarantee.startsWith("exactly_once")) {
            return List.of();
        }
        Path app = Path.of(String.valueOf(streams.get(StreamsConfig.STATE_DIR_CONFIG)), String.valueOf(streams.get(StreamsConfig.APPLICATION_ID_CONFIG)));
        List<String> wiped = new ArrayList<>();
        if (!Files.isDirectory(app)) {
            return wiped;
        }
        try (Stream<Path> tasks = Files.list(app)) {
            for (Path task : tasks.filter(p -> Files.isDirectory(p) && p.getFileName().toString().matches("\\d+_\\d+")).sorted().toList()) {
                if (!Files.exists(task.resolve(".checkpoint")) && hasStores(task)) {
                    Utils.delete(task.toFile()); // Kafka's own recursive delete; a failure stops the start
                    wiped.add(task.getFileName().toString());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or clean the state directory " + app + ": " + e.getMessage(), e);
        }
        if (!wiped.isEmpty()) {
            log.info("the last run of {} ended without checkpointing tasks {} (killed?): their local state is deleted before start "
                    + "and restored from the changelogs", app, wiped);
        }
        return wiped;
    }

    private static boolean hasStores(Path task) throws IOException {
        Path rocks = task.resolve("rocksdb");
        if (!Files.isDirectory(rocks)) {
            return false;
        }
        try (Stream<Path> s = Files.list(rocks)) {
            return s.findAny().isPresent();
        }
    }
}
