package dev.onlineem.stream;

import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.LoggerFactory;

/**
 * Notices when this JVM did not run for longer than the main consumer's session timeout: a SIGSTOP, a paused container or
 * virtual machine, a long garbage-collection pause. The group has then moved this instance's tasks to other instances, and
 * the transaction it had open is aborted (by the broker's transaction timeout, or when it writes again with a fenced epoch):
 * nothing it wrote during the pause is read, exactly-once holds, and it rejoins. One WARN line says so. For a minute after
 * it, Kafka's ERRORs about that fencing (an old producer epoch, a fenced producer, a migrated task, a failed commit) are not
 * faults: {@link FencingAwareLoggers} logs them at DEBUG instead, and ERRORs of every other kind as they are.
 *
 * <p>A daemon thread that wakes every 100 ms and compares the monotonic clock with its last wake-up.
 */
final class PauseWatch implements AutoCloseable {
    static final long TICK_MS = 100;
    /** How long after a detected pause Kafka's fencing ERRORs are expected, and logged at DEBUG. */
    static final long AFTER_MS = 60_000;
    /** The exceptions, by simple name, with which Kafka reports a fenced zombie. */
    static final Set<String> FENCING = Set.of("InvalidProducerEpochException", "ProducerFencedException", "TaskMigratedException",
            "CommitFailedException", "FencedInstanceIdException", "UnknownMemberIdException", "IllegalGenerationException",
            "InvalidPidMappingException", "TransactionAbortedException");
    /** System.nanoTime() until which fencing errors are expected: none before the first pause (compared by difference, no overflow). */
    private static final AtomicLong EXPECT_FENCING_UNTIL = new AtomicLong(System.nanoTime());
    private static final AtomicLong ABSORBED = new AtomicLong();

    private final long thresholdNanos;
    private final Thread thread;
    private volatile boolean closed;

    private PauseWatch(long sessionTimeoutMs, String name) {
        this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(sessionTimeoutMs);
        this.thread = new Thread(this::watch, name);
        thread.setDaemon(true);
    }

    /** Starts a watch against the session timeout of these Kafka Streams properties (the main consumer's, else the consumer's, else 45 s). */
    static PauseWatch start(Properties streams) {
        Object t = "45000"; // Kafka's default
        for (String key : new String[] {StreamsConfig.MAIN_CONSUMER_PREFIX + ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG}) {
            if (streams.get(key) != null) { // get, not getProperty: a value may be an Integer
                t = streams.get(key);
                break;
            }
        }
        PauseWatch w = new PauseWatch(Long.parseLong(String.valueOf(t).trim()), "online-em-pause-watch");
        w.thread.start();
        return w;
    }

    private void watch() {
        long last = System.nanoTime();
        while (!closed) {
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long stopped = now - last - TimeUnit.MILLISECONDS.toNanos(TICK_MS);
            last = now;
            if (stopped > thresholdNanos) {
                paused(stopped, thresholdNanos);
            }
        }
    }

    /** The pause, in milliseconds, past which this watch speaks: the session timeout. */
    long thresholdMs() {
        return TimeUnit.NANOSECONDS.toMillis(thresholdNanos);
    }

    /** Records a pause of {@code stoppedNanos} and says so in one WARN line. */
    static void paused(long stoppedNanos, long thresholdNanos) {
        EXPECT_FENCING_UNTIL.set(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(AFTER_MS));
        LoggerFactory.getLogger(PauseWatch.class).warn(String.format(Locale.ROOT, "this instance did not run for %.1f s (its JVM was stopped: "
                + "SIGSTOP, a paused container or virtual machine, or a long GC pause), longer than its session timeout of %.0f s: the group "
                + "has moved its tasks to other instances and the transaction it had open is aborted, so nothing it wrote meanwhile is read "
                + "and exactly-once holds. It rejoins now; Kafka's errors about this fencing in the next %d s are logged at DEBUG",
                stoppedNanos / 1e9, thresholdNanos / 1e9, AFTER_MS / 1000));
    }

    /**
     * True when an ERROR about to be logged reports the fencing that follows a detected pause (the exception, one of its causes,
     * or the message names one of {@link #FENCING}), within {@link #AFTER_MS} of it; counts it.
     */
    static boolean expectedFencing(String message, Object[] args, Throwable t) {
        if (System.nanoTime() - EXPECT_FENCING_UNTIL.get() >= 0) {
            return false;
        }
        boolean fencing = names(t);
        if (args != null) {
            for (Object a : args) {
                fencing |= a instanceof Throwable th ? names(th) : a != null && mentions(String.valueOf(a));
            }
        }
        fencing |= message != null && mentions(message);
        if (fencing) {
            ABSORBED.incrementAndGet();
        }
        return fencing;
    }

    /** How many ERRORs were logged at DEBUG as a pause's fencing. */
    static long absorbed() {
        return ABSORBED.get();
    }

    private static boolean names(Throwable t) {
        for (int depth = 0; t != null && depth < 20; t = t.getCause(), depth++) {
            if (FENCING.contains(t.getClass().getSimpleName()) || t.getMessage() != null && mentions(t.getMessage())) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentions(String s) {
        for (String f : FENCING) {
            if (s.contains(f)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
