package dev.onlineem.stream;

import dev.onlineem.config.OnlineEmConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead letters that always fit. Kafka Streams' own handlers copy a rejected record's key, value and
 * headers verbatim, so a 10 MB value or key makes the dead letter itself too large to send and takes
 * the application down. These handlers write the same record and the same {@code __streams.errors.*}
 * headers (reason, exception, source topic, partition and offset), with the key cut to
 * {@value #MAX_KEY_BYTES} bytes, the value to {@code max.record.bytes}, the stack trace to
 * {@value #MAX_STACKTRACE_CHARS} characters and the copied headers to {@value #MAX_HEADER_BYTES} bytes; a
 * cut is stated in the {@value #TRUNCATED_HEADER} header. The source record itself stays at its
 * coordinates in the input topic.
 */
public final class DeadLetters {
    public static final String TRUNCATED_HEADER = "online-em.errors.truncated";
    static final int MAX_KEY_BYTES = 4096;
    static final int MAX_STACKTRACE_CHARS = 8192;
    static final int MAX_HEADER_BYTES = 64 * 1024;
    /** Room the producer and the dead-letter topic need beyond {@code max.record.bytes}. */
    public static final int OVERHEAD_BYTES = OnlineEmConfig.DEAD_LETTER_OVERHEAD_BYTES;
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private DeadLetters() {
    }

    /** The dead letter for the source record of {@code context}. */
    static ProducerRecord<byte[], byte[]> build(String topic, int maxValueBytes, ErrorHandlerContext context, Exception e) {
        byte[] key = context.sourceRawKey();
        byte[] value = context.sourceRawValue();
        StringBuilder truncated = new StringBuilder();
        if (key != null && key.length > MAX_KEY_BYTES) {
            truncated.append("key of ").append(key.length).append(" bytes cut to its first ").append(MAX_KEY_BYTES).append("; ");
            key = Arrays.copyOf(key, MAX_KEY_BYTES);
        }
        if (value != null && value.length > maxValueBytes) {
            truncated.append("value of ").append(value.length).append(" bytes cut to its first ").append(maxValueBytes).append("; ");
            value = Arrays.copyOf(value, maxValueBytes);
        }
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, context.timestamp(), key, value);
        Headers h = r.headers();
        int headerBytes = 0;
        if (context.headers() != null) {
            for (Header original : context.headers()) {
                int size = original.key().length() + (original.value() == null ? 0 : original.value().length);
                if (headerBytes + size > MAX_HEADER_BYTES) {
                    truncated.append("source headers beyond ").append(MAX_HEADER_BYTES).append(" bytes dropped; ");
                    break;
                }
                headerBytes += size;
                h.add(original);
            }
        }
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        String stack = cut(trace.toString());
        String message = reason(e);
        h.add("__streams.errors.exception", utf8(e.getClass().getName()));
        h.add("__streams.errors.message", utf8(cut(message)));
        h.add("__streams.errors.stacktrace", utf8(stack));
        h.add("__streams.errors.topic", utf8(String.valueOf(context.topic())));
        h.add("__streams.errors.partition", utf8(String.valueOf(context.partition())));
        h.add("__streams.errors.offset", utf8(String.valueOf(context.offset())));
        if (truncated.length() > 0) {
            h.add(TRUNCATED_HEADER, utf8(truncated.substring(0, truncated.length() - 2)));
        }
        return r;
    }

    /** The exception's message, or its class's name where it has none: the dead letter's reason. */
    static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Numbers as N, so that reasons alike but for their figures read alike (logs and metrics). */
    static String withoutNumbers(String message) {
        return message.replaceAll("[0-9]+(\\.[0-9]+)?", "N");
    }

    private static String cut(String s) {
        return s.length() > MAX_STACKTRACE_CHARS ? s.substring(0, MAX_STACKTRACE_CHARS) : s;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Logging that scales with hostile input: one WARN line (no stack trace) for each of the first
     * {@value #LINES_PER_WINDOW} rejected records per minute, then, at the end of each minute in which more
     * were rejected, one line counting the rest by reason. The summary comes on time, not only with the next
     * rejection: a daemon thread looks every {@value #FLUSH_EVERY_SECONDS} s. Every rejected record is in
     * the dead-letter topic with its full reason and stack trace either way, and counted by reason in
     * {@link DeadLetterCounts} (JMX).
     */
    static final class RejectionLog {
        static final RejectionLog INSTANCE = new RejectionLog(System::nanoTime, line -> log.warn("{}", line), true);
        static final int LINES_PER_WINDOW = 20;
        static final long WINDOW_NANOS = 60_000_000_000L;
        static final int FLUSH_EVERY_SECONDS = 5;
        private final LongSupplier clock;
        private final Consumer<String> sink;
        private long windowStart;
        private int logged;
        private final Map<String, Integer> unlogged = new TreeMap<>();
        private final boolean onTimer;
        private boolean flusherStarted;

        /** @param onTimer whether a daemon thread ends the minutes (tests call {@link #flushIfDue} themselves) */
        RejectionLog(LongSupplier clock, Consumer<String> sink, boolean onTimer) {
            this.clock = clock;
            this.sink = sink;
            this.onTimer = onTimer;
            this.windowStart = clock.getAsLong();
        }

        synchronized void rejected(ErrorHandlerContext context, Exception e) {
            String message = reason(e);
            rejected(context.topic() + "-" + context.partition() + "@" + context.offset(), message);
        }

        synchronized void rejected(String where, String message) {
            flushIfDue();
            if (onTimer && !flusherStarted) {
                flusherStarted = true;
                Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "online-em-rejection-log");
                    t.setDaemon(true);
                    return t;
                }).scheduleWithFixedDelay(this::flushIfDue, FLUSH_EVERY_SECONDS, FLUSH_EVERY_SECONDS, TimeUnit.SECONDS);
            }
            if (logged < LINES_PER_WINDOW) {
                logged++;
                sink.accept("rejected record " + where + ": " + cut(message));
            } else {
                unlogged.merge(gist(message), 1, Integer::sum);
            }
        }

        /** Ends the minute if it is over: the summary of what was not logged line by line, then a fresh window. */
        synchronized void flushIfDue() {
            long now = clock.getAsLong();
            if (now - windowStart <= WINDOW_NANOS) {
                return;
            }
            if (!unlogged.isEmpty()) {
                int n = unlogged.values().stream().mapToInt(Integer::intValue).sum();
                sink.accept(n + " more records dead-lettered in the last " + (now - windowStart) / 1_000_000_000L + " s, by reason: " + unlogged);
                unlogged.clear();
            }
            windowStart = now;
            logged = 0;
        }

        /** The reason without its numbers and past its first clause, so that alike records count together. */
        static String gist(String message) {
            String g = withoutNumbers(message);
            int cut = g.indexOf(';');
            g = cut > 0 ? g.substring(0, cut) : g;
            return g.length() > 80 ? g.substring(0, 80) + "..." : g;
        }
    }

    /** The dead-letter topic and the value bound, from the application's configuration. */
    private static final class Target {
        String topic;
        int maxValueBytes = 1 << 20;

        void configure(Map<String, ?> configs) {
            Object t = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
            topic = t == null ? null : String.valueOf(t);
            Object max = configs.get(OnlineEmConfig.MAX_RECORD_BYTES_CONFIG);
            if (max != null) {
                maxValueBytes = Integer.parseInt(String.valueOf(max));
            }
        }

        /** The dead letter for the source record, counted by reason ({@link DeadLetterCounts}); none without a topic. */
        List<ProducerRecord<byte[], byte[]>> letters(ErrorHandlerContext context, Exception e) {
            if (topic == null) {
                return List.of();
            }
            DeadLetterCounts.get().count(reason(e));
            return List.of(build(topic, maxValueBytes, context, e));
        }
    }

    /** A record that cannot be read as a point: log, dead-letter, continue. */
    public static final class OnDeserialization implements DeserializationExceptionHandler {
        private final Target target = new Target();

        @Override
        public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record, Exception exception) {
            RejectionLog.INSTANCE.rejected(context, exception);
            return Response.resume(target.letters(context, exception));
        }

        @Override
        public void configure(Map<String, ?> configs) {
            target.configure(configs);
        }
    }

    /** A point the processor rejects (wrong dimension, no key, model limit, ...): log, dead-letter, continue. */
    public static final class OnProcessing implements ProcessingExceptionHandler {
        private final Target target = new Target();

        @Override
        public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
            if ((exception instanceof org.apache.kafka.common.KafkaException && !(exception instanceof org.apache.kafka.common.errors.SerializationException))
                    || AuthorizationFailure.find(exception) != null) {
                // not the record's fault: Kafka failed under the processor (a send the cluster refused, a producer that
                // failed before): the task fails, no dead letter, not counted as rejected input
                log.error("processing {}-{}@{} failed in Kafka, not on its input: {}", context.topic(), context.partition(), context.offset(),
                        exception.getMessage());
                return Response.fail();
            }
            RejectionLog.INSTANCE.rejected(context, exception);
            return Response.resume(target.letters(context, exception));
        }

        @Override
        public void configure(Map<String, ?> configs) {
            target.configure(configs);
        }
    }

    /**
     * An output that the cluster refuses as too large (a snapshot of a very large model, say): the
     * source record is dead-lettered with that reason and processing continues. Retriable errors are
     * retried; anything else stops the thread, as by default.
     */
    public static final class OnProduction implements ProductionExceptionHandler {
        private final Target target = new Target();
        private final java.util.Properties properties = new java.util.Properties();

        @Override
        public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
            org.apache.kafka.common.errors.AuthorizationException denied = AuthorizationFailure.find(exception);
            if (denied != null) {
                // a refused permission is not bad input: no dead letter, no count; the thread fails and the instance stops
                // (StreamApp's uncaught-exception handler), naming the permission
                log.error("output to {}: {}", record.topic(), AuthorizationFailure.describe(denied, "WRITE", properties));
                return Response.fail();
            }
            // rare, and every one matters when outputs go missing: one line each, with the decision
            log.warn("output to {} of source {}-{}@{} failed: {}: {} ({})", record.topic(), context.topic(), context.partition(), context.offset(),
                    exception.getClass().getSimpleName(), exception.getMessage(), exception instanceof RetriableException ? "retried"
                            : exception instanceof RecordTooLargeException ? "source dead-lettered" : "thread fails");
            if (exception instanceof RetriableException) {
                return Response.retry();
            }
            if (exception instanceof RecordTooLargeException) {
                int size = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
                return Response.resume(target.letters(context, new RecordTooLargeException("output to " + record.topic() + " of " + size
                        + " bytes is larger than the producer or topic allows (max.request.size, max.message.bytes): " + exception.getMessage())));
            }
            return Response.fail(target.letters(context, exception));
        }

        @Override
        public void configure(Map<String, ?> configs) {
            target.configure(configs);
            configs.forEach((k, v) -> {
                if (v != null) {
                    properties.put(k, v);
                }
            });
        }
    }
}
