package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.testcontainers.DockerClientFactory;

/**
 * {@code examples/testcontainers/ProcessorImageTest.java}, a user's own Testcontainers test of the processor image,
 * compiled as it stands against the test class path and run by the JUnit platform as a build would run it, with
 * the images {@code scripts/docker-setup.sh} built here (the local Kafka image for apache/kafka). Its one test must
 * pass; skipped, with the reason, where no Docker engine runs or the images were not built.
 */
@Tag("integration")
class TestcontainersExampleIntegrationTest {
    static final Path EXAMPLE = Path.of("examples/testcontainers/ProcessorImageTest.java");

    @TempDir
    Path classes;

    @Test
    void shouldPassTheUsersOwnTestcontainersTestOfTheProcessorImage() throws Exception {
        DockerEngine.pinApiVersion();
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
                "skipped: no Docker engine (scripts/docker-setup.sh installs and starts one, and builds the images)");
        String kafkaImage = DockerKafkaIntegrationTest.LOCAL_KAFKA + AppInfoParser.getVersion();
        Assumptions.assumeTrue(DockerKafkaIntegrationTest.imageExists(kafkaImage) && DockerKafkaIntegrationTest.imageExists(DockerKafkaIntegrationTest.LOCAL_PROCESSOR),
                "skipped: the images " + kafkaImage + " and " + DockerKafkaIntegrationTest.LOCAL_PROCESSOR + " are not built (scripts/docker-setup.sh)");

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int compiled = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                EXAMPLE.toString());
        assertEquals(0, compiled, "the example compiles: " + diagnostics.toString(StandardCharsets.UTF_8));

        System.setProperty("kafka.image", kafkaImage);
        System.setProperty("processor.image", DockerKafkaIntegrationTest.LOCAL_PROCESSOR);
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(new TeeStream(printed, console), true, StandardCharsets.UTF_8));
            Class<?> example = loader.loadClass("ProcessorImageTest");
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(example)).build(), listener);
            TestExecutionSummary summary = listener.getSummary();
            String failures = summary.getFailures().stream().map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException())
                    .collect(Collectors.joining("\n"));
            assertEquals(List.of(), summary.getFailures().stream().map(f -> f.getException().toString()).toList(), failures);
            assertEquals(1, summary.getTestsSucceededCount(), "the example's test ran and passed (skipped: "
                    + summary.getTestsSkippedCount() + ", aborted: " + summary.getTestsAbortedCount() + ")");
        } finally {
            System.setOut(console);
            System.clearProperty("kafka.image");
            System.clearProperty("processor.image");
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.matches("(?s).*processor image: from start to ready in \\d+\\.\\d s.*"), out);
    }

    /** Writes to two streams: what the example prints is kept and still shown. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int x) throws java.io.IOException {
            a.write(x);
            b.write(x);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws java.io.IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
