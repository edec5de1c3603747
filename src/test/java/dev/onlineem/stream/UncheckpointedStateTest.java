package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncheckpointedStateTest {
    @TempDir
    Path state;

    private Path task(String id, boolean stores, boolean checkpoint) throws Exception {
        Path t = Files.createDirectories(state.resolve("app").resolve(id));
        if (stores) {
            Files.writeString(Files.createDirectories(t.resolve("rocksdb").resolve("models")).resolve("000001.sst"), "x");
        }
        if (checkpoint) {
            Files.writeString(t.resolve(".checkpoint"), "0\n0\n");
        }
        return t;
    }

    private Properties props(String guarantee) {
        Properties p = new Properties();
        p.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "app");
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        return p;
    }

    @Test
    void shouldDeleteOnlyTaskDirectoriesAKilledRunLeftWithStoresAndNoCheckpoint() throws Exception {
        Path killed = task("0_1", true, false);
        Path clean = task("0_2", true, true);
        Path empty = task("1_0", false, false);
        Files.writeString(state.resolve("app").resolve("kafka-streams-process-metadata"), "{}");
        assertEquals(List.of("0_1"), UncheckpointedState.wipe(props(StreamsConfig.EXACTLY_ONCE_V2)));
        assertFalse(Files.exists(killed));
        assertTrue(Files.exists(clean.resolve("rocksdb")), "a checkpointed task keeps its state");
        assertTrue(Files.exists(empty));
        assertTrue(Files.exists(state.resolve("app").resolve("kafka-streams-process-metadata")), "the process id stays");
    }

    @Test
    void shouldLeaveStateAloneWithoutExactlyOnce() throws Exception {
        Path killed = task("0_1", true, false);
        assertEquals(List.of(), UncheckpointedState.wipe(props(StreamsConfig.AT_LEAST_ONCE)));
        assertTrue(Files.exists(killed.resolve("rocksdb")));
    }
}
