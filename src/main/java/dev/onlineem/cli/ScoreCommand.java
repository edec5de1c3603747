package dev.onlineem.cli;

import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineHmmModel;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.features.BarFeature;
import dev.onlineem.em.features.BarSettings;
import dev.onlineem.em.features.TickBars;
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
import java.util.ArrayList;
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
 * output row per input row; with {@code --ticks}, the rows are one symbol's ticks, made into bars by the service's
 * tick stage ({@link TickBars}, the {@code ticks.*} settings), and each closed bar is a point and an output row.
 * Reads and writes as it goes: memory stays constant whatever the file's length.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replays a CSV file through the service's per-model pipeline (features, model, scores, alerts)",
                "with the service's settings, without Kafka, and writes the scores of every row (with --ticks: of every bar)."})
public final class ScoreCommand implements Callable<Integer> {
    private static final DateTimeFormatter SPACED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS]");

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "CSV file with a header row; an empty cell, NA or NaN is a missing value.")
    Path input;

    @Option(names = "--columns", required = true, split = ",", paramLabel = "a,b", description = "Columns that make the point x, in order "
            + "(with --ticks: the price column, then optionally the size column).")
    List<String> columns;

    @Option(names = "--ticks", description = "The rows are one symbol's ticks (trades or quotes, in time order): they become bars "
            + "as the service's tick stage makes them (ticks.bar.type, ticks.bar.ms, ticks.features, ...; set them with -D), "
            + "and each closed bar is scored and written as one row. A tick the stage refuses (bad price, late) is skipped and counted.")
    boolean ticks;

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
        if (ticks && (columns.isEmpty() || columns.size() > 2)) {
            throw new IllegalArgumentException("--ticks reads --columns PRICE[,SIZE]: " + columns.size() + " columns given");
        }
        OnlineModel model = OnlineModel.create(ms);
        Scorer scorer = new Scorer(model, ms.kind() == ModelKind.HMM ? ms.kMax() : 0); // with model.k.range, a column per possible state
        long rows = 0;
        try (BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8);
             BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            List<String> header = CsvTable.readHeader(in, input);
            int[] idx = new int[columns.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = indexOf(header, columns.get(i));
            }
            int timeIdx = timeColumn == null ? -1 : indexOf(header, timeColumn);
            BarSettings bars = ticks ? cfg.barSettings() : null;
            Ticks tickStage = ticks ? new Ticks(bars, scorer, w) : null;
            String inputColumns = ticks ? "bar_start,bar_end,ticks," + String.join(",", bars.features().stream().map(BarFeature::configName).toList())
                    : (timeIdx >= 0 ? timeColumn + "," : "") + String.join(",", columns);
            w.write(inputColumns + scorer.header() + '\n');
            double[] x = new double[idx.length];
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
                rows++;
                if (ticks) {
                    tickStage.accept(x[0], idx.length > 1 ? x[1] : 0, ts, lineNo);
                    continue;
                }
                line.setLength(0);
                if (timeIdx >= 0) {
                    line.append(cells[timeIdx]).append(',');
                }
                for (int i = 0; i < idx.length; i++) {
                    line.append(cells[idx[i]]).append(',');
                }
                if (anyObserved) {
                    scorer.score(x, ts, line);
                } else {
                    line.append(scorer.empty); // nothing observed: the service dead-letters such a point; here it is kept, unscored
                }
                w.append(line).append('\n');
            }
            if (ticks) {
                spec.commandLine().getErr().println("scored " + tickStage.barCount + " bars of " + rows + " ticks, " + scorer.flagged + " flagged, "
                        + repairs(scorer.model) + bank(scorer.model)
                        + (tickStage.refused == 0 ? "" : "; " + tickStage.refused + " ticks refused, the first " + tickStage.firstRefusal) + ": " + out);
            } else {
                spec.commandLine().getErr().println("scored " + rows + " rows, " + scorer.flagged + " flagged, " + repairs(scorer.model) + bank(scorer.model) + ": " + out);
            }
        }
        return 0;
    }

    /** How often the model's structure was replaced (drift repair and challengers), for the summary line. */
    static String repairs(OnlineModel model) {
        long n = model.repairs();
        return n == 1 ? "1 repair" : n + " repairs";
    }

    /**
     * For an HMM with the memory bank, the fast chain's weight at the end: how much of the last points' prediction came
     * from the short memory (near 0: the stream's regimes stay put; near 1: their parameters move). Empty otherwise.
     */
    static String bank(OnlineModel model) {
        if (model instanceof OnlineHmmModel h && h.hasFastChain()) {
            return String.format(java.util.Locale.ROOT, ", memory bank: fast chain's weight %.3f", 1 - h.mainWeight());
        }
        return "";
    }

    /** Scores points with the model and appends the score columns to an output line. */
    private static final class Scorer {
        final OnlineModel model;
        final int regimes;
        /** The score columns of a row that was not scored. */
        final String empty;
        final PointResult r = new PointResult();
        long flagged;

        Scorer(OnlineModel model, int regimes) {
            this.model = model;
            this.regimes = regimes;
            this.empty = ",,,," + ",".repeat(regimes > 0 ? regimes + 1 : 0);
        }

        String header() {
            StringBuilder head = new StringBuilder(",anomalyScore,anomaly,logDensity,pValue,cluster");
            if (regimes > 0) {
                head.append(",regime");
                for (int r = 0; r < regimes; r++) {
                    head.append(",p_regime_").append(r);
                }
            }
            return head.toString();
        }

        void score(double[] x, long ts, StringBuilder line) {
            model.update(x, ts, r); // the model keeps no reference to x
            appendScores(line, r, regimes, empty);
            flagged += r.anomaly ? 1 : 0;
        }
    }

    /** The tick stage of one symbol: ticks in, each closed bar scored and written as a row. */
    private static final class Ticks {
        final TickBars bars;
        final Scorer scorer;
        final BufferedWriter w;
        final List<TickBars.Bar> closed = new ArrayList<>();
        final StringBuilder line = new StringBuilder(160);
        long refused;
        String firstRefusal;
        long barCount;

        Ticks(BarSettings settings, Scorer scorer, BufferedWriter w) {
            this.bars = new TickBars(settings);
            this.scorer = scorer;
            this.w = w;
        }

        void accept(double price, double size, long ts, int lineNo) throws IOException {
            closed.clear();
            try {
                bars.accept(price, Double.isNaN(size) ? 0 : size, ts, closed);
            } catch (IllegalArgumentException e) {
                if (refused++ == 0) {
                    firstRefusal = "(line " + lineNo + "): " + e.getMessage();
                }
                return;
            }
            for (TickBars.Bar b : closed) {
                line.setLength(0);
                line.append(Instant.ofEpochMilli(b.start())).append(',').append(Instant.ofEpochMilli(b.end())).append(',').append(b.ticks());
                boolean anyObserved = false;
                for (double f : b.features()) {
                    line.append(',');
                    if (!Double.isNaN(f)) {
                        line.append(f);
                        anyObserved = true;
                    }
                }
                if (anyObserved) {
                    scorer.score(b.features(), b.ts(), line.append(','));
                } else {
                    line.append(scorer.empty); // TickBars reports no bar without a feature; kept unscored, as a row is
                }
                w.append(line).append('\n');
                barCount++;
            }
        }
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
