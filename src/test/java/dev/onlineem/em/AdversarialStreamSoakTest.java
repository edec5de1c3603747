package dev.onlineem.em;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.base.ModelSnapshot;
import dev.onlineem.em.features.FeatureSettings;
import dev.onlineem.em.scoring.LikelihoodTail;
import dev.onlineem.em.scoring.ScoreSettings;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Ten million adversarial but valid points (profile {@code soak}; {@code -Dsoak.adversarial.points}
 * sets the count): constant runs, collinear points, values at 1e150 and 1e-150, bursts of identical
 * points, alternating extremes, long runs of missing coordinates and jumps of scale by 200 orders of
 * magnitude, each through every model kind (mixtures of each covariance type, one with lag, difference
 * and window features and the gamma likelihood tail, one choosing K by BIC; HMMs of each covariance
 * type). No point may be rejected, and no output may hold NaN or an infinity: the scores and
 * responsibilities of every point, and the parameters every 10,000 points and at the end, read back
 * through the state codec bit for bit. Timed: points per second per model kind.
 */
@Tag("soak")
class AdversarialStreamSoakTest {
    static final long TOTAL = Long.getLong("soak.adversarial.points", 10_000_000L);
    static final int D = 3;

    interface Stream {
        double[] next(long i, Random r);
    }

    static Map<String, Stream> scenarios() {
        Map<String, Stream> s = new LinkedHashMap<>();
        double[] constant = new double[D];
        s.put("constant runs", (i, r) -> {
            if (i % 5_000 == 0) {
                for (int j = 0; j < D; j++) {
                    constant[j] = Math.pow(10, -3 + 6 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1);
                }
            }
            return constant.clone();
        });
        s.put("collinear", (i, r) -> {
            double t = r.nextGaussian() + (i % 2) * 5;
            return new double[] {t, 2 * t, 1 - t};
        });
        s.put("1e150 scale", (i, r) -> new double[] {1e150 * (1 + r.nextGaussian()), 1e150 * r.nextGaussian(), -1e150 * (i % 3)});
        s.put("1e-150 scale", (i, r) -> new double[] {1e-150 * r.nextGaussian(), 1e-150 * (r.nextGaussian() + i % 2), 1e-150});
        s.put("bursts of identical points", (i, r) -> i % 10_000 < 2_000
                ? new double[] {0.25, -0.5, 3}
                : new double[] {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()});
        s.put("alternating extremes", (i, r) -> {
            double v = i % 2 == 0 ? 1e100 : -1e100;
            return i % 50 == 0 ? new double[] {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()} : new double[] {v, -v, v * 0.5};
        });
        s.put("long missing runs", (i, r) -> {
            double[] x = {r.nextGaussian() + (i % 2) * 4, r.nextGaussian(), r.nextGaussian() - (i % 2) * 4};
            long run = (i / 20_000) % 4; // 0: complete; 1: x1 missing; 2: x0 and x1 missing; 3: x2 missing
            if (run == 1 || run == 2) {
                x[1] = Double.NaN;
            }
            if (run == 2) {
                x[0] = Double.NaN;
            }
            if (run == 3) {
                x[2] = Double.NaN;
            }
            return x;
        });
        s.put("scale jumps", (i, r) -> {
            double scale = (i / 20_000) % 2 == 0 ? 1e-100 : 1e100;
            return new double[] {scale * r.nextGaussian(), scale * (r.nextGaussian() + i % 2), scale};
        });
        return s;
    }

    static Map<String, ModelSettings> kinds() {
        Map<String, ModelSettings> k = new LinkedHashMap<>();
        for (CovarianceType t : CovarianceType.values()) {
            k.put("mixture " + t.label(), ModelSettings.builder().k(3).covarianceType(t).initPoints(200).build());
        }
        k.put("mixture full, features and gamma tail", ModelSettings.builder().k(3).initPoints(200)
                .features(new FeatureSettings(2, true, 10, false, false))
                .scoring(ScoreSettings.DEFAULT.withLikelihoodTail(LikelihoodTail.GAMMA)).build());
        k.put("mixture, K by BIC", ModelSettings.builder().kRange(1, 4).initPoints(300).build());
        for (CovarianceType t : CovarianceType.values()) {
            k.put("hmm " + t.label(), ModelSettings.builder().kind(ModelKind.HMM).k(3).covarianceType(t).initPoints(200).build());
        }
        return k;
    }

    @Test
    void shouldNeverRejectOrOutputANonFiniteNumberOnTenMillionAdversarialPoints() {
        Map<String, Stream> scenarios = scenarios();
        Map<String, ModelSettings> kinds = kinds();
        long perStream = TOTAL / ((long) scenarios.size() * kinds.size());
        List<String> report = new ArrayList<>();
        long all = 0;
        long allNanos = 0;
        for (Map.Entry<String, ModelSettings> kind : kinds.entrySet()) {
            long nanos = 0;
            for (Map.Entry<String, Stream> sc : scenarios.entrySet()) {
                String where = kind.getKey() + " / " + sc.getKey();
                Random r = new Random(where.hashCode());
                OnlineModel model = OnlineModel.create(kind.getValue());
                PointResult out = new PointResult();
                long t0 = System.nanoTime();
                for (long i = 0; i < perStream; i++) {
                    double[] x = sc.getValue().next(i, r);
                    model.update(x, 1_700_000_000_000L + i * 1000, out); // a rejection throws and fails the test
                    assertFinite(out, where, i);
                    if (i % 10_000 == 9_999) {
                        assertHealthy(model.snapshot(), where + " at " + i);
                    }
                }
                nanos += System.nanoTime() - t0;
                assertHealthy(model.snapshot(), where + " at the end");
                OnlineModel back = StateCodec.decode(StateCodec.encode(model));
                assertArrayEquals(StateCodec.encode(model), StateCodec.encode(back), where + ": state codec round trip");
            }
            long n = perStream * scenarios.size();
            all += n;
            allNanos += nanos;
            report.add(String.format("%s: %,d points, %.0f points/s", kind.getKey(), n, n / (nanos / 1e9)));
        }
        System.out.printf("adversarial: %,d points through %d model kinds x %d streams, 0 rejected, 0 non-finite outputs, %.1f s (%.0f points/s)%n",
                all, kinds.size(), scenarios.size(), allNanos / 1e9, all / (allNanos / 1e9));
        report.forEach(line -> System.out.println("adversarial: " + line));
    }

    private static void assertFinite(PointResult out, String where, long i) {
        if (out.warmup) {
            return;
        }
        boolean ok = Double.isFinite(out.logDensity) && Double.isFinite(out.pValue) && out.pValue > 0 && out.pValue <= 1
                && Double.isFinite(out.anomalyScore) && Double.isFinite(out.stepSize);
        for (int c = 0; c < out.components; c++) {
            ok &= Double.isFinite(out.responsibilities[c]);
        }
        if (out.hasMissing) {
            for (int j = 0; j < D; j++) {
                ok &= Double.isFinite(out.imputed[j]);
            }
        }
        if (out.regimeChanged) { // the regime event's probability, set only with a change
            ok &= Double.isFinite(out.regimeProbability);
        }
        if (!ok) {
            throw new AssertionError(where + ": a non-finite output at point " + i + ": logDensity " + out.logDensity + ", pValue " + out.pValue
                    + ", anomalyScore " + out.anomalyScore + ", responsibilities " + java.util.Arrays.toString(out.responsibilitiesCopy())
                    + ", imputed " + java.util.Arrays.toString(out.imputed) + ", regimeProbability " + out.regimeProbability);
        }
    }

    private static void assertHealthy(ModelSnapshot s, String where) {
        if (s == null) {
            return; // still warming up
        }
        try {
            DegenerateStreamTest.assertHealthy(s);
            assertTrue(Double.isFinite(s.avgLogLikelihood()), "avgLogLikelihood " + s.avgLogLikelihood());
            if (s.transitionMatrix() != null) {
                for (int a = 0; a < s.components(); a++) {
                    double row = 0;
                    for (double p : s.transitionMatrix()[a]) {
                        assertTrue(Double.isFinite(p) && p >= 0, "transition probability " + p);
                        row += p;
                    }
                    assertEquals(1, row, 1e-9, "transition row sum");
                    assertTrue(Double.isFinite(s.initialProbabilities()[a]), "initial probability");
                    assertTrue(Double.isFinite(s.expectedDurations()[a]), "expected duration " + s.expectedDurations()[a]);
                }
            }
        } catch (AssertionError e) {
            throw new AssertionError(where + ": " + e.getMessage(), e);
        }
    }
}
