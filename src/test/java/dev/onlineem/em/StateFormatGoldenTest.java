package dev.onlineem.em;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.ModelSnapshot;
import dev.onlineem.em.base.StateFormat;
import dev.onlineem.em.mixture.Challenger;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * States written by earlier builds still load: every golden state in {@code src/test/resources/state}
 * (provenance in its README) decodes to exactly the parameters its writer reported, the current
 * version's states re-encode to the same bytes, and every decoded model goes on learning and scoring, exactly as the
 * same model written again in the current format and read back does.
 */
class StateFormatGoldenTest {

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
        "v2, full-online", "v2, diag-missing-online", "v2, spherical-online", "v2, full-warmup",
        "v3, full-online", "v3, diag-missing-online", "v3, spherical-online", "v3, full-warmup",
        "v4, full-online", "v4, diag-missing-online", "v4, spherical-online", "v4, full-warmup",
        "v4, hmm-full-missing-online", "v4, hmm-diag-warmup",
        "v5, full-online", "v5, diag-missing-online", "v5, spherical-online", "v5, full-warmup",
        "v5, hmm-full-missing-online", "v5, hmm-diag-warmup",
        "v6, full-online", "v6, diag-missing-online", "v6, spherical-online", "v6, full-warmup", "v6, full-averaged-online",
        "v6, hmm-full-missing-online", "v6, hmm-diag-warmup",
        "v7, full-online", "v7, diag-missing-online", "v7, spherical-online", "v7, full-warmup", "v7, full-averaged-online",
        "v7, hmm-full-missing-online", "v7, hmm-diag-warmup",
        "v8, full-online", "v8, diag-missing-online", "v8, spherical-online", "v8, full-warmup", "v8, full-averaged-online",
        "v8, full-repaired-online", "v8, full-warmup-provisional", "v8, hmm-full-missing-online", "v8, hmm-diag-warmup",
        "v9, full-online", "v9, diag-missing-online", "v9, spherical-online", "v9, full-warmup", "v9, full-averaged-online",
        "v9, full-repaired-online", "v9, full-warmup-provisional", "v9, hmm-full-missing-online", "v9, hmm-diag-warmup",
        "v10, full-online", "v10, diag-missing-online", "v10, spherical-online", "v10, full-warmup", "v10, full-averaged-online",
        "v10, full-repaired-online", "v10, full-warmup-provisional", "v10, hmm-full-missing-online", "v10, hmm-diag-warmup",
        "v10, t-full-averaged-missing-online", "v10, t-spherical-fixed-df-online", "v10, t-hmm-diag-missing-online", "v10, hmm-k-range-online",
        "v11, full-online", "v11, t-full-averaged-missing-online", "v11, t-diag-online", "v11, t-spherical-fixed-df-online",
        "v11, t-hmm-diag-missing-online",
        "v12, full-online", "v12, hmm-full-online", "v12, hmm-repaired-online", "v12, t-hmm-diag-missing-online",
        "v13, range-full-online", "v13, range-diag-missing-warmup", "v13, range-hmm-full-online", "v13, range-off-full-online",
        "v14, repeat-full-online", "v14, repeat-diag-missing-warmup", "v14, repeat-hmm-full-online", "v14, repeat-only-full-online",
        "v14, repeat-off-full-online",
        "v15, challenger-running-online", "v15, challenger-won-online", "v15, challenger-idle-online",
        "v15, challenger-diag-missing-running-online",
        "v16, exchangeable-full-online", "v16, dependent-full-online", "v16, exchangeable-hmm-diag-missing-online",
        "v17, exchangeable-bank-hmm-full-online", "v17, exchangeable-bank-t-hmm-diag-missing-online",
        "v17, exchangeable-bank-off-hmm-full-online"})
    void shouldReadAStateOfAnEarlierBuildExactlyAndGoOn(String version, String name) throws IOException {
        byte[] bytes = resource(version + "/" + name + ".state");
        OnlineModel m = StateCodec.decode(bytes);
        List<String> expected = List.of(new String(resource(version + "/" + name + ".snapshot"), StandardCharsets.UTF_8).split("\n"));
        assertEquals(expected.get(0), "pointsSeen " + m.pointsSeen());
        ModelSnapshot s = m.snapshot();
        if (expected.size() == 1) {
            assertNull(s, "a model in warm-up has no snapshot");
        } else {
            List<String> actual = describe(m.pointsSeen(), s);
            if (version.equals("v10") && expected.get(expected.size() - 1).startsWith("df ")) {
                // format 10 kept EM's df statistic; format 11 keeps the df's linearised scores, ln nu = sdf / sdfInformation,
                // so an averaged model's df (its own) come back from exp(ln nu): within a rounding, not to the bit
                assertDfClose(expected.get(expected.size() - 1), actual.get(actual.size() - 1));
                expected = expected.subList(0, expected.size() - 1);
                actual = actual.subList(0, actual.size() - 1);
            }
            assertEquals(expected, actual, "decoded parameters differ from what the writing build reported");
        }
        int v = Integer.parseInt(version.substring(1));
        PipelineModel pm = (PipelineModel) m;
        boolean range = v >= StateFormat.VERSION_13 && !name.contains("range-off") && !name.contains("repeat-only");
        boolean repeat = v >= StateFormat.VERSION_14 && !name.contains("repeat-off");
        // a state written before a rule goes on without it, exactly as it did
        assertEquals(range ? 0.1 : 0.0, m.settings().scoring().rangeTolerance());
        assertEquals(repeat ? 0.07 : 0.0, m.settings().scoring().repeatTolerance());
        if (range || repeat) {
            assertEquals(m.dimension(), pm.rangeHigh().length);
            assertTrue(pm.rangeLow()[0] < pm.rangeHigh()[0], "the range of the points the writer gave");
        } else {
            assertNull(pm.rangeLow());
        }
        if (repeat) {
            // the alerts the generator printed (src/test/resources/state/README.md)
            int remembered = switch (name) {
                case "repeat-full-online" -> 5;
                case "repeat-diag-missing-warmup" -> 2;
                case "repeat-hmm-full-online", "repeat-only-full-online" -> 7;
                case "challenger-running-online", "challenger-won-online", "challenger-idle-online" -> 2;
                case "challenger-diag-missing-running-online" -> 1;
                case "exchangeable-full-online", "dependent-full-online" -> 3;
                case "exchangeable-hmm-diag-missing-online" -> 5;
                case "exchangeable-bank-hmm-full-online", "exchangeable-bank-t-hmm-diag-missing-online",
                     "exchangeable-bank-off-hmm-full-online" -> 3;
                default -> throw new AssertionError("no remembered-alert count written down for " + name);
            };
            assertEquals(remembered, pm.rememberedAlerts());
        } else {
            assertEquals(0, pm.rememberedAlerts());
        }
        if (m instanceof OnlineMixtureModel mm && m.isInitialised() && m.settings().repairWindow() > 0) {
            // a state written before challengers goes on without them, as it did; the generator's own (README)
            if (v < StateFormat.VERSION_15) {
                assertNull(mm.challenger());
            } else if (name.startsWith("challenger")) {
                Challenger c = mm.challenger();
                assertEquals(name.contains("running"), c.active(), "a challenger learning beside the model");
                assertEquals(name.contains("won") ? 1 : 0, c.won());
                assertEquals(name.contains("idle") ? 2 : 1, c.started());
            }
        }
        if (m instanceof OnlineHmmModel hm && m.isInitialised()) {
            // an HMM's memory bank: from format 17, with a half-life and the bank on (the generator's main-chain weights, README);
            // an older state goes on without it, as it did
            boolean bank = v >= StateFormat.VERSION_17 && !name.contains("bank-off");
            assertEquals(bank, hm.hasFastChain(), name);
            assertEquals(bank, m.settings().memoryBank(), name);
            double weight = switch (name) {
                case "exchangeable-bank-hmm-full-online" -> 0.9871423353141845;
                case "exchangeable-bank-t-hmm-diag-missing-online" -> 0.9821108068556872;
                default -> 1;
            };
            assertEquals(weight, hm.mainWeight(), 0.0, name);
        }
        if (m.isInitialised()) {
            // the stream's kind as its writer saw it; a state older than the fast sketch learns it afresh
            double weight = v < StateFormat.VERSION_16 ? 0 : name.startsWith("exchangeable") ? 1 : 0;
            assertEquals(weight, pm.exchangeableWeight(), name);
        }
        if (("v" + StateFormat.VERSION).equals(version)) {
            assertArrayEquals(bytes, StateCodec.encode(m), "the current format re-encodes to the same bytes");
        }
        // written again in the current format, it goes on exactly as the model read from the old bytes
        OnlineModel again = StateCodec.decode(StateCodec.encode(m));
        Random r = new Random(1);
        PointResult out = new PointResult();
        PointResult outAgain = new PointResult();
        long seen = m.pointsSeen();
        for (int i = 0; i < 400; i++) {
            double[] x = new double[m.dimension()];
            for (int j = 0; j < x.length; j++) {
                x[j] = r.nextGaussian() + (i % 2) * 4 + j;
            }
            m.update(x, (seen + i) * 1000L, out);
            again.update(x, (seen + i) * 1000L, outAgain);
            assertTrue(out.warmup || Double.isFinite(out.logDensity) && Double.isFinite(out.anomalyScore), name + ": point " + i);
            assertEquals(out.logDensity, outAgain.logDensity, 0.0, name + ", re-encoded: point " + i);
            assertEquals(out.anomalyScore, outAgain.anomalyScore, 0.0, name + ", re-encoded: point " + i);
            assertEquals(out.anomaly, outAgain.anomaly, name + ", re-encoded: point " + i);
        }
        assertEquals(seen + 400, m.pointsSeen());
        assertTrue(m.isInitialised());
    }

    private static void assertDfClose(String expected, String actual) {
        String[] e = expected.substring(3).split(" ");
        String[] a = actual.substring(3).split(" ");
        assertEquals(e.length, a.length, actual);
        for (int i = 0; i < e.length; i++) {
            double x = Double.parseDouble(e[i]);
            assertEquals(x, Double.parseDouble(a[i]), 1e-13 * x, "df " + i);
        }
    }

    /** The lines the generator wrote for a snapshot (see the README). */
    private static List<String> describe(long pointsSeen, ModelSnapshot s) {
        List<String> lines = new ArrayList<>();
        lines.add("pointsSeen " + pointsSeen);
        lines.add("version " + s.version());
        lines.add("weights " + join(s.weights()));
        for (double[] mu : s.means()) {
            lines.add("mean " + join(mu));
        }
        for (double[][] c : s.covariances()) {
            for (double[] row : c) {
                lines.add("cov " + join(row));
            }
        }
        if (s.degreesOfFreedom() != null) {
            lines.add("df " + join(s.degreesOfFreedom()));
        }
        return lines;
    }

    private static String join(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double x : v) {
            sb.append(sb.length() > 0 ? " " : "").append(x);
        }
        return sb.toString();
    }

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = StateFormatGoldenTest.class.getResourceAsStream("/state/" + path)) {
            assertTrue(in != null, "missing test resource state/" + path);
            return in.readAllBytes();
        }
    }
}
