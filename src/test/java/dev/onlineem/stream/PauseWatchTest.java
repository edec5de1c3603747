package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.streams.errors.StreamsException;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

class PauseWatchTest {

    /** A logger that keeps what it is asked to log, as "LEVEL message". */
    static final class Recording extends LegacyAbstractLogger {
        final List<String> lines = new ArrayList<>();

        Recording() {
            this.name = "recording";
        }

        @Override
        public boolean isTraceEnabled() {
            return false;
        }

        @Override
        public boolean isDebugEnabled() {
            return false; // as the service's default level (warn) has it
        }

        @Override
        public boolean isInfoEnabled() {
            return false;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String message, Object[] args, Throwable t) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(message, args) + (t == null ? "" : " | " + t.getClass().getSimpleName()));
        }
    }

    @Test
    void shouldLogAPausedInstancesFencingErrorsAtDebugAndEveryOtherErrorAsItIs() {
        Recording out = new Recording();
        FencingAwareLoggers.FencingAware log = new FencingAwareLoggers.FencingAware(out);
        StreamsException fenced = new StreamsException("Error encountered sending record", new InvalidProducerEpochException("old epoch"));

        log.error("stream-task [0_2] Error encountered sending record to topic {} due to:", "assignments", fenced);
        assertEquals(List.of("ERROR stream-task [0_2] Error encountered sending record to topic assignments due to: | StreamsException"), out.lines,
                "before any pause, a fencing error is an ERROR");

        PauseWatch.paused(TimeUnit.SECONDS.toNanos(24), TimeUnit.SECONDS.toNanos(10));
        long absorbed = PauseWatch.absorbed();
        out.lines.clear();
        log.error("stream-task [0_2] Error encountered sending record to topic {} due to:", "assignments", fenced);
        log.error("Failed to flush cache of store checkpoint: {}", new ProducerFencedException("fenced").toString());
        log.error("cannot read state: {}", "disk full", new IllegalStateException("disk full"));
        log.warn("a warning stays a warning");
        assertEquals(List.of("ERROR cannot read state: disk full | IllegalStateException", "WARN a warning stays a warning"), out.lines,
                "after a pause, its fencing errors go to DEBUG (off here) and other errors stay");
        assertEquals(absorbed + 2, PauseWatch.absorbed());
        assertTrue(PauseWatch.expectedFencing("x", null, new ProducerFencedException("p")));
        assertFalse(PauseWatch.expectedFencing("x", null, new IllegalArgumentException("not fencing")));
    }

    @Test
    void shouldWatchForPausesLongerThanTheMainConsumersSessionTimeout() {
        java.util.Properties p = new java.util.Properties();
        try (PauseWatch w = PauseWatch.start(p)) {
            assertEquals(45_000, w.thresholdMs(), "Kafka's default");
        }
        p.put("session.timeout.ms", 7000); // an Integer, as a map of settings may hold it
        try (PauseWatch w = PauseWatch.start(p)) {
            assertEquals(7000, w.thresholdMs());
        }
        p.put("main.consumer.session.timeout.ms", "10000");
        try (PauseWatch w = PauseWatch.start(p)) {
            assertEquals(10_000, w.thresholdMs(), "the main consumer's own setting first");
        }
    }
}
