package dev.onlineem.cli;

import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.AssignmentsMode;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.serde.Point;
import dev.onlineem.serde.PointSerializer;
import dev.onlineem.stream.StreamApp;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bench}: the end-to-end benchmark on the embedded broker. For each shape (K, d) the same JSON
 * points go through a passthrough topology (bytes in, bytes out: the floor Kafka Streams itself sets)
 * and through the online-EM topology, with the same processing guarantee and commit interval. It
 * reports sustained points per second from a pre-loaded topic, their ratio, and the produce-to-output
 * latency of points sent at a fixed rate, read with {@code read_committed} as a downstream user would.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "End-to-end benchmark on an in-process broker: the online-EM topology against a passthrough topology.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--shapes", paramLabel = "KxD", split = ",", defaultValue = "4x2,8x16",
            description = "Mixture shapes to measure, K components by d dimensions (default: ${DEFAULT-VALUE}).")
    List<String> shapes;

    @Option(names = "--points", paramLabel = "N", defaultValue = "200000", description = "Points per shape in the throughput phase (default: ${DEFAULT-VALUE}).")
    int points;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20000",
            description = "Points processed before the throughput clock starts: JIT, model warm-up (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--models", paramLabel = "M", defaultValue = "4", description = "Model ids the points are spread over (default: ${DEFAULT-VALUE}).")
    int models;

    @Option(names = "--latency-points", paramLabel = "N", defaultValue = "10000", description = "Points sent at --rate in the latency phase (default: ${DEFAULT-VALUE}).")
    int latencyPoints;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "1000", description = "Points per second in the latency phase (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--guarantee", paramLabel = "G", defaultValue = "exactly_once_v2",
            description = "processing.guarantee for both topologies: exactly_once_v2 or at_least_once (default: ${DEFAULT-VALUE}).")
    String guarantee;

    @Option(names = "--commit-interval-ms", paramLabel = "MS", defaultValue = "100",
            description = "commit.interval.ms for both topologies; with exactly-once it bounds how soon output is visible (default: ${DEFAULT-VALUE}).")
    long commitIntervalMs;

    @Option(names = "--jit-warmup", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run both topologies untimed before measuring each shape, until the JIT compiler is quiet (default: ${DEFAULT-VALUE}).")
    boolean jitWarmup;

    @Option(names = "--jit-warmup-points", paramLabel = "N", defaultValue = "200000",
            description = "Points of each untimed pass (default: ${DEFAULT-VALUE}: the JIT compiler is still busy with the broker's, the clients' "
                    + "and the topology's code long after 40,000).")
    int jitWarmupPoints;

    @Option(names = "--jit-warmup-passes", paramLabel = "N", defaultValue = "5",
            description = "At most this many untimed passes per shape; they stop once the JIT compiler was busy for less than "
                    + "a tenth of a pass (measured: one pass left it compiling for most of the first measured round) "
                    + "(default: ${DEFAULT-VALUE}).")
    int jitWarmupPasses;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "3",
            description = "Passthrough and online EM measured N times per shape, alternating (the order flips every round), and the median "
                    + "ratio of each round's pair reported: on a machine whose speed wanders, a pair run back to back is comparable where "
                    + "one run of each is not (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "2", description = "Partitions of the input topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "900", description = "Give up on a phase after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--verbose", description = "Show the broker's and Kafka Streams' log lines on the console instead of writing them to a file.")
    boolean verbose;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting of the online-EM topology (any key of config/application.properties, "
            + "e.g. model.init.points=20, state.held.models=20000); repeatable.")
    Map<String, String> settings = new HashMap<>();

    /** One topology's figures for one shape. */
    record Result(double pointsPerSecond, double p50Ms, double p99Ms, double maxMs, double cpuMicrosPerPoint, double jitMillis,
                  double[] threadMicrosPerPoint) {
    }

    /** The groups of threads whose CPU time per point is reported, as {@link Usage} sorts them. */
    static final String[] THREAD_GROUPS = {"stream thread", "its producer I/O", "broker and other threads", "JVM (GC, JIT, VM)"};

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        validate();
        String logLine = Main.logFileLine();
        if (logLine != null) {
            out.println(logLine);
        }
        Path work = Files.createTempDirectory("online-em-bench-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            out.printf(Locale.ROOT, "In-process broker at %s; %s, commit.interval.ms %d, %d input partitions, %d models, %d cores%n",
                    broker.bootstrapServers(), guarantee, commitIntervalMs, partitions, models, Runtime.getRuntime().availableProcessors());
            out.printf(Locale.ROOT, "Throughput: %,d points from a pre-loaded topic after %,d warm-up points. Latency: %,d points at %,d points/s, "
                    + "produce to read_committed output.%n", points, warmup, latencyPoints, rate);
            out.flush();
            for (String shape : shapes) {
                int[] kd = parseShape(shape);
                Workload w = new Workload(kd[0], kd[1], models, warmup + points, latencyPoints, 11);
                out.printf(Locale.ROOT, "%nK=%d, d=%d (%d-byte JSON points)%n", kd[0], kd[1], w.point(0).length);
                out.flush();
                if (jitWarmup) {
                    warmUpJit(broker, work, shape, kd, out);
                }
                List<Result> passes = new ArrayList<>();
                List<Result> ems = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                List<Double> cpuRatios = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    String tag = shape + (rounds > 1 ? "-" + (round + 1) : "");
                    Result pass;
                    Result em;
                    if (round % 2 == 0) {
                        pass = measure(broker, work, w, "pass-" + tag, false, warmup, out);
                        em = measure(broker, work, w, "em-" + tag, true, warmup, out);
                    } else {
                        em = measure(broker, work, w, "em-" + tag, true, warmup, out);
                        pass = measure(broker, work, w, "pass-" + tag, false, warmup, out);
                    }
                    passes.add(pass);
                    ems.add(em);
                    ratios.add(em.pointsPerSecond() / pass.pointsPerSecond());
                    cpuRatios.add(em.cpuMicrosPerPoint() / pass.cpuMicrosPerPoint());
                    if (rounds > 1) {
                        out.printf(Locale.ROOT, "  round %d: passthrough %,.0f, online EM %,.0f points/s, ratio %.2f; CPU per point %.1f and %.1f us; "
                                        + "JIT compiling %,.0f and %,.0f ms of the window%n",
                                round + 1, pass.pointsPerSecond(), em.pointsPerSecond(), ratios.get(round), pass.cpuMicrosPerPoint(),
                                em.cpuMicrosPerPoint(), pass.jitMillis(), em.jitMillis());
                        out.flush();
                    }
                }
                out.printf(Locale.ROOT, "  %-12s %12s %9s %9s %9s %10s%s%n", "topology", "points/s", "p50 ms", "p99 ms", "max ms", "CPU us/pt",
                        rounds > 1 ? "   (medians of " + rounds + " rounds)" : "");
                row(out, "passthrough", median(passes));
                row(out, "online EM", median(ems));
                threadRow(out, "passthrough", median(passes));
                threadRow(out, "online EM", median(ems));
                out.printf(Locale.ROOT, "  throughput ratio online EM / passthrough: %.2f%s%n", median(ratios, r -> r),
                        rounds > 1 ? " (median; rounds " + ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r))
                                .collect(Collectors.joining(", ")) + ")" : "");
                out.printf(Locale.ROOT, "  process CPU per point online EM / passthrough: %.2f%s%n", median(cpuRatios, r -> r),
                        rounds > 1 ? " (median)" : "");
                out.flush();
            }
        } finally {
            EmbeddedKafkaBroker.deleteRecursively(work);
        }
        return 0;
    }

    private void validate() {
        if (points < 1000 || warmup < 0 || latencyPoints < 100 || rate < 1 || models < 1 || partitions < 1 || rounds < 1) {
            throw new IllegalArgumentException("--points must be at least 1000, --latency-points at least 100, "
                    + "--warmup at least 0, and --rate, --models, --partitions, --rounds at least 1");
        }
        if (jitWarmup && (jitWarmupPasses < 1 || jitWarmupPoints < 1000)) {
            throw new IllegalArgumentException("--jit-warmup-passes must be at least 1 and --jit-warmup-points at least 1000 "
                    + "(or --no-jit-warmup)");
        }
        if (!guarantee.equals("exactly_once_v2") && !guarantee.equals("at_least_once")) {
            throw new IllegalArgumentException("--guarantee " + guarantee + " is invalid: use exactly_once_v2 or at_least_once");
        }
        for (String s : shapes) {
            parseShape(s);
        }
    }

    static int[] parseShape(String shape) {
        String[] p = shape.trim().toLowerCase(Locale.ROOT).split("x");
        try {
            int k = Integer.parseInt(p[0]);
            int d = Integer.parseInt(p[1]);
            if (p.length == 2 && k >= 1 && k <= 64 && d >= 1 && d <= 256) {
                return new int[] {k, d};
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("--shapes " + shape + " is invalid: write KxD with K in 1..64 and d in 1..256, e.g. 4x2");
    }

    /**
     * Untimed passes of both topologies on this shape until the JIT compiler was busy for less than a tenth of a pass's
     * wall time, or {@code --jit-warmup-passes} of them: the measured rounds then see compiled code, not the compiler.
     */
    private void warmUpJit(EmbeddedKafkaBroker broker, Path work, String shape, int[] kd, PrintWriter out) throws Exception {
        Workload w = new Workload(kd[0], kd[1], Math.min(models, 1000), jitWarmupPoints, 200, 3);
        for (int pass = 1; pass <= jitWarmupPasses; pass++) {
            long start = System.nanoTime();
            long compiling = compilingMillis();
            measure(broker, work, w, "jit-pass-" + shape + "-" + pass, false, 0, null);
            measure(broker, work, w, "jit-em-" + shape + "-" + pass, true, 0, null);
            double wallMs = (System.nanoTime() - start) / 1e6;
            double jitMs = compilingMillis() - compiling;
            out.printf(Locale.ROOT, "  JIT warm-up pass %d (not reported): %.1f s, JIT compiling %,.0f ms%n", pass, wallMs / 1e3, jitMs);
            out.flush();
            if (jitMs < wallMs / 10) {
                return;
            }
        }
    }

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final java.lang.management.CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private static final java.lang.management.ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The JIT compilers' accumulated busy time, ms; 0 in a JVM without a JIT (-Xint) or without that counter. */
    private static long compilingMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }

    /** What the process spent between the first measured output and the last: CPU time (ns) and JIT time (ms). */
    private static final class Usage {
        long cpuStart;
        long cpuEnd;
        long jitStart;
        long jitEnd;
        /** Each live thread's CPU time at the first sample and at the latest one, ns. */
        final Map<Long, long[]> threads = new HashMap<>();
        final Map<Long, Integer> groups = new HashMap<>();

        /** A sample as an output batch arrives; {@code first} when it holds the first measured output. */
        void sample(boolean first) {
            long cpu = PROCESS.getProcessCpuTime();
            long jit = compilingMillis();
            if (first) {
                cpuStart = cpu;
                jitStart = jit;
                threads.clear();
            }
            cpuEnd = cpu;
            jitEnd = jit;
            if (THREADS.isThreadCpuTimeSupported()) {
                for (java.lang.management.ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
                    if (t == null) {
                        continue;
                    }
                    long ns = THREADS.getThreadCpuTime(t.getThreadId());
                    if (ns < 0) {
                        continue;
                    }
                    groups.computeIfAbsent(t.getThreadId(), id -> group(t.getThreadName()));
                    // a thread started after the first sample counts from zero
                    threads.computeIfAbsent(t.getThreadId(), id -> new long[] {first ? ns : 0, ns})[1] = ns;
                }
            }
        }

        /** 0 a stream thread, 1 its producer's I/O thread, 2 any other Java thread (the broker's above all), from the thread's name. */
        static int group(String name) {
            if (name.startsWith("kafka-producer-network-thread")) {
                return name.contains("StreamThread") ? 1 : 2;
            }
            return name.contains("StreamThread") ? 0 : 2;
        }

        /** CPU time per point of each of {@link #THREAD_GROUPS}, us: the Java threads' own, and the rest of the process's (GC, JIT, VM). */
        double[] perPoint(long points) {
            double[] us = new double[THREAD_GROUPS.length];
            long java = 0;
            for (Map.Entry<Long, long[]> e : threads.entrySet()) {
                long ns = e.getValue()[1] - e.getValue()[0];
                us[groups.get(e.getKey())] += ns / 1e3 / points;
                java += ns;
            }
            // the JIT's compiler threads are Java threads, but are reported with the JVM's own
            us[3] = Math.max(0, (cpuEnd - cpuStart) - java) / 1e3 / points;
            return us;
        }
    }

    /** Each figure's median over the rounds (the upper one of an even count). */
    static Result median(List<Result> results) {
        double[] threads = new double[THREAD_GROUPS.length];
        for (int g = 0; g < threads.length; g++) {
            int group = g;
            threads[g] = median(results, r -> r.threadMicrosPerPoint()[group]);
        }
        return new Result(median(results, Result::pointsPerSecond), median(results, Result::p50Ms),
                median(results, Result::p99Ms), median(results, Result::maxMs), median(results, Result::cpuMicrosPerPoint),
                median(results, Result::jitMillis), threads);
    }

    /** The median of f over the values (the upper one of an even count). */
    static <T> double median(List<T> values, java.util.function.ToDoubleFunction<T> f) {
        double[] v = values.stream().mapToDouble(f).sorted().toArray();
        return v[v.length / 2];
    }

    private static void row(PrintWriter out, String name, Result r) {
        out.printf(Locale.ROOT, "  %-12s %,12.0f %9.1f %9.1f %9.1f %10.1f%n", name, r.pointsPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(),
                r.cpuMicrosPerPoint());
    }

    private static void threadRow(PrintWriter out, String name, Result r) {
        StringBuilder b = new StringBuilder();
        for (int g = 0; g < THREAD_GROUPS.length; g++) {
            b.append(g == 0 ? "" : ", ").append(THREAD_GROUPS[g]).append(String.format(Locale.ROOT, " %.1f", r.threadMicrosPerPoint()[g]));
        }
        out.printf(Locale.ROOT, "  CPU us per point, %s: %s%n", name, b);
    }

    /** Runs one topology over the workload: throughput from a pre-loaded topic, then latency at a fixed rate. */
    private Result measure(EmbeddedKafkaBroker broker, Path work, Workload w, String name, boolean em, int warmup, PrintWriter out)
            throws Exception {
        String bootstrap = broker.bootstrapServers();
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", bootstrap);
        m.put("application.id", "bench-" + name);
        m.put("state.dir", work.resolve(name).toString());
        m.put("processing.guarantee", guarantee);
        m.put("commit.interval.ms", String.valueOf(commitIntervalMs));
        m.put("points.topic", "bench-" + name + "-points");
        m.put("assignments.topic", "bench-" + name + "-out");
        m.put("anomalies.topic", "bench-" + name + "-anomalies");
        m.put("models.topic", "bench-" + name + "-models");
        m.put("dead.letter.topic", "bench-" + name + "-dlq");
        m.put("model.k", String.valueOf(w.k));
        m.putAll(settings);
        OnlineEmConfig config = new OnlineEmConfig(m);
        StreamApp.createTopics(config, partitions);

        if (out != null) {
            out.printf(Locale.ROOT, "  %s: loading %,d points ...%n", em ? "online EM" : "passthrough", w.throughputPoints());
            out.flush();
        }
        send(bootstrap, config.pointsTopic(), w, 0, w.throughputPoints(), null, null, 0);
        settle();
        if (!config.assignmentsModeUniform()) {
            throw new IllegalArgumentException("bench measures one assignments.mode at a time: set assignments.mode, not per-prefix overrides");
        }
        // with assignments.mode=off there is no output per point: a point is done when the application's committed offset
        // of its input passes it (exactly-once: committed with its transaction)
        boolean offsets = em && config.assignmentsModeFor("") == AssignmentsMode.OFF;
        try (KafkaConsumer<byte[], byte[]> reader = committedReader(bootstrap, config.assignmentsTopic());
             Admin admin = offsets ? Admin.create(Map.of("bootstrap.servers", bootstrap)) : null;
             AutoCloseable app = em ? StreamApp.start(config, partitions) : startPassthrough(config)) {
            Usage usage = new Usage();
            String group = "bench-" + name; // its application.id
            long[] times = offsets ? awaitCommitted(admin, group, config.pointsTopic(), w.throughputPoints(), null, null, null, warmup, usage)
                    : awaitOutputs(reader, w.throughputPoints(), null, null, warmup, usage);
            double cpuMicros = (usage.cpuEnd - usage.cpuStart) / 1e3 / (w.throughputPoints() - 1 - warmup);
            double seconds = (times[w.throughputPoints() - 1] - times[warmup]) / 1e9;
            double resolution = commitIntervalMs / 1000.0;
            if (seconds < resolution) {
                // with exactly-once, output becomes visible a commit at a time: a shorter window measures nothing
                if (out != null) {
                    out.printf(Locale.ROOT, "  %s: every measured output became visible within one commit interval; throughput is "
                            + "bounded by the commit interval, raise --points%n", em ? "online EM" : "passthrough");
                }
                seconds = resolution;
            }
            double pps = (w.throughputPoints() - 1 - warmup) / seconds;

            long[] sent = new long[w.latencyPoints];
            long[] received = new long[w.latencyPoints];
            TopicPartition[] where = offsets ? new TopicPartition[w.latencyPoints] : null;
            long[] offsetOf = offsets ? new long[w.latencyPoints] : null;
            Thread producer = new Thread(() -> send(bootstrap, config.pointsTopic(), w, w.throughputPoints(), w.latencyPoints, sent,
                    offsets ? new Sent(where, offsetOf) : null, rate), "bench-producer");
            producer.start();
            if (offsets) {
                awaitCommitted(admin, group, config.pointsTopic(), w.latencyPoints, received, sent, new Sent(where, offsetOf), 0, null);
            } else {
                awaitOutputs(reader, w.latencyPoints, received, sent, 0, null);
            }
            producer.join();
            double[] lat = new double[w.latencyPoints];
            for (int i = 0; i < lat.length; i++) {
                lat[i] = (received[i] - sent[i]) / 1e6;
            }
            Arrays.sort(lat);
            if (em && out != null) {
                // with the application still running: what its models and everything else in this JVM hold
                System.gc();
                Runtime rt = Runtime.getRuntime();
                out.printf(Locale.ROOT, "  online EM: heap in use after GC %,d MB of %,d MB max (broker, clients and processor in this JVM), %,d models%n",
                        (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20, Math.min(w.models, w.throughputPoints() + w.latencyPoints));
                out.flush();
            }
            return new Result(pps, quantile(lat, 0.5), quantile(lat, 0.99), lat[lat.length - 1], cpuMicros, usage.jitEnd - usage.jitStart,
                    usage.perPoint(w.throughputPoints() - 1 - warmup));
        }
    }

    /**
     * Waits, for at most {@link #SETTLE_MAX_NANOS}, until this process uses less than {@link #SETTLE_CORES} of a core over
     * {@link #SETTLE_SAMPLE_MS}: the load's garbage, the broker's log flushes and cleaning, and whatever the last round
     * left running then fall before the measured window instead of inside one topology's.
     */
    private static void settle() throws InterruptedException {
        System.gc();
        long deadline = System.nanoTime() + SETTLE_MAX_NANOS;
        while (System.nanoTime() < deadline) {
            long cpu = PROCESS.getProcessCpuTime();
            long start = System.nanoTime();
            Thread.sleep(SETTLE_SAMPLE_MS);
            double cores = (PROCESS.getProcessCpuTime() - cpu) / (double) (System.nanoTime() - start);
            if (cores < SETTLE_CORES) {
                return;
            }
        }
    }

    private static final long SETTLE_MAX_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long SETTLE_SAMPLE_MS = 300;
    private static final double SETTLE_CORES = 0.2;

    private static AutoCloseable startPassthrough(OnlineEmConfig config) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(config.pointsTopic(), Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .to(config.assignmentsTopic(), Produced.with(Serdes.String(), Serdes.ByteArray()));
        KafkaStreams s = new KafkaStreams(b.build(), config.streamsProperties());
        s.start();
        return () -> s.close(Duration.ofSeconds(30));
    }

    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * Sends points [from, from + n). With a rate, paces them and stamps each one's send time in
     * {@code sent[i - from]}, just before the send; the point's id carries its index.
     */
    /** Where each latency point went (partition and offset), filled in by the producer's callbacks. */
    record Sent(TopicPartition[] partitions, long[] offsets) {
    }

    private static void send(String bootstrap, String topic, Workload w, int from, int n, long[] sent, Sent where, int rate) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, sent == null ? 20 : 0);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                if (sent != null) {
                    long due = start + (long) (i * 1e9 / rate);
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        TimeUnit.NANOSECONDS.sleep(Math.min(wait, 1_000_000));
                    }
                    sent[i] = System.nanoTime();
                }
                int index = i;
                producer.send(new ProducerRecord<>(topic, w.modelOf(from + i), w.point(from + i)), where == null ? null : (m, e) -> {
                    if (m != null) {
                        where.offsets()[index] = m.offset();
                        where.partitions()[index] = new TopicPartition(m.topic(), m.partition());
                    }
                });
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * As {@link #awaitOutputs}, for a topology that publishes nothing per point: a point is done when the group's committed
     * offset of its partition is past it. Without {@code received}, the points are the pre-loaded ones, counted over all
     * partitions; with it, each latency point's partition and offset come from {@code where}.
     */
    private long[] awaitCommitted(Admin admin, String group, String topic, int n, long[] received, long[] sent, Sent where, int from, Usage usage)
            throws Exception {
        long[] arrivals = received == null ? new long[n] : null;
        int count = 0;
        boolean[] done = received == null ? null : new boolean[n];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (count < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + count + " of " + n + " points committed after " + timeoutSeconds + " s");
            }
            Thread.sleep(20);
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            long now = System.nanoTime();
            if (received == null) {
                long total = committed.entrySet().stream().filter(e -> e.getValue() != null && e.getKey().topic().equals(topic))
                        .mapToLong(e -> e.getValue().offset()).sum();
                int reached = (int) Math.min(n, total);
                if (usage != null && reached > count) {
                    usage.sample(count <= from && from < reached);
                }
                for (; count < reached; count++) {
                    arrivals[count] = now;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    if (!done[i] && sent[i] != 0 && where.partitions()[i] != null) {
                        var o = committed.get(where.partitions()[i]);
                        if (o != null && o.offset() > where.offsets()[i]) {
                            done[i] = true;
                            received[i] = now;
                            count++;
                        }
                    }
                }
            }
        }
        return arrivals;
    }

    private static KafkaConsumer<byte[], byte[]> committedReader(String bootstrap, String topic) {
        Properties p = DemoCommand.committedReader(bootstrap, "bench-reader-" + topic);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }

    /**
     * Reads n outputs. Without {@code received}, returns the arrival time of the i-th output; with it,
     * stores each output's arrival time under the index its id carries (latency points), and checks
     * the id was sent. With {@code usage}, samples this process's CPU time (all threads: broker, clients,
     * topology, JIT, GC) and the JIT's busy time when output {@code from} arrives and when the last one does.
     */
    private long[] awaitOutputs(KafkaConsumer<byte[], byte[]> reader, int n, long[] received, long[] sent, int from, Usage usage) {
        long[] arrivals = received == null ? new long[n] : null;
        int count = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (count < n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + count + " of " + n + " outputs after " + timeoutSeconds + " s");
            }
            var batch = reader.poll(Duration.ofMillis(100));
            long now = System.nanoTime();
            if (usage != null && !batch.isEmpty()) {
                usage.sample(count <= from && from < count + batch.count());
            }
            for (ConsumerRecord<byte[], byte[]> r : batch) {
                if (received == null) {
                    arrivals[count] = now;
                } else {
                    int i = Workload.latencyIndex(r.value());
                    if (i < 0 || i >= received.length || sent[i] == 0) {
                        throw new IllegalStateException("unexpected output " + new String(r.value(), StandardCharsets.UTF_8));
                    }
                    received[i] = now;
                }
                count++;
            }
        }
        return arrivals;
    }

}
