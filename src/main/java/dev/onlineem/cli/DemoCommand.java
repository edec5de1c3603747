package dev.onlineem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.http.HttpApi;
import dev.onlineem.serde.Json;
import dev.onlineem.serde.JsonSerializer;
import dev.onlineem.serde.Point;
import dev.onlineem.serde.PointSerializer;
import dev.onlineem.serde.Tick;
import dev.onlineem.stream.StreamApp;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: the whole product on the embedded default. Starts a real single-node KRaft broker in
 * this JVM, creates the topics, feeds seeded generated streams of several models, runs the processor,
 * shows progress, and ends with a summary of learned parameters against the generator's truth.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs the processor on an in-process Kafka broker with generated data, then prints a summary.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--points", paramLabel = "N", defaultValue = "60000", description = "Points to generate across all models (default: ${DEFAULT-VALUE}).")
    int points;

    @Option(names = "--bars", paramLabel = "N", defaultValue = "1500", description = "Market stream: one-minute bars per symbol, as ticks (default: ${DEFAULT-VALUE}; 0 = no market stream).")
    int bars;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "7", description = "Generator seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--partitions", paramLabel = "P", defaultValue = "2", description = "Partitions of the points topic (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", description = "Give up waiting for results after this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port of the dashboard and the HTTP API (default: ${DEFAULT-VALUE}; a free port when it is taken; 0 = any free port).")
    int httpPort;

    @Option(names = "--rate", paramLabel = "POINTS_PER_S", defaultValue = "0",
            description = "Produce the points at this rate, to watch them arrive on the dashboard (default: as fast as possible).")
    double rate;

    @Option(names = "--exit", description = "Exit after the summary instead of keeping the dashboard up until Ctrl-C.")
    boolean exit;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--verbose", description = "Show Kafka's and the processor's log lines on the console instead of writing them to a file.")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (points < 3000) {
            throw new IllegalArgumentException("--points must be at least 3000 (each model warms up on 500 points)");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be 0 (as fast as possible) or a positive number of points per second");
        }
        int port = choosePort(httpPort);
        String url = "http://localhost:" + port + "/";
        out.println("Dashboard: " + url + " (live as soon as the processor runs)");
        String logLine = Main.logFileLine();
        if (logLine != null) {
            out.println(logLine);
        }
        Path work = Files.createTempDirectory("online-em-demo-");
        out.println("Starting an in-process Kafka broker (KRaft) ...");
        out.flush();
        long t0 = System.nanoTime();
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        if (!exit) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    done.await(30, TimeUnit.SECONDS); // the processor and the broker close first
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "demo-stop"));
        }
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            out.printf(Locale.ROOT, "Broker up at %s in %.1f s%n", broker.bootstrapServers(), (System.nanoTime() - t0) / 1e9);
            Map<String, Object> settings = demoConfig(broker.bootstrapServers(), work);
            settings.put(OnlineEmConfig.HTTP_PORT_CONFIG, String.valueOf(port));
            settings.put(OnlineEmConfig.HTTP_BIND_ADDRESS_CONFIG, "127.0.0.1");
            settings.put("application.server", "localhost:" + port);
            settings.putAll(model.settings()); // defaults for every model; the demo's own per-model overrides still apply
            OnlineEmConfig config = new OnlineEmConfig(settings);
            DemoData data = new DemoData(seed);
            // event time ends about now, so the ticks look like a live feed (ticks.max.ahead.ms, retention by timestamp)
            long marketStart = Math.floorDiv(System.currentTimeMillis() - (bars + 1L) * BAR_MS, BAR_MS) * BAR_MS;
            MarketSimulator market = new MarketSimulator(seed, MARKET_SYMBOLS, BAR_MS, marketStart);
            try (StreamApp app = StreamApp.start(config, partitions); HttpApi api = HttpApi.start(app, config)) {
                app.awaitRunning(Duration.ofSeconds(60));
                out.println("Processor running; producing " + points + " points across " + DemoData.MODELS.size() + " models"
                        + (bars > 0 ? " and the ticks of " + bars + " one-minute bars of " + MARKET_SYMBOLS.size() + " symbols" : "") + " ...");
                out.flush();
                long start = System.nanoTime();
                Thread producer = new Thread(() -> produce(broker.bootstrapServers(), config.pointsTopic(), data), "demo-producer");
                producer.start();
                Thread tickProducer = new Thread(() -> produceTicks(broker.bootstrapServers(), config.ticksTopic(), market), "demo-tick-producer");
                tickProducer.start();
                Tally tally = consume(broker.bootstrapServers(), config, data, market, out);
                producer.join();
                tickProducer.join();
                double seconds = (System.nanoTime() - start) / 1e9;
                Map<String, JsonNode> snapshots = latestSnapshots(broker.bootstrapServers(), config.modelsTopic());
                summary(out, data, tally, snapshots, seconds);
                marketSummary(out, market, tally, snapshots, config.tickModelPrefix());
                if (!exit) {
                    out.println();
                    out.println("The dashboard stays up at " + url + " ; Ctrl-C stops the demo.");
                    out.flush();
                    stop.await();
                }
            }
        } finally {
            EmbeddedKafkaBroker.deleteRecursively(work);
            done.countDown();
        }
        return 0;
    }

    /** The port asked for, or a free one when it is taken (or 0 was asked for). */
    static int choosePort(int wanted) throws IOException {
        if (wanted > 0) {
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress("127.0.0.1", wanted));
                return wanted;
            } catch (IOException taken) {
                // fall through to a free port
            }
        }
        try (ServerSocket s = new ServerSocket(0, 0, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    static Map<String, Object> demoConfig(String bootstrap, Path work) {
        Map<String, Object> m = new HashMap<>();
        m.put("bootstrap.servers", bootstrap);
        m.put("application.id", "online-em-demo");
        m.put("state.dir", work.resolve("state").toString());
        m.put("commit.interval.ms", "200");
        m.put("model.k", "2");
        m.put("model.init.points", "500");
        // an alarm budget of one per 10,000 points: with calibrated p-values (the gamma tail for the likelihood),
        // alpha bounds the false-alarm rate per point
        m.put("model.anomaly.alpha", String.valueOf(DEMO_ALPHA));
        m.put("model.anomaly.likelihood.tail", "gamma");
        m.put("snapshot.every.points", "2000");
        m.put("model.override.drift-.k", "3");
        m.put("model.override.drift-.half.life", "2000");
        // the sensor's injected 25-sigma anomalies would widen Gaussian components (3.5% below the truth at the
        // end); t components with 30 degrees of freedom weigh them down and still flag every one
        m.put("model.override.drift-.distribution", "student-t");
        m.put("model.override.drift-.df", "30");
        // the sensor's anomalies are drawn one by one, each its own event, on a circle where two often land within the
        // repeat rule's 7% of the range (which quiets the recurring spikes of real metrics: NAB): every one should alert
        m.put("model.override.drift-.anomaly.repeat.tolerance", "0");
        m.put("ticks.bar.ms", String.valueOf(BAR_MS));
        m.put("model.override.ticks/.type", "hmm");
        return m;
    }

    static final double DEMO_ALPHA = 1e-4;
    static final List<String> MARKET_SYMBOLS = List.of("ALPHA", "BETA");
    static final long BAR_MS = 60_000;

    private void produceTicks(String bootstrap, String topic, MarketSimulator market) {
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        try (KafkaProducer<String, Tick> producer = new KafkaProducer<>(p, new StringSerializer(), new JsonSerializer<>())) {
            // one bar past the last, so that the last bar closes
            for (int b = 0; b <= bars && bars > 0; b++) {
                for (Tick t : market.bar(b)) {
                    producer.send(new ProducerRecord<>(topic, t.symbol(), t));
                }
            }
        }
    }

    private void produce(String bootstrap, String topic, DemoData data) {
        Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 10,
                ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        try (KafkaProducer<String, Point> producer = new KafkaProducer<>(p, new StringSerializer(), new PointSerializer())) {
            long start = System.nanoTime();
            for (int i = 0; i < points; i++) {
                if (rate > 0) {
                    long due = start + (long) (i / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 1_000_000) {
                        try {
                            Thread.sleep(wait / 1_000_000);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
                DemoData.Generated g = data.next(i, points);
                producer.send(new ProducerRecord<>(topic, g.model(), g.point()));
            }
        }
    }

    /** What the assignments said. */
    static final class Tally {
        long processed;
        final Map<String, ModelCounts> perModel = new TreeMap<>();
        long barsScored;
        final Map<String, SymbolCounts> market = new TreeMap<>();
    }

    /** What one generated model's assignments showed. */
    static final class ModelCounts {
        long points;
        long injectedCaught;
        long falseAlarms;
    }

    /** What one symbol's bar assignments and regime events showed. */
    static final class SymbolCounts {
        long bars;
        /** Bars scored after the warm-up. */
        long scored;
        /** Of those, bars in the true regime. */
        long right;
        long regimeEvents;
    }

    private Tally consume(String bootstrap, OnlineEmConfig config, DemoData data, MarketSimulator market, PrintWriter out) throws Exception {
        Properties p = committedReader(bootstrap, "online-em-demo-reader");
        Tally tally = new Tally();
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos() + (rate > 0 ? (long) (points / rate * 1e9) : 0);
        long lastPrint = System.nanoTime();
        long start = lastPrint;
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(config.assignmentsTopic(), config.regimesTopic()));
            long barPoints = (long) bars * MARKET_SYMBOLS.size();
            while (tally.processed < points || tally.barsScored < barPoints) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + tally.processed + " of " + points + " points and " + tally.barsScored + " of "
                            + barPoints + " bars processed after " + timeoutSeconds + " s");
                }
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                    JsonNode a = Json.mapper().readTree(r.value());
                    if (r.key().startsWith(config.tickModelPrefix())) {
                        String symbol = r.key().substring(config.tickModelPrefix().length());
                        SymbolCounts m = tally.market.computeIfAbsent(symbol, k -> new SymbolCounts());
                        if (r.topic().equals(config.regimesTopic())) {
                            m.regimeEvents++;
                            continue;
                        }
                        m.bars++;
                        tally.barsScored++;
                        if (!a.path("warmup").asBoolean()) {
                            long barStart = java.time.Instant.parse(a.get("id").asText().substring(symbol.length() + 1)).toEpochMilli();
                            m.scored++;
                            m.right += a.get("regime").asInt() == market.regime(symbol, barStart) ? 1 : 0;
                        }
                        continue;
                    }
                    if (r.topic().equals(config.regimesTopic())) {
                        continue;
                    }
                    ModelCounts t = tally.perModel.computeIfAbsent(r.key(), k -> new ModelCounts());
                    t.points++;
                    tally.processed++;
                    if (a.get("anomaly").asBoolean()) {
                        if (a.get("id").asText().startsWith("inj-")) {
                            t.injectedCaught++;
                        } else {
                            t.falseAlarms++;
                        }
                    }
                }
                if (System.nanoTime() - lastPrint > 1_000_000_000L) {
                    lastPrint = System.nanoTime();
                    double s = (lastPrint - start) / 1e9;
                    out.printf(Locale.ROOT, "  %,d / %,d points scored (%.0f%%), %,.0f points/s%n", tally.processed, points,
                            100.0 * tally.processed / points, tally.processed / s);
                    out.flush();
                }
            }
        }
        return tally;
    }

    /** A consumer from the earliest offset that sees committed transactions only. */
    static Properties committedReader(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return p;
    }

    private static Map<String, JsonNode> latestSnapshots(String bootstrap, String topic) throws Exception {
        Properties p = committedReader(bootstrap, "online-em-demo-models");
        Map<String, JsonNode> latest = new TreeMap<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            c.subscribe(List.of(topic));
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < 2_000_000_000L) {
                var batch = c.poll(Duration.ofMillis(200));
                if (!batch.isEmpty()) {
                    quietSince = System.nanoTime();
                }
                for (ConsumerRecord<String, String> r : batch) {
                    latest.put(r.key(), Json.mapper().readTree(r.value()));
                }
            }
        }
        return latest;
    }

    private void summary(PrintWriter out, DemoData data, Tally tally, Map<String, JsonNode> snapshots, double seconds) {
        out.println();
        out.println("=== Summary ===");
        out.printf(Locale.ROOT, "%,d points scored in %.1f s: %,.0f points/s end to end (producer, broker and processor in one JVM)%n",
                tally.processed, seconds, tally.processed / seconds);
        for (String model : DemoData.MODELS) {
            ModelCounts t = tally.perModel.getOrDefault(model, new ModelCounts());
            out.println();
            out.printf(Locale.ROOT, "%s (%s): %,d points%n", model, data.description(model), t.points);
            out.printf(Locale.ROOT, "  anomalies: %d of %d injected caught; %d other point%s flagged (%.1f per 10,000 points; anomaly.alpha %s)%n",
                    t.injectedCaught, data.injected(model), t.falseAlarms, t.falseAlarms == 1 ? "" : "s", 1e4 * t.falseAlarms / Math.max(1, t.points),
                    DEMO_ALPHA);
            JsonNode s = snapshots.get(model);
            if (s == null) {
                out.println("  no snapshot yet");
                continue;
            }
            out.printf(Locale.ROOT, "  learned (version %d, avgLogLikelihood %.3f) against the generator's truth%s:%n",
                    s.get("version").asLong(), s.get("avgLogLikelihood").asDouble(), model.startsWith("drift-") ? " after the drift" : "");
            double[][] truth = data.finalMeans(model);
            for (int c = 0; c < s.get("weights").size(); c++) {
                JsonNode mean = s.get("means").get(c);
                double[] m = new double[mean.size()];
                for (int j = 0; j < m.length; j++) {
                    m[j] = mean.get(j).asDouble();
                }
                out.printf(Locale.ROOT, "    weight %.3f  mean %s   nearest true mean %s%n", s.get("weights").get(c).asDouble(),
                        fmt(m), fmt(nearest(truth, m)));
            }
            double gap = data.heldOutGap(model, s);
            out.printf(Locale.ROOT, "  held-out mean log-likelihood %s the truth's by %.2f%% (%,d points drawn from the truth%s): %s%n",
                    gap >= 0 ? "below" : "above", 100 * Math.abs(gap), DemoData.HELD_OUT, model.startsWith("drift-") ? " after the drift" : "",
                    gap <= 0.01 ? "within 1%" : "MORE THAN 1% OFF");
        }
    }

    private void marketSummary(PrintWriter out, MarketSimulator market, Tally tally, Map<String, JsonNode> snapshots, String prefix) {
        if (bars == 0) {
            return;
        }
        out.println();
        out.println("Market regimes: ticks -> one-minute bars -> (volatility, return, volume, range) -> a 2-state HMM per symbol");
        double[][] a = MarketSimulator.TRANSITIONS;
        for (String symbol : MARKET_SYMBOLS) {
            SymbolCounts m = tally.market.getOrDefault(symbol, new SymbolCounts());
            out.printf(Locale.ROOT, "%s%s: %,d bars; after warm-up, %,d of %,d bars (%.1f%%) in the true regime (0 = calm, 1 = volatile); "
                    + "%d regime events for %d true changes after warm-up%n", prefix, symbol, m.bars, m.right, m.scored,
                    100.0 * m.right / Math.max(1, m.scored), m.regimeEvents, market.regimeChanges(symbol, (int) (m.bars - m.scored)));
            JsonNode s = snapshots.get(prefix + symbol);
            if (s == null || s.get("transitionMatrix") == null) {
                out.println("  no snapshot yet");
                continue;
            }
            JsonNode t = s.get("transitionMatrix");
            out.printf(Locale.ROOT, "  transition matrix learned [[%.3f, %.3f], [%.3f, %.3f]], true [[%.2f, %.2f], [%.2f, %.2f]]; "
                    + "expected durations %.0f and %.0f bars (true %.0f and %.0f)%n",
                    t.get(0).get(0).asDouble(), t.get(0).get(1).asDouble(), t.get(1).get(0).asDouble(), t.get(1).get(1).asDouble(),
                    a[0][0], a[0][1], a[1][0], a[1][1], s.get("expectedDurations").get(0).asDouble(), s.get("expectedDurations").get(1).asDouble(),
                    1 / (1 - a[0][0]), 1 / (1 - a[1][1]));
        }
    }

    private static double[] nearest(double[][] truth, double[] m) {
        double[] best = truth[0];
        double bd = Double.POSITIVE_INFINITY;
        for (double[] t : truth) {
            double d = 0;
            for (int j = 0; j < m.length; j++) {
                d += (t[j] - m[j]) * (t[j] - m[j]);
            }
            if (d < bd) {
                bd = d;
                best = t;
            }
        }
        return best;
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%7.3f", v[i]));
        }
        return sb.append(')').toString();
    }
}
