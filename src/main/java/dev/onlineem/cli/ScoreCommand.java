package dev.onlineem.cli;

import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.base.ModelKind;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code score}: replays a CSV file through exactly the service's per-model pipeline (feature stage,
 * online mixture, anomaly scorer, alert suppression) with the service's settings, no Kafka, and writes one
 * output row per input row. Reads and writes as it goes: memory stays constant whatever the file's length.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replays a CSV file through the service's per-model pipeline (features, model, scores, alerts)",
                "with the service's settings, without Kafka, and writes the scores of every row."})
public final class ScoreCommand implements Callable<Integer> {
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "CSV file with a header row; an empty cell, NA or NaN is a missing value.")
    Path input;

    @Option(names = "--columns", required = true, split = ",", paramLabel = "a,b", description = "Columns that make the point x, in order.")
    List<String> columns;

    @Option(names = "--time-column", paramLabel = "NAME", description = "Column with the record time: epoch milliseconds, "
            + "yyyy-MM-dd HH:mm:ss (UTC) or ISO-8601. Without it, time is the row number in milliseconds.")
    String timeColumn;

    @Option(names = "--config", paramLabel = "FILE", description = "The service's properties file (model.* settings and overrides); default: the built-in defaults.")
    Path config;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--model-id", paramLabel = "ID", defaultValue = "score", description = "Model id whose settings apply (per-prefix overrides; default: ${DEFAULT-VALUE}).")
    String modelId;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output CSV: [time,] the input columns, anomalyScore, anomaly, logDensity, pValue, cluster.")
    Path out;

    @Override
    public Integer call() throws IOException {
        Map<String, String> settings = model.settings();
        OnlineEmConfig cfg = OnlineEmConfig.withoutKafka(OnlineEmConfig.read(config, settings));
        ModelSettings ms = cfg.settingsFor(modelId);
        OnlineModel model = OnlineModel.create(ms);
        int regimes = ms.kind() == ModelKind.HMM ? ms.kMax() : 0; // with model.k.range, a column per possible state
        long rows = 0;
        long flagged = 0;
        try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
             BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            List<String> header = CsvTable.readHeader(in, input);
            int[] idx = new int[columns.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = indexOf(header, columns.get(i));
            }
            int timeIdx = timeColumn == null ? -1 : indexOf(header, timeColumn);
            StringBuilder head = new StringBuilder((timeIdx >= 0 ? timeColumn + "," : "") + String.join(",", columns)
                    + ",anomalyScore,anomaly,logDensity,pValue,cluster");
            if (regimes > 0) {
                head.append(",regime");
                for (int r = 0; r < regimes; r++) {
                    head.append(",p_regime_").append(r);
                }
            }
            w.write(head.append('\n').toString());
            String empty = ",,,," + ",".repeat(regimes > 0 ? regimes + 1 : 0);
            double[] x = new double[idx.length];
            PointResult r = new PointResult();
            StringBuilder line = new StringBuilder(128);
            String text;
            int lineNo = 1;
            while ((text = in.readLine()) != null) {
                lineNo++;
                if (text.isBlank()) {
                    continue;
                }
                String[] cells = CsvTable.split(text);
                if (cells.length != header.size()) {
                    throw new IllegalArgumentException(input + " line " + lineNo + ": " + cells.length + " cells, but the header has " + header.size());
                }
                boolean anyObserved = false;
                for (int i = 0; i < idx.length; i++) {
                    x[i] = CsvTable.parseCell(cells[idx[i]], lineNo, columns.get(i));
                    anyObserved |= !Double.isNaN(x[i]);
                }
                long ts = timeIdx < 0 ? rows : parseTime(cells[timeIdx], lineNo);
                line.setLength(0);
                if (timeIdx >= 0) {
                    line.append(cells[timeIdx]).append(',');
                }
                for (int i = 0; i < idx.length; i++) {
                    line.append(cells[idx[i]]).append(',');
                }
                if (anyObserved) {
                    model.update(x, ts, r); // the model keeps no reference to x
                    appendScores(line, r, regimes, empty);
                    flagged += r.anomaly ? 1 : 0;
                } else {
                    line.append(empty); // nothing observed: the service dead-letters such a point; here it is kept, unscored
                }
                w.append(line).append('\n');
                rows++;
            }
        }
        spec.commandLine().getErr().println("scored " + rows + " rows, " + flagged + " flagged: " + out);
        return 0;
    }

    private static void appendScores(StringBuilder line, PointResult r, int regimes, String empty) {
        if (r.provisional) { // warm-up, scored by the provisional model: no cluster or regime yet
            line.append(r.anomalyScore).append(',').append(r.anomaly).append(',').append(r.logDensity).append(',').append(r.pValue)
                    .append(empty, 3, empty.length()); // empty is four commas (five fields) and the regime columns': skip three
            return;
        }
        if (r.warmup) {
            line.append(empty);
            return;
        }
        line.append(r.anomalyScore).append(',').append(r.anomaly).append(',').append(r.logDensity).append(',')
                .append(r.pValue).append(',').append(r.cluster);
        if (regimes > 0) {
            line.append(',').append(r.regime);
            for (int i = 0; i < regimes; i++) {
                line.append(',');
                if (i < r.components) {
                    line.append(r.responsibilities[i]);
                }
            }
        }
    }

    private int indexOf(List<String> header, String name) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("column '" + name + "' is not in the header " + header + " of " + input);
        }
        return i;
    }

    /** Epoch milliseconds, "yyyy-MM-dd HH:mm:ss" (UTC) or ISO-8601 with or without an offset. */
    static long parseTime(String cell, int lineNo) {
        String s = cell.trim();
        try {
            if (!s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9' || c == '-')) {
                return Long.parseLong(s);
            }
            if (s.length() > 10 && s.charAt(10) == ' ') {
                return LocalDateTime.parse(s, SPACED).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
            if (s.endsWith("Z")) {
                return Instant.parse(s).toEpochMilli();
            }
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new IllegalArgumentException("line " + lineNo + ": time '" + cell
                    + "' is not epoch milliseconds, yyyy-MM-dd HH:mm:ss or ISO-8601");
        }
    }
}
