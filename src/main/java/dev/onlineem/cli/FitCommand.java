package dev.onlineem.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineMixtureModel;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.base.ModelSnapshot;
import dev.onlineem.em.density.InformationCriteria;
import dev.onlineem.em.hmm.GaussianHmm;
import dev.onlineem.em.mixture.BatchEm;
import dev.onlineem.serde.Json;
import dev.onlineem.serde.ModelSnapshotMessage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** {@code fit}: streams a CSV file through the online engine (no Kafka) and prints the final model as JSON. */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Streams the rows of a CSV file through the online-EM engine and prints the final model as JSON",
                "(the model-snapshot shape) with avgLogLikelihood, bic and aic over the whole file.",
                "",
                "fit models a file as independent draws from one source, so its defaults differ from the service's:",
                "no half-life (the service: 2,000 points), averaging on (off), a warm-up of min(500, rows) points (200),",
                "and anomaly alpha 0.001 (0.004); drift repair is on in both (500 points). -D model.<setting>=VALUE sets any",
                "other model setting of the service, by its name; an option given here wins over -D. score replays a file",
                "through exactly what the service runs, with its settings and the same model options (--k, --covariance,",
                "--half-life, --model, --distribution, -D).",
                ""})
public final class FitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "CSV file with a header row; an empty cell or NA is a missing value.")
    Path input;

    @Option(names = "--columns", split = ",", paramLabel = "a,b,c", description = "Columns to model (default: every numeric column).")
    List<String> columns;

    @Option(names = "--k", paramLabel = "N", description = "Number of components (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int k;

    @Option(names = "--k-range", paramLabel = "MIN..MAX", description = "Choose K by BIC on the warm-up buffer (the whole file with --batch).")
    String kRange;

    @Option(names = "--covariance", paramLabel = "TYPE", description = "full, diag or spherical (default: ${DEFAULT-VALUE}).", defaultValue = "full")
    String covariance;

    @Option(names = "--passes", paramLabel = "N", description = "Epochs over the file (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int passes;

    @Option(names = "--shuffle", description = "Shuffle the rows before each pass (seeded by --seed).")
    boolean shuffle;

    @Option(names = "--seed", paramLabel = "S", description = "Seed for shuffling and k-means++ (default: ${DEFAULT-VALUE}).", defaultValue = "42")
    long seed;

    @Option(names = "--alpha", paramLabel = "A", description = "Step-size exponent alpha in gamma_t = (t + t0)^-alpha, in (0.5, 1] (default: ${DEFAULT-VALUE}).", defaultValue = "0.6")
    double alpha;

    @Option(names = "--t0", paramLabel = "T0", description = "Step-size offset t0 >= 2 (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    double t0;

    @Option(names = "--half-life", paramLabel = "H", description = "Floor gamma_t at 1 - 2^(-1/H) to follow drift (default: none, a stationary stream).")
    Double halfLife;

    @Option(names = "--init-points", paramLabel = "N", description = "Warm-up buffer size (default: min(500, rows)).")
    Integer initPoints;

    @Option(names = "--restarts", paramLabel = "N", description = "k-means++ restarts of batch EM (default: 3 online, 10 with --batch).")
    Integer restarts;

    @Option(names = "--mstep-interval", paramLabel = "M", description = "Points between M-steps (default: ${DEFAULT-VALUE}).", defaultValue = "1")
    int mStepInterval;

    @Option(names = "--reg", paramLabel = "R", description = "Covariance regularisation, relative to each coordinate's variance (default: ${DEFAULT-VALUE}).", defaultValue = "1e-6")
    double reg;

    @Option(names = "--anomaly-alpha", paramLabel = "P", description = "A point is an anomaly when 2 min(pValue, anomaly-likelihood tail) is below P, one alert per event (default: ${DEFAULT-VALUE}).", defaultValue = "0.001")
    double anomalyAlpha;

    @Option(names = "--model", paramLabel = "TYPE", defaultValue = "mixture", description = "mixture or hmm (a Gaussian HMM with --k states; "
            + "with --batch, Baum-Welch to convergence with the chain's stationary law as initial law, like statsmodels) (default: ${DEFAULT-VALUE}).")
    String modelType;

    @Option(names = "--distribution", paramLabel = "D", defaultValue = "gaussian",
            description = "gaussian or student-t components (mixtures and HMM emissions; default: ${DEFAULT-VALUE}).")
    String distribution;

    @Option(names = "--df", paramLabel = "NU", defaultValue = "0",
            description = "Student-t degrees of freedom, fixed; 0 estimates each component's (default: ${DEFAULT-VALUE}).")
    double df;

    @Option(names = "--average", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Polyak-Ruppert averaging of the statistics after warm-up: the printed model is that of their running mean, "
                    + "not of the last step (mixtures; default: ${DEFAULT-VALUE}).")
    boolean average;

    @Option(names = "--repair-window", paramLabel = "W", defaultValue = "" + ModelSettings.DEFAULT_REPAIR_WINDOW,
            description = "Drift repair: the recent points kept to test the model's structure against a fresh fit, which replaces it "
                    + "when it predicts held-out recent points better; 0 turns it off (default: ${DEFAULT-VALUE}, as the service).")
    int repairWindow;

    @Option(names = "--batch", description = "Plain batch EM to convergence on the whole file instead of online EM (for comparison).")
    boolean batch;

    @Option(names = "--tol", paramLabel = "T",
            description = "With --batch: stop when |L - L_prev| / (1 + |L|) < T, L the total log-likelihood (mclust's criterion; default: "
                    + "mclust's 1e-5 for gaussian, 1e-12 for student-t, whose degrees of freedom EM approaches slowly).")
    Double tol;

    @Option(names = "--scores", description = "Write logDensity,pValue,cluster,anomaly per point, in stream order (empty fields during warm-up).",
            paramLabel = "FILE")
    Path scores;

    @Option(names = "--plot", paramLabel = "FILE.svg", description = "Also draw the fit as SVG: the data on two columns with each component's "
            + "95%% ellipse, and the log-likelihood trace.")
    Path plot;

    @Option(names = "--plot-columns", split = ",", paramLabel = "a,b", description = "The two columns --plot draws (default: the first two modelled).")
    List<String> plotColumns;

    @Option(names = "-D", paramLabel = "KEY=VALUE", description = "Sets any model setting of config/application.properties "
            + "(model.<setting>) over fit's defaults; an option given on the command line wins over -D (repeatable).")
    Map<String, String> overrides = new HashMap<>();

    @Override
    public Integer call() throws IOException {
        // online EM over the file as it comes streams it, in constant memory; shuffled passes, batch fits and
        // HMMs (whose likelihood runs over the whole sequence) need every row at hand
        ModelSettings draft = settings(Integer.MAX_VALUE); // the settings before the row count is known (a bad one fails here)
        boolean wholeFile = batch || shuffle || draft.kind() == ModelKind.HMM;
        Rows rows = wholeFile ? TableRows.load(input, columns) : new FileRows(input, columns);
        List<String> cols = rows.columns();
        int headRows = batch ? Integer.MAX_VALUE : draft.initPoints();
        List<double[]> head = rows.head(headRows);
        if (head.isEmpty()) {
            throw new IllegalArgumentException(input + " has no data rows");
        }
        int known = batch ? head.size() : head.size() < headRows ? head.size() : -1; // the row count, where the head holds every row
        ModelSettings settings = settings(known < 0 ? Integer.MAX_VALUE : known);
        int[] plotted = plotted(cols);
        if (settings.kind() == ModelKind.HMM && batch) {
            double[][] data = ((TableRows) rows).data;
            HmmBatch fit = hmmBatchReport(data, cols, rows.skipped(), settings);
            spec.commandLine().getOut().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(fit.report()));
            if (plot != null) {
                Files.writeString(plot, FitPlot.render(input.getFileName() + ": batch Baum-Welch, hmm, K=" + settings.kMax() + ", " + data.length + " rows", data, cols,
                        plotted[0], plotted[1], fit.snapshot(), new double[0][], fit.report().get("avgLogLikelihood").asDouble()), StandardCharsets.UTF_8);
            }
            return 0;
        }
        OnlineModel model = OnlineModel.create(settings);
        if (batch && model instanceof OnlineMixtureModel m) {
            m.useWarmupEm(new BatchEm(settings.covarianceType(), settings.regularization(), settings.initRestarts(), settings.initMaxIterations(),
                    tol != null ? tol : settings.distribution().studentT() ? 1e-12 : 1e-5, true).withDistribution(settings.distribution()));
        }
        Random random = new Random(settings.seed());
        PointResult result = new PointResult();
        Trace trace = new Trace(known > 0 ? (long) known * (batch ? 1 : passes) : -1);
        EvenSample shown = plot == null ? null : new EvenSample(FitPlot.MAX_POINTS);
        double[] row = new double[cols.size()];
        try (PrintWriter out = scores == null ? null : new PrintWriter(newWriter(scores))) {
            if (out != null) {
                out.println("logDensity,pValue,cluster,anomaly");
            }
            for (int pass = 0; pass < (batch ? 1 : passes); pass++) {
                Rows.RowCursor cursor = rows.pass(pass, shuffle && !batch ? random : null);
                double[] x;
                while ((x = cursor.next(row)) != null) {
                    model.update(x, result);
                    if (out != null) {
                        writeScore(out, result);
                    }
                    trace.add(result);
                    if (pass == 0 && shown != null) {
                        shown.offer(x);
                    }
                }
            }
        }
        if (!model.isInitialised()) {
            throw new IllegalArgumentException("the file has " + rows.count() + " rows, fewer than --init-points " + settings.initPoints());
        }
        ObjectNode report = report(model, rows, cols);
        if (model instanceof OnlineMixtureModel m && m.warmupIterations() != null && batch) {
            report.putPOJO("iterations", m.warmupIterations());
        }
        spec.commandLine().getOut().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        if (plot != null) {
            String title = input.getFileName() + ": " + (batch ? "batch EM" : "online EM, " + passes + " pass" + (passes == 1 ? "" : "es"))
                    + ", " + model.kind().label() + ", K=" + model.snapshot().components() + ", " + report.get("rows").asLong() + " rows";
            Files.writeString(plot, FitPlot.render(title, shown.rows(), cols, plotted[0], plotted[1], model.snapshot(), trace.points(),
                    report.get("avgLogLikelihood").asDouble()), StandardCharsets.UTF_8);
        }
        return 0;
    }

    /**
     * The prequential trace for --plot: block averages of each row's log-density before it was learned.
     * With the row count known, about 100 blocks of at least 50 rows where there are rows enough; unknown
     * (a streamed file), blocks of 50 rows that merge pairwise whenever there are more than 200.
     */
    static final class Trace {
        private static final int MAX_BLOCKS = 200;
        private final List<double[]> blocks = new ArrayList<>(); // {end row, mean, rows in the mean}
        private long block;
        private long streamed;
        private double sum;
        private long count;

        Trace(long rows) {
            this.block = rows > 0 ? Math.max(1, Math.max(rows / 100, Math.min(rows / 10, 50))) : 50;
        }

        void add(PointResult r) {
            streamed++;
            if (!r.warmup && Double.isFinite(r.logDensity)) {
                sum += r.logDensity;
                count++;
            }
            if (streamed % block == 0 && count > 0) {
                blocks.add(new double[] {streamed, sum / count, count});
                sum = 0;
                count = 0;
                if (blocks.size() > MAX_BLOCKS) {
                    merge();
                }
            }
        }

        private void merge() {
            List<double[]> merged = new ArrayList<>();
            for (int i = 0; i + 1 < blocks.size(); i += 2) {
                double[] a = blocks.get(i);
                double[] b = blocks.get(i + 1);
                merged.add(new double[] {b[0], (a[1] * a[2] + b[1] * b[2]) / (a[2] + b[2]), a[2] + b[2]});
            }
            if (blocks.size() % 2 == 1) {
                merged.add(blocks.get(blocks.size() - 1));
            }
            blocks.clear();
            blocks.addAll(merged);
            block *= 2;
        }

        /** {row, mean log-density} per block. */
        double[][] points() {
            return blocks.stream().map(b -> new double[] {b[0], b[1]}).toArray(double[][]::new);
        }
    }

    /**
     * Rows evenly spaced through a stream of unknown length, between n and 2n of them once there are n:
     * every s-th row is kept, and s doubles (every other kept row dropped) when 2n are held.
     */
    static final class EvenSample {
        private final int n;
        private final List<double[]> kept = new ArrayList<>();
        private long step = 1;
        private long seen;

        EvenSample(int n) {
            this.n = n;
        }

        /** @param row not modified (copied when kept) */
        void offer(double[] row) {
            if (seen++ % step != 0) {
                return;
            }
            kept.add(row.clone());
            if (kept.size() >= 2 * n) {
                for (int i = 0; i < n; i++) {
                    kept.set(i, kept.get(2 * i));
                }
                kept.subList(n, kept.size()).clear();
                step *= 2;
            }
        }

        double[][] rows() {
            return kept.toArray(new double[0][]);
        }
    }

    /** The indices, among the modelled columns, of the two --plot draws; fails fast on a bad --plot-columns. */
    private int[] plotted(List<String> cols) {
        if (plot == null) {
            return null;
        }
        if (plotColumns == null) {
            return new int[] {0, Math.min(1, cols.size() - 1)};
        }
        if (plotColumns.size() != 2) {
            throw new IllegalArgumentException("--plot-columns names two columns, e.g. --plot-columns x,y; got " + plotColumns);
        }
        int[] idx = new int[2];
        for (int n = 0; n < 2; n++) {
            idx[n] = cols.indexOf(plotColumns.get(n));
            if (idx[n] < 0) {
                throw new IllegalArgumentException("--plot-columns: " + plotColumns.get(n) + " is not one of the modelled columns " + cols);
            }
        }
        return idx;
    }

    /** Baum-Welch to convergence on the whole file (stationary initial law, like statsmodels' MarkovRegression). */
    private record HmmBatch(ObjectNode report, ModelSnapshot snapshot) {
    }

    private HmmBatch hmmBatchReport(double[][] data, List<String> cols, long skipped, ModelSettings settings) {
        int d = data[0].length;
        double meanVariance = 0;
        for (int j = 0; j < d; j++) {
            double m = 0;
            int n = 0;
            for (double[] row : data) {
                if (!Double.isNaN(row[j])) {
                    m += row[j];
                    n++;
                }
            }
            m /= Math.max(n, 1);
            double v = 0;
            for (double[] row : data) {
                if (!Double.isNaN(row[j])) {
                    v += (row[j] - m) * (row[j] - m);
                }
            }
            meanVariance += v / Math.max(n, 1) / d;
        }
        GaussianHmm.Fit fit = GaussianHmm.fit(data, settings.kMax(), settings.covarianceType(), settings.distribution(),
                GaussianHmm.Initial.STATIONARY, settings.regularization() * Math.max(meanVariance, Double.MIN_NORMAL), settings.initRestarts(),
                10_000, 1e-12, new Random(settings.seed()));
        ModelSnapshot s = fit.hmm.snapshot(data.length);
        int p = fit.freeParameters(GaussianHmm.Initial.STATIONARY);
        ObjectNode node = Json.mapper().valueToTree(ModelSnapshotMessage.of(null, s));
        node.putPOJO("columns", cols);
        node.put("avgLogLikelihood", fit.logLikelihood / data.length);
        node.put("logLikelihood", fit.logLikelihood);
        node.put("bic", InformationCriteria.bic(fit.logLikelihood, p, data.length));
        node.put("aic", InformationCriteria.aic(fit.logLikelihood, p));
        node.put("freeParameters", p);
        node.put("iterations", fit.iterations);
        node.put("rows", data.length);
        node.put("skippedRows", skipped);
        return new HmmBatch(node, s);
    }

    private static BufferedWriter newWriter(Path p) throws IOException {
        return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
    }

    /**
     * The model's settings: fit's defaults, then {@code -D}, then the options given on the command line, read as the
     * service reads its configuration (the same names, checks and errors).
     *
     * @param rows the file's row count when known (the warm-up defaults to min(500, rows); --batch fits all of them)
     */
    ModelSettings settings(int rows) {
        for (String key : overrides.keySet()) {
            if (!key.startsWith(OnlineEmConfig.MODEL_PREFIX) || key.startsWith(OnlineEmConfig.OVERRIDE_PREFIX)) {
                throw new IllegalArgumentException("-D " + key + ": fit takes model settings only (model.<setting>, e.g. -D model.k=3)");
            }
        }
        // fit models the rows as i.i.d. draws: no feature stage (the service's default too)
        Map<String, String> m = new HashMap<>(overrides);
        option(m, OnlineEmConfig.COVARIANCE_TYPE_CONFIG, covariance, "--covariance");
        option(m, OnlineEmConfig.STEP_EXPONENT_CONFIG, alpha, "--alpha");
        option(m, OnlineEmConfig.STEP_OFFSET_CONFIG, t0, "--t0");
        option(m, OnlineEmConfig.MSTEP_INTERVAL_CONFIG, mStepInterval, "--mstep-interval");
        option(m, OnlineEmConfig.REGULARIZATION_CONFIG, reg, "--reg");
        option(m, OnlineEmConfig.ANOMALY_ALPHA_CONFIG, anomalyAlpha, "--anomaly-alpha");
        option(m, OnlineEmConfig.SEED_CONFIG, seed, "--seed");
        option(m, OnlineEmConfig.REPAIR_WINDOW_CONFIG, repairWindow, "--repair-window");
        option(m, OnlineEmConfig.DISTRIBUTION_CONFIG, distribution, "--distribution");
        option(m, OnlineEmConfig.DF_CONFIG, df, "--df");
        option(m, OnlineEmConfig.TYPE_CONFIG, modelType, "--model");
        option(m, OnlineEmConfig.HALF_LIFE_CONFIG, halfLife == null ? 0.0 : halfLife, "--half-life");
        option(m, OnlineEmConfig.AVERAGING_CONFIG, average, "--average", "--no-average");
        if (kRange != null) {
            m.put(OnlineEmConfig.K_RANGE_CONFIG, kRange);
        } else if (given("--k")) {
            m.put(OnlineEmConfig.K_CONFIG, String.valueOf(k));
            m.remove(OnlineEmConfig.K_RANGE_CONFIG);
        } else {
            m.putIfAbsent(OnlineEmConfig.K_CONFIG, String.valueOf(k));
        }
        if (batch) {
            m.put(OnlineEmConfig.INIT_POINTS_CONFIG, String.valueOf(rows));
            option(m, OnlineEmConfig.INIT_RESTARTS_CONFIG, restarts == null ? 10 : restarts, "--restarts");
        } else {
            option(m, OnlineEmConfig.INIT_POINTS_CONFIG, initPoints == null ? Math.min(ModelSettings.DEFAULT_INIT_POINTS, rows) : initPoints,
                    "--init-points");
            option(m, OnlineEmConfig.INIT_RESTARTS_CONFIG, restarts, "--restarts");
        }
        if (batch || ModelKind.parse(m.get(OnlineEmConfig.TYPE_CONFIG)) != ModelKind.MIXTURE) {
            m.put(OnlineEmConfig.AVERAGING_CONFIG, "false"); // batch EM has no steps to average; HMMs do not average
        }
        ModelSettings s = OnlineEmConfig.withoutKafka(m).defaultSettings();
        return batch ? s.withInitMaxIterations(5000) : s;
    }

    /** Puts an option's value (fit's default when not given) unless -D set the key and the option was not given. */
    private void option(Map<String, String> m, String key, Object value, String... names) {
        if (value != null && (given(names) || !overrides.containsKey(key))) {
            m.put(key, String.valueOf(value));
        }
    }

    private boolean given(String... names) {
        ParseResult parsed = spec == null ? null : spec.commandLine().getParseResult();
        return parsed != null && Arrays.stream(names).anyMatch(parsed::hasMatchedOption);
    }

    static void shuffle(int[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void writeScore(PrintWriter out, PointResult r) {
        if (r.warmup) {
            out.println(",,,");
        } else {
            out.println(r.logDensity + "," + r.pValue + "," + r.cluster + "," + r.anomaly);
        }
    }

    /**
     * The snapshot JSON with the whole file's avgLogLikelihood, BIC and AIC under the final model: for a
     * mixture, a second pass over the rows (streamed again from the file when they were streamed).
     */
    static ObjectNode report(OnlineModel model, Rows rows, List<String> cols) throws IOException {
        ModelSnapshot s = model.snapshot();
        double ll = 0;
        int p;
        if (model instanceof OnlineMixtureModel mixture) {
            ll = rows.logLikelihood(mixture);
            p = BatchEm.freeParameters(s.components(), s.dimension(), s.covarianceType());
        } else {
            GaussianHmm hmm = GaussianHmm.of(s);
            ll = hmm.logLikelihood(((TableRows) rows).data);
            p = GaussianHmm.freeParameters(s.components(), s.dimension(), s.covarianceType(), GaussianHmm.Initial.FREE);
        }
        if (model.settings().distribution().estimatesDf()) {
            p += s.components(); // each component's degrees of freedom
        }
        long n = rows.count();
        ObjectNode node = Json.mapper().valueToTree(ModelSnapshotMessage.of(null, s));
        node.putPOJO("columns", cols);
        node.put("avgLogLikelihood", ll / n);
        node.put("logLikelihood", ll);
        node.put("bic", InformationCriteria.bic(ll, p, n));
        node.put("aic", InformationCriteria.aic(ll, p));
        node.put("freeParameters", p);
        node.put("rows", n);
        node.put("skippedRows", rows.skipped());
        return node;
    }
}
