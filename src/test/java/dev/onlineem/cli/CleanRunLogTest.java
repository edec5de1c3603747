package dev.onlineem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean run logs no ERROR: {@code demo} and {@code bench}, each in its own JVM with the product's own
 * logging configuration, on the embedded broker (whose log lines go to the file each command names). An ERROR in a
 * run where nothing went wrong is either a fault or noise that would hide one.
 */
@Tag("integration")
class CleanRunLogTest {
    @TempDir
    Path tmp;

    @Test
    void shouldLogNoErrorWhenTheDemoRunsCleanly() throws Exception {
        List<String> lines = runChild("demo", "--points", "9000", "--bars", "300", "--timeout", "240", "--exit", "--http-port", "0");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("calm-feed")), "the demo printed its summary:\n" + String.join("\n", lines));
        assertNoError(lines);
        // the broker's and the processor's logs went to the file the demo names
        Path logFile = namedLogFile(lines);
        try {
            assertNoError(Files.readAllLines(logFile, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(logFile);
        }
    }

    @Test
    void shouldLogNoErrorWhenTheBenchmarkRunsCleanly() throws Exception {
        List<String> lines = runChild("bench", "--shapes", "2x3", "--points", "20000", "--warmup", "2000",
                "--latency-points", "500", "--rate", "500", "--no-jit-warmup", "--rounds", "1");
        assertTrue(lines.stream().anyMatch(l -> l.contains("throughput ratio")), String.join("\n", lines));
        // the console carries the benchmark's own lines only: the broker's and Kafka Streams' (a WARN on every run) go to
        // the file it names
        List<String> logLines = lines.stream().filter(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[.*")).collect(Collectors.toList());
        assertEquals(List.of(), logLines, "log lines on bench's console");
        Path logFile = namedLogFile(lines);
        try {
            assertNoError(Files.readAllLines(logFile, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(logFile);
        }
    }

    private static Path namedLogFile(List<String> lines) {
        String named = lines.stream().filter(l -> l.startsWith("Logs of the broker and the processor: ")).findFirst()
                .orElseThrow(() -> new AssertionError("the command names its log file:\n" + String.join("\n", lines)));
        return Path.of(named.substring("Logs of the broker and the processor: ".length(), named.indexOf(" (")));
    }

    private static void assertNoError(List<String> lines) {
        // slf4j-simple's layout: "HH:mm:ss.SSS [thread] ERROR logger - message"
        List<String> errors = lines.stream().filter(l -> l.matches("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[[^]]*\\] ERROR .*"))
                .collect(Collectors.toList());
        assertEquals(List.of(), errors, "ERROR lines in a clean run");
    }

    private List<String> runChild(String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.onlineem.cli.Main"));
        cmd.addAll(List.of(args));
        Path log = tmp.resolve(args[0] + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).directory(tmp.toFile()).start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertTrue(done, args[0] + " did not finish in 5 minutes:\n" + String.join("\n", lines));
        assertEquals(0, p.exitValue(), args[0] + " failed:\n" + String.join("\n", lines));
        return lines;
    }
}
