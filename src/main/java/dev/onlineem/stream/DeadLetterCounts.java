package dev.onlineem.stream;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Dead letters counted by reason, for monitoring: records this process sent to the dead-letter topic
 * since it started, by the reason's kind (its text up to the first ':' or ';', numbers as N, such as
 * {@code record is not valid JSON} or {@code bad point}). At most {@value #MAX_REASONS} kinds are kept
 * apart; any further kind counts as {@code other}. Under exactly-once a record reprocessed after a crash
 * is dead-lettered again by its new owner and counted there again; the topic itself holds it once.
 *
 * <p>Published over JMX as {@value #OBJECT_NAME} (attributes {@code Total} and {@code CountsByReason}), beside
 * Kafka's own client and streams metrics.
 */
public final class DeadLetterCounts {
    public static final String OBJECT_NAME = "dev.onlineem:type=DeadLetters";
    static final int MAX_REASONS = 64;
    static final String OTHER = "other";
    private static final DeadLetterCounts INSTANCE = new DeadLetterCounts();

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final LongAdder total = new LongAdder();

    /** The JMX view of the counts. */
    public interface DeadLettersMXBean {
        long getTotal();

        Map<String, Long> getCountsByReason();
    }

    static {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName name = new ObjectName(OBJECT_NAME);
            if (!server.isRegistered(name)) {
                server.registerMBean(new DeadLettersMXBean() {
                    @Override
                    public long getTotal() {
                        return INSTANCE.total();
                    }

                    @Override
                    public Map<String, Long> getCountsByReason() {
                        return INSTANCE.byReason();
                    }
                }, name);
            }
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + OBJECT_NAME + ": " + e.getMessage(), e);
        }
    }

    DeadLetterCounts() {
    }

    /** The process-wide counts. */
    public static DeadLetterCounts get() {
        return INSTANCE;
    }

    void count(String message) {
        String kind = kind(message);
        LongAdder c = counts.get(kind);
        if (c == null) {
            c = counts.size() < MAX_REASONS ? counts.computeIfAbsent(kind, k -> new LongAdder()) : counts.computeIfAbsent(OTHER, k -> new LongAdder());
        }
        c.increment();
        total.increment();
    }

    public long total() {
        return total.sum();
    }

    /** Counts by reason kind, sorted by kind. */
    public Map<String, Long> byReason() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** The reason's kind: its text before the first ':' or ';', with numbers as N, at most 60 characters. */
    static String kind(String message) {
        if (message == null || message.isBlank()) {
            return "unknown";
        }
        String g = DeadLetters.withoutNumbers(message);
        int cut = g.length();
        for (char c : new char[] {':', ';'}) {
            int i = g.indexOf(c);
            if (i > 0 && i < cut) {
                cut = i;
            }
        }
        g = g.substring(0, cut).strip();
        return g.length() > 60 ? g.substring(0, 60) : g;
    }
}
