package dev.onlineem.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onlineem.em.BatchEm;
import dev.onlineem.em.CovarianceType;
import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.ModelSnapshot;
import dev.onlineem.em.GaussianHmm;
import dev.onlineem.em.ModelKind;
import dev.onlineem.em.OnlineMixtureModel;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.serde.Json;
import dev.onlineem.serde.ModelSnapshotMessage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fit}: streams a CSV file through the online engine (no Kafka) and prints the final model as JSON. */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Streams the rows of a CSV file through the online-EM engine and prints the final model as JSON",
                "(the model-snapshot shape) with avgLogLikelihood, bic and aic over the whole file."})
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

    @Option(names = "--batch", description = "Plain batch EM to convergence on the whole file instead of online EM (for comparison).")
    boolean batch;

    @Option(names = "--scores", description = "Write logDensity,pValue,cluster,anomaly per point, in stream order (empty fields during warm-up).",
            paramLabel = "FILE")
    Path scores;

    @Option(names = "--plot", paramLabel = "FILE.svg", description = "Also draw the fit as SVG: the data on two columns with each component's "
            + "95% ellipse, and the log-likelihood trace.")
    Path plot;

    @Option(names = "--plot-columns", split = ",", paramLabel = "a,b", description = "The two columns --plot draws (default: the first two modelled).")
    List<String> plotColumns;

    @Override
    public Integer call() throws IOException {
        CsvTable table = CsvTable.read(input);
        List<String> cols = columns == null ? table.numericColumns() : columns;
        if (cols.isEmpty()) {
            throw new IllegalArgumentException(input + " has no numeric column; name them with --columns");
        }
        double[][] all = table.matrix(cols);
        // a row with every selected cell missing carries no information: it is skipped and counted
        double[][] data = java.util.Arrays.stream(all)
                .filter(row -> java.util.Arrays.stream(row).anyMatch(v -> !Double.isNaN(v)))
                .toArray(double[][]::new);
        int skipped = all.length - data.length;
        if (data.length == 0) {
            throw new IllegalArgumentException(input + " has no data rows");
        }
        ModelSettings settings = settings(data.length);
        int[] plotted = plotted(cols);
        if (settings.kind() == ModelKind.HMM && batch) {
            HmmBatch fit = hmmBatchReport(data, cols, skipped);
            spec.commandLine().getOut().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(fit.report()));
            if (plot != null) {
                Files.writeString(plot, FitPlot.render(input.getFileName() + ": batch Baum-Welch, hmm, K=" + k + ", " + data.length + " rows", data, cols,
                        plotted[0], plotted[1], fit.snapshot(), new double[0][], fit.report().get("avgLogLikelihood").asDouble()), StandardCharsets.UTF_8);
            }
            return 0;
        }
        OnlineModel model = OnlineModel.create(settings);
        int[] order = new int[data.length];
        Random random = new Random(seed);
        PointResult result = new PointResult();
        // the prequential trace for --plot: block averages of each row's log-density before it is learned
        long rows = (long) data.length * (batch ? 1 : passes);
        long block = Math.max(1, Math.max(rows / 100, Math.min(rows / 10, 50))); // about 100 blocks of at least 50 rows where there are rows enough
        List<double[]> trace = new java.util.ArrayList<>();
        double blockSum = 0;
        long blockCount = 0;
        long streamed = 0;
        try (PrintWriter out = scores == null ? null : new PrintWriter(newWriter(scores))) {
            if (out != null) {
                out.println("logDensity,pValue,cluster,anomaly");
            }
            for (int pass = 0; pass < (batch ? 1 : passes); pass++) {
                for (int i = 0; i < order.length; i++) {
                    order[i] = i;
                }
                if (shuffle && !batch) {
                    shuffle(order, random);
                }
                for (int i : order) {
                    model.update(data[i], result);
                    if (out != null) {
                        writeScore(out, result);
                    }
                    streamed++;
                    if (!result.warmup && Double.isFinite(result.logDensity)) {
                        blockSum += result.logDensity;
                        blockCount++;
                    }
                    if (streamed % block == 0 && blockCount > 0) {
                        trace.add(new double[] {streamed, blockSum / blockCount});
                        blockSum = 0;
                        blockCount = 0;
                    }
                }
            }
        }
        if (!model.isInitialised()) {
            throw new IllegalArgumentException("the file has " + data.length + " rows, fewer than --init-points " + settings.initPoints());
        }
        ObjectNode report = report(model, data, cols, skipped);
        spec.commandLine().getOut().println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        if (plot != null) {
            String title = input.getFileName() + ": " + (batch ? "batch EM" : "online EM, " + passes + " pass" + (passes == 1 ? "" : "es"))
                    + ", " + model.kind().label() + ", K=" + model.snapshot().components() + ", " + report.get("rows").asLong() + " rows";
            Files.writeString(plot, FitPlot.render(title, data, cols, plotted[0], plotted[1], model.snapshot(), trace.toArray(new double[0][]),
                    report.get("avgLogLikelihood").asDouble()), StandardCharsets.UTF_8);
        }
        return 0;
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

    private HmmBatch hmmBatchReport(double[][] data, List<String> cols, int skipped) {
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
        GaussianHmm.Fit fit = GaussianHmm.fit(data, k, CovarianceType.parse(covariance), GaussianHmm.Initial.STATIONARY,
                reg * Math.max(meanVariance, Double.MIN_NORMAL), restarts == null ? 10 : restarts, 10_000, 1e-12, new Random(seed));
        ModelSnapshot s = fit.hmm.snapshot(data.length);
        int p = fit.freeParameters(GaussianHmm.Initial.STATIONARY);
        ObjectNode node = Json.mapper().valueToTree(ModelSnapshotMessage.of(null, s));
        node.putPOJO("columns", cols);
        node.put("avgLogLikelihood", fit.logLikelihood / data.length);
        node.put("logLikelihood", fit.logLikelihood);
        node.put("bic", -2 * fit.logLikelihood + p * Math.log(data.length));
        node.put("aic", -2 * fit.logLikelihood + 2 * p);
        node.put("freeParameters", p);
        node.put("iterations", fit.iterations);
        node.put("rows", data.length);
        node.put("skippedRows", skipped);
        return new HmmBatch(node, s);
    }

    private static BufferedWriter newWriter(Path p) throws IOException {
        return Files.newBufferedWriter(p, StandardCharsets.UTF_8);
    }

    ModelSettings settings(int rows) {
        // fit models the rows as i.i.d. draws: no feature stage (ModelSettings' default)
        ModelSettings.Builder b = ModelSettings.builder()
                .covarianceType(CovarianceType.parse(covariance))
                .stepExponent(alpha)
                .stepOffset(t0)
                .mStepInterval(mStepInterval)
                .regularization(reg)
                .anomalyAlpha(anomalyAlpha)
                .seed(seed)
                .kind(ModelKind.parse(modelType));
        if (kRange != null) {
            String[] parts = kRange.split("\\.\\.");
            if (parts.length != 2) {
                throw new IllegalArgumentException("--k-range '" + kRange + "' must look like MIN..MAX, e.g. 1..6");
            }
            b.kRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } else {
            b.k(k);
        }
        if (halfLife != null) {
            b.halfLife(halfLife);
        }
        if (batch) {
            b.initPoints(rows).initRestarts(restarts == null ? 10 : restarts).initMaxIterations(5000);
        } else {
            b.initPoints(initPoints == null ? Math.min(ModelSettings.DEFAULT_INIT_POINTS, rows) : initPoints);
            if (restarts != null) {
                b.initRestarts(restarts);
            }
        }
        return b.build();
    }

    private static void shuffle(int[] a, Random r) {
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

    /** The snapshot JSON with the whole file's avgLogLikelihood, BIC and AIC under the final model. */
    static ObjectNode report(OnlineModel model, double[][] data, List<String> cols, int skipped) {
        ModelSnapshot s = model.snapshot();
        double ll = 0;
        int p;
        if (model instanceof OnlineMixtureModel mixture) {
            for (double[] row : data) {
                ll += mixture.logDensity(row);
            }
            p = BatchEm.freeParameters(s.components(), s.dimension(), s.covarianceType());
        } else {
            GaussianHmm hmm = GaussianHmm.of(s);
            ll = hmm.logLikelihood(data);
            p = GaussianHmm.freeParameters(s.components(), s.dimension(), s.covarianceType(), GaussianHmm.Initial.FREE);
        }
        ObjectNode node = Json.mapper().valueToTree(ModelSnapshotMessage.of(null, s));
        node.putPOJO("columns", cols);
        node.put("avgLogLikelihood", ll / data.length);
        node.put("logLikelihood", ll);
        node.put("bic", -2 * ll + p * Math.log(data.length));
        node.put("aic", -2 * ll + 2 * p);
        node.put("freeParameters", p);
        node.put("rows", data.length);
        node.put("skippedRows", skipped);
        return node;
    }
}
