package dev.onlineem.cli;

import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.serde.Point;
import dev.onlineem.serde.PointSerializer;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code produce}: sends the rows of a CSV file to the points topic as one model's points, with a progress bar. */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Sends a CSV file's rows to the points topic, keyed by one model id.")
public final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "CSV with a header row; an empty cell or NA is sent as null (missing).")
    Path input;

    @Option(names = "--model", required = true, paramLabel = "ID", description = "The model id (record key).")
    String model;

    @Option(names = "--columns", split = ",", paramLabel = "a,b,c", description = "Columns to send (default: every numeric column).")
    List<String> columns;

    @Option(names = "--rate", paramLabel = "N", description = "At most N points per second (default: as fast as possible).")
    Double rate;

    @Option(names = "--config", paramLabel = "FILE", description = "Properties file with the cluster's client settings (bootstrap.servers, "
            + "security.protocol, ssl.*, sasl.*) and points.topic: the service's own file will do.")
    Path config;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Brokers (default: the file's bootstrap.servers, else localhost:9092).")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "TOPIC", description = "Points topic (default: the file's points.topic, else points).")
    String topic;

    /**
     * The producer's settings and the points topic: the file's client settings (none of its service settings, which the
     * service's own parser checks, so that a misspelt one fails as it does for run), with the options over them.
     */
    record Target(Map<String, Object> producer, String topic) {
    }

    Target target() throws java.io.IOException {
        Map<String, Object> p = new java.util.HashMap<>();
        String points = "points";
        if (config != null) {
            Map<String, Object> file = OnlineEmConfig.read(config, bootstrap == null ? Map.of() : Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
            points = new OnlineEmConfig(file).pointsTopic();
            file.forEach((k, v) -> {
                if (ProducerConfig.configNames().contains(k) && !k.startsWith("key.") && !k.startsWith("value.")) {
                    p.put(k, v);
                }
            });
        }
        p.putIfAbsent(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap == null ? "localhost:9092" : bootstrap);
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 10);
        return new Target(p, topic != null ? topic : points);
    }

    @Override
    public Integer call() throws Exception {
        CsvTable table = CsvTable.read(input);
        List<String> cols = columns == null ? table.numericColumns() : columns;
        double[][] rows = table.matrix(cols);
        var out = spec.commandLine().getOut();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long start = System.nanoTime();
        Target target = target();
        String topic = target.topic();
        try (KafkaProducer<String, Point> producer = new KafkaProducer<>(target.producer(), new StringSerializer(), new PointSerializer())) {
            for (int i = 0; i < rows.length; i++) {
                if (rate != null) {
                    long due = start + (long) (i / rate * 1e9);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
                producer.send(new ProducerRecord<>(topic, model, new Point(model + "-" + i, null, rows[i])), (m, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
                if (failure.get() != null) {
                    throw failure.get();
                }
                if (i % 1000 == 0 || i == rows.length - 1) {
                    progress(out, i + 1, rows.length, start);
                }
            }
        }
        out.println();
        return 0;
    }

    private static void progress(java.io.PrintWriter out, int done, int total, long start) {
        int width = 40;
        int filled = (int) ((long) done * width / total);
        double s = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "\r[%s%s] %,d / %,d points, %,.0f/s", "#".repeat(filled), " ".repeat(width - filled), done, total, done / Math.max(s, 1e-9));
        out.flush();
    }
}
