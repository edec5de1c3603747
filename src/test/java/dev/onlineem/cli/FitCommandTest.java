package dev.onlineem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.serde.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class FitCommandTest {
    static final Path FAITHFUL = Path.of("src/test/resources/data/datasets__faithful.csv");
    private static final double REFERENCE_TOLERANCE = 1e-4;
    /** The shared README's sklearn fit stopped at its default tol=1e-3, so its covariances carry ~3e-3 relative error. */
    private static final double SKLEARN_TOLERANCE = 5e-3;

    record Output(int exit, String out, String err) {
    }

    static Output run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Output(exit, out.toString(), err.toString());
    }

    @Test
    void shouldTakeTheModelOptionsOfFitInScoreAsTheSettingsTheyName(@TempDir Path dir) throws Exception {
        Path withOptions = dir.resolve("options.csv");
        Path withSettings = dir.resolve("settings.csv");
        Output a = run("score", "--input", FAITHFUL.toString(), "--columns", "eruptions,waiting", "--k", "3", "--covariance", "diag",
                "--half-life", "500", "--out", withOptions.toString());
        assertEquals(0, a.exit(), a.err());
        Output b = run("score", "--input", FAITHFUL.toString(), "--columns", "eruptions,waiting", "-D", "model.k=3",
                "-D", "model.covariance.type=diag", "-D", "model.half.life=500", "--out", withSettings.toString());
        assertEquals(0, b.exit(), b.err());
        List<String> rows = Files.readAllLines(withOptions);
        assertEquals(Files.readAllLines(withSettings), rows);
        assertTrue(rows.stream().skip(1).anyMatch(r -> r.endsWith(",2")), "a third cluster is used: " + rows.subList(0, 3));
    }

    @Test
    void shouldSayInScoresSummaryHowOftenTheModelsStructureWasRepaired(@TempDir Path dir) throws Exception {
        // two 2-D clusters, then two others far from them: online EM alone keeps its old structure, drift repair replaces it
        Path csv = dir.resolve("jump.csv");
        StringBuilder sb = new StringBuilder("a,b\n");
        java.util.Random r = new java.util.Random(11);
        for (int i = 0; i < 6000; i++) {
            boolean after = i >= 3000;
            double ca = i % 2 == 0 ? 0 : (after ? 20 : 6);
            double cb = i % 2 == 0 ? (after ? -15 : 0) : 0;
            sb.append(ca + r.nextGaussian()).append(',').append(cb + r.nextGaussian()).append('\n');
        }
        Files.writeString(csv, sb.toString());
        Output repaired = run("score", "--input", csv.toString(), "--columns", "a,b", "--k", "2", "--out", dir.resolve("s.csv").toString());
        assertEquals(0, repaired.exit(), repaired.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("scored 6000 rows, \\d+ flagged, (\\d+) repairs?: ").matcher(repaired.err());
        assertTrue(m.find(), repaired.err());
        assertTrue(Integer.parseInt(m.group(1)) >= 1, repaired.err());
        Output off = run("score", "--input", csv.toString(), "--columns", "a,b", "--k", "2", "-D", "model.repair.window=0",
                "--out", dir.resolve("t.csv").toString());
        assertTrue(off.err().contains(" flagged, 0 repairs: "), off.err());
    }

    @Test
    void shouldSayInScoresSummaryHowMuchAnHmmsMemoryBankLeansOnItsFastChain(@TempDir Path dir) throws Exception {
        // the 1990s S&P 500 returns: their volatility moves, and the fast chain ends with about a fifth of the weight (0.177)
        String sp500 = "src/test/resources/data/MASS__SP500.csv";
        Output banked = run("score", "--input", sp500, "--columns", "SP500", "--model", "hmm", "--distribution", "student-t",
                "-D", "model.init.points=250", "--out", dir.resolve("s.csv").toString());
        assertEquals(0, banked.exit(), banked.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("memory bank: fast chain's weight (0\\.\\d+): ").matcher(banked.err());
        assertTrue(m.find(), banked.err());
        double weight = Double.parseDouble(m.group(1));
        assertTrue(weight > 0.05 && weight < 0.5, banked.err());
        Output off = run("score", "--input", sp500, "--columns", "SP500", "--model", "hmm", "-D", "model.memory.bank=false",
                "--out", dir.resolve("t.csv").toString());
        assertTrue(!off.err().contains("memory bank") && off.err().contains(" repairs: "), off.err());
    }

    @Test
    void shouldScoreEachBarOfTicksAsTheServicesTickStageMakesItAndSkipRefusedTicks(@TempDir Path dir) throws Exception {
        // two-minute bars of ticks every 10 s; one tick with a negative price and one late tick, both refused
        Path ticks = dir.resolve("ticks.csv");
        StringBuilder csv = new StringBuilder("time,price,size\n");
        java.util.Random r = new java.util.Random(9);
        dev.onlineem.em.features.TickBars reference = new dev.onlineem.em.features.TickBars(new dev.onlineem.em.features.BarSettings(true,
                120_000, 100, 0, dev.onlineem.em.features.BarSettings.DEFAULT_FEATURES, 0));
        List<dev.onlineem.em.features.TickBars.Bar> bars = new java.util.ArrayList<>();
        double price = 100;
        for (int i = 0; i < 3000; i++) {
            long ts = 1_700_000_040_000L + i * 10_000L;
            price *= Math.exp(0.001 * r.nextGaussian());
            double size = 1 + r.nextInt(50);
            csv.append(ts).append(',').append(price).append(',').append(size).append('\n');
            reference.accept(price, size, ts, bars);
            if (i == 1000) {
                csv.append(ts).append(",-1,5\n");
            }
            if (i == 2000) {
                csv.append(ts - 600_000).append(",100,5\n");
            }
        }
        Files.writeString(ticks, csv);
        Path out = dir.resolve("bars.csv");
        Output o = run("score", "--input", ticks.toString(), "--ticks", "--columns", "price,size", "--time-column", "time", "--model", "hmm",
                "-D", "ticks.bar.ms=120000", "--out", out.toString());
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.err().contains("scored " + bars.size() + " bars of 3002 ticks") && o.err().contains("2 ticks refused, the first (line 1003): "
                + "bad tick: price -1.0"), o.err());
        List<String> rows = Files.readAllLines(out);
        assertEquals("bar_start,bar_end,ticks,volatility,return,volume,range,anomalyScore,anomaly,logDensity,pValue,cluster,regime,p_regime_0,p_regime_1",
                rows.get(0));
        assertEquals(bars.size() + 1, rows.size());
        for (int i = 0; i < bars.size(); i++) {
            String[] cells = rows.get(i + 1).split(",", -1);
            assertEquals(java.time.Instant.ofEpochMilli(bars.get(i).start()).toString(), cells[0]);
            assertEquals(String.valueOf(bars.get(i).ticks()), cells[2]);
            for (int f = 0; f < 4; f++) {
                double want = bars.get(i).features()[f];
                assertEquals(Double.isNaN(want) ? "" : String.valueOf(want), cells[3 + f], "bar " + i + " feature " + f);
            }
        }
        assertTrue(rows.get(rows.size() - 1).split(",", -1)[12].matches("[01]"), "the last bar has a regime: " + rows.get(rows.size() - 1));

        Output bad = run("score", "--input", ticks.toString(), "--ticks", "--columns", "price,size,time", "--out", out.toString());
        assertTrue(bad.exit() != 0 && bad.err().contains("--ticks reads --columns PRICE[,SIZE]: 3 columns given"), bad.err());
    }

    @Test
    void shouldPrintEveryCommandsHelpWithoutAWarning() {
        // picocli formats every description with String.format and warns on stderr for each one it cannot (a bare
        // "95% ellipse" printed three WARN lines on fit --help)
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        StringBuilder usage = new StringBuilder();
        try {
            for (CommandLine sub : Main.commandLine().getSubcommands().values()) {
                usage.append(sub.getUsageMessage());
            }
        } finally {
            System.setErr(saved);
        }
        assertTrue(usage.toString().contains("95% ellipse"), "fit's --plot is described");
        assertEquals("", captured.toString(java.nio.charset.StandardCharsets.UTF_8), "stderr while rendering help");
    }

    @Test
    void shouldMatchTheConvergedReferenceFitOfOldFaithfulWithBatchEm() throws Exception {
        Output o = run("fit", "--batch", "--k", "2", "--tol", "1e-12", "--input", FAITHFUL.toString());
        assertEquals(0, o.exit(), o.err());
        JsonNode fit = Json.mapper().readTree(o.out());
        // Reference: mclust 6.0.0, Mclust(G=2, "VVV", emControl(tol=1e-12)), see
        // src/test/resources/reference/faithful_mclust.R. Components ordered (short, long).
        int shortC = fit.get("means").get(0).get(0).asDouble() < 3 ? 0 : 1;
        int longC = 1 - shortC;
        assertRel(0.35587286783, fit.get("weights").get(shortC).asDouble(), REFERENCE_TOLERANCE);
        assertRel(0.64412713217, fit.get("weights").get(longC).asDouble(), REFERENCE_TOLERANCE);
        assertVector(new double[] {2.03638848072, 54.47851663948}, fit.get("means").get(shortC), REFERENCE_TOLERANCE);
        assertVector(new double[] {4.28966199619, 79.96811545319}, fit.get("means").get(longC), REFERENCE_TOLERANCE);
        assertMatrix(new double[][] {{0.0691676932807, 0.435167840665}, {0.435167840665, 33.697283546403}},
                fit.get("covariances").get(shortC), REFERENCE_TOLERANCE);
        assertMatrix(new double[][] {{0.169968406429, 0.94060894635}, {0.94060894635, 36.04620711894}},
                fit.get("covariances").get(longC), REFERENCE_TOLERANCE);
        // Reference: ../shared/data/README.md (scikit-learn 1.2.1 and mclust 6.0.0 agree):
        // mean log-likelihood -4.155383, BIC 2322.192, AIC 2282.528 (p = 11).
        // (-4.155383 is the less converged sklearn figure; the converged optimum is -4.15538221, mclust above)
        assertEquals(-4.155383, fit.get("avgLogLikelihood").asDouble(), 1e-6);
        assertEquals(-1130.26396018, fit.get("logLikelihood").asDouble(), 1e-6);
        assertEquals(2322.192, fit.get("bic").asDouble(), 5e-4);
        assertEquals(2282.528, fit.get("aic").asDouble(), 5e-4);
        assertEquals(11, fit.get("freeParameters").asInt());
        // The same README's parameter table (sklearn, tol=1e-3, not fully converged), to its precision.
        assertRel(0.355927, fit.get("weights").get(shortC).asDouble(), SKLEARN_TOLERANCE);
        assertMatrix(new double[][] {{0.069274, 0.436277}, {0.436277, 33.704934}}, fit.get("covariances").get(shortC), SKLEARN_TOLERANCE);
    }

    @Test
    void shouldFitAStudentTToDjiaReturnsAsMaximumLikelihoodDoes(@TempDir Path dir) throws Exception {
        // daily log returns x100 of the DJIA 1980-2012 (AER's DJIA8012, src/test/resources/data), r = 100 * diff(log(DJIA8012)):
        // 8,609 returns. Maximum likelihood by R 4.2.2 MASS::fitdistr(r, "t"): location 0.0462215, scale 0.6815888, df 3.0671,
        // log-likelihood -11898.2392466 (SciPy's Nelder-Mead on the same likelihood to 1e-12: 0.0462232, 0.6815898, 3.0670935)
        List<String> lines = Files.readAllLines(Path.of("src/test/resources/data/AER__DJIA8012.csv"));
        StringBuilder returns = new StringBuilder("r\n");
        for (int i = 2; i < lines.size(); i++) {
            double prev = Double.parseDouble(lines.get(i - 1).split(",")[1]);
            double cur = Double.parseDouble(lines.get(i).split(",")[1]);
            returns.append(100 * Math.log(cur / prev)).append('\n');
        }
        Path csv = dir.resolve("djia-returns.csv");
        Files.writeString(csv, returns);
        Output o = run("fit", "--input", csv.toString(), "--batch", "--k", "1", "--distribution", "student-t");
        assertEquals(0, o.exit(), o.err());
        JsonNode fit = Json.mapper().readTree(o.out());
        assertEquals(8609, fit.get("rows").asInt());
        assertEquals("student-t", fit.get("distribution").asText());
        assertEquals(0.0462215, fit.get("means").get(0).get(0).asDouble(), REFERENCE_TOLERANCE * 0.0462215);
        assertEquals(0.6815888, Math.sqrt(fit.get("covariances").get(0).get(0).get(0).asDouble()), REFERENCE_TOLERANCE * 0.6815888);
        assertEquals(3.0671, fit.get("degreesOfFreedom").get(0).asDouble(), REFERENCE_TOLERANCE * 3.0671);
        assertEquals(-11898.2392466, fit.get("logLikelihood").asDouble(), REFERENCE_TOLERANCE * 11898.2392466);
        assertEquals(3, fit.get("freeParameters").asInt(), "location, scale and df");
    }

    @Test
    void shouldFitOldFaithfulOnlineOverSeveralShuffledPassesCloseToBatchEm() throws Exception {
        Output o = run("fit", "--k", "2", "--passes", "20", "--shuffle", "--seed", "1", "--init-points", "100",
                "--input", FAITHFUL.toString());
        assertEquals(0, o.exit(), o.err());
        JsonNode fit = Json.mapper().readTree(o.out());
        // within 0.5% of the batch optimum's mean log-likelihood (-4.155382, reference above)
        assertEquals(-4.155382, fit.get("avgLogLikelihood").asDouble(), 0.005 * 4.155382);
    }

    @Test
    void shouldChooseKByBicAndWriteOneScoreLinePerPoint(@TempDir Path dir) throws Exception {
        Path scores = dir.resolve("scores.csv");
        Output o = run("fit", "--k-range", "1..4", "--init-points", "272", "--input", FAITHFUL.toString(),
                "--scores", scores.toString(), "--columns", "eruptions,waiting");
        assertEquals(0, o.exit(), o.err());
        JsonNode fit = Json.mapper().readTree(o.out());
        int k = fit.get("components").asInt();
        assertTrue(k >= 2 && k <= 4, "BIC picked K=" + k);
        List<String> lines = Files.readAllLines(scores);
        assertEquals("logDensity,pValue,cluster,anomaly", lines.get(0));
        assertEquals(273, lines.size());
    }

    @Test
    void shouldTreatEmptyAndNaCellsAsMissing(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("gaps.csv");
        StringBuilder sb = new StringBuilder("a,b,label\n");
        java.util.Random r = new java.util.Random(4);
        for (int i = 0; i < 400; i++) {
            double a = r.nextGaussian() + (i % 2) * 6;
            double b = a + r.nextGaussian();
            sb.append(i % 7 == 0 ? "" : a).append(',').append(i % 11 == 0 ? "NA" : b).append(",x\n");
        }
        Files.writeString(csv, sb.toString());
        Output o = run("fit", "--k", "2", "--input", csv.toString(), "--init-points", "200");
        assertEquals(0, o.exit(), o.err());
        JsonNode fit = Json.mapper().readTree(o.out());
        assertEquals("[\"a\",\"b\"]", fit.get("columns").toString());
        assertEquals(6, fit.get("skippedRows").asInt()); // rows 0, 77, ..., 385 (multiples of 77) have both cells missing
        assertTrue(Double.isFinite(fit.get("avgLogLikelihood").asDouble()));
    }

    @Test
    void shouldTakeAnyModelSettingWithDBelowTheOptionsGivenOnTheCommandLine() throws Exception {
        Output viaD = run("fit", "--input", FAITHFUL.toString(), "-D", "model.k=3", "-D", "model.covariance.type=diag");
        assertEquals(0, viaD.exit(), viaD.err());
        Output viaOptions = run("fit", "--input", FAITHFUL.toString(), "--k", "3", "--covariance", "diag");
        assertEquals(viaOptions.out(), viaD.out(), "-D model.k and --k are the same setting");
        assertEquals(3, Json.mapper().readTree(viaD.out()).get("components").asInt());

        Output optionWins = run("fit", "--input", FAITHFUL.toString(), "--k", "2", "-D", "model.k=3");
        assertEquals(0, optionWins.exit(), optionWins.err());
        assertEquals(2, Json.mapper().readTree(optionWins.out()).get("components").asInt(), "--k given on the command line wins over -D");

        Output misspelt = run("fit", "--input", FAITHFUL.toString(), "-D", "model.kk=3");
        assertTrue(misspelt.exit() != 0);
        assertTrue(misspelt.err().contains("did you mean model.k?"), misspelt.err());
        Output notAModelSetting = run("fit", "--input", FAITHFUL.toString(), "-D", "bootstrap.servers=x");
        assertTrue(notAModelSetting.exit() != 0);
        assertTrue(notAModelSetting.err().contains("fit takes model settings only"), notAModelSetting.err());
    }

    @Test
    void shouldNameTheBadOptionValue() {
        Output o = run("fit", "--k", "2", "--covariance", "banana", "--input", FAITHFUL.toString());
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("banana"), o.err());
        Output alpha = run("fit", "--alpha", "0.3", "--input", FAITHFUL.toString());
        assertEquals(2, alpha.exit());
        assertTrue(alpha.err().contains("step.exponent"), alpha.err());
    }

    private static void assertRel(double expected, double actual, double tol) {
        assertEquals(expected, actual, Math.abs(expected) * tol, "expected " + expected + " got " + actual);
    }

    private static void assertVector(double[] expected, JsonNode actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            assertRel(expected[i], actual.get(i).asDouble(), tol);
        }
    }

    private static void assertMatrix(double[][] expected, JsonNode actual, double tol) {
        for (int i = 0; i < expected.length; i++) {
            assertVector(expected[i], actual.get(i), tol);
        }
    }
}
