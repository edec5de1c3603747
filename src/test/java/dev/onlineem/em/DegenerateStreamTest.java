package dev.onlineem.em;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.base.ModelSnapshot;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DegenerateStreamTest {
    private static final int INIT = 100;

    private static void assertHealthyAfter(CovarianceType type, int n, IntFunction<double[]> stream) {
        OnlineMixtureModel model = new OnlineMixtureModel(ModelSettings.builder().k(3).covarianceType(type).initPoints(INIT).build());
        PointResult out = new PointResult();
        for (int i = 0; i < n; i++) {
            model.update(stream.apply(i), out);
            if (!out.warmup) {
                assertTrue(Double.isFinite(out.pValue) && out.pValue > 0 && out.pValue <= 1, "pValue " + out.pValue + " at " + i);
                assertTrue(!Double.isNaN(out.logDensity), "logDensity NaN at " + i);
                assertTrue(out.anomalyScore >= 0 && out.anomalyScore <= 1, "anomalyScore " + out.anomalyScore + " at " + i);
                for (int c = 0; c < out.components; c++) {
                    assertTrue(Double.isFinite(out.responsibilities[c]), "responsibility at " + i);
                }
            }
        }
        assertHealthy(model.snapshot());
        assertHealthy(StateCodec.decode(StateCodec.encode(model)).snapshot());
    }

    static void assertHealthy(ModelSnapshot s) {
        double wsum = 0;
        for (int c = 0; c < s.components(); c++) {
            assertTrue(Double.isFinite(s.weights()[c]) && s.weights()[c] > 0, "weight " + s.weights()[c]);
            wsum += s.weights()[c];
            for (double m : s.means()[c]) {
                assertTrue(Double.isFinite(m), "mean " + m);
            }
            assertPositiveDefinite(s.covariances()[c]);
        }
        assertEquals(1, wsum, 1e-9);
        assertTrue(Double.isFinite(s.stepSize()));
    }

    /** Cholesky succeeds with a positive, finite diagonal. */
    static void assertPositiveDefinite(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                assertTrue(Double.isFinite(a[i][j]) && a[i][j] == a[j][i], "covariance entry " + a[i][j]);
                double s = a[i][j];
                for (int m = 0; m < j; m++) {
                    s -= l[i][m] * l[j][m];
                }
                if (i == j) {
                    assertTrue(s > 0, "covariance not positive definite");
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void shouldStayFiniteOnAConstantStream(CovarianceType type) {
        assertHealthyAfter(type, 3000, i -> new double[] {5, -2, 1e-3});
    }

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void shouldStayFiniteOnCollinearPoints(CovarianceType type) {
        Random r = new Random(1);
        assertHealthyAfter(type, 3000, i -> {
            double t = r.nextGaussian();
            return new double[] {t, 2 * t, -t + 3};
        });
    }

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void shouldStayFiniteAfterASingleHugeOutlier(CovarianceType type) {
        Random r = new Random(2);
        assertHealthyAfter(type, 3000, i -> i == 1500 ? new double[] {1e12, -1e12, 1e12}
                : new double[] {r.nextGaussian(), r.nextGaussian(), r.nextGaussian() + (i % 2) * 5});
    }

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void shouldStayFiniteWhenEveryDensityUnderflows(CovarianceType type) {
        Random r = new Random(3);
        assertHealthyAfter(type, 3000, i -> i > 1000 && i % 10 == 0
                ? new double[] {1e6 + r.nextGaussian(), -1e6, 1e6}
                : new double[] {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()});
    }

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void shouldStayFiniteOnABurstOfIdenticalPointsAndHugeValues(CovarianceType type) {
        Random r = new Random(4);
        assertHealthyAfter(type, 5000, i -> {
            if (i > 1000 && i < 3000) {
                return new double[] {0.5, 0.5, 0.5};
            }
            if (i >= 3000 && i % 50 == 0) {
                return new double[] {1e150, -1e150, 1e150 * r.nextDouble()};
            }
            return new double[] {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
        });
    }

    @ParameterizedTest
    @EnumSource(CovarianceType.class)
    void shouldStayFiniteWhenAPointIs1e200StandardUnitsOut(CovarianceType type) {
        // data at 1e-100 meets points at 1e100: squares of the standardised coordinates would overflow
        Random r = new Random(5);
        assertHealthyAfter(type, 3000, i -> i > 1000 && i % 100 == 0
                ? new double[] {1e100, -1e100, 1e100 * r.nextDouble()}
                : new double[] {1e-100 * r.nextGaussian(), 1e-100 * (r.nextGaussian() + i % 2 * 4), 1e-100 * r.nextGaussian()});
    }

    @Test
    void shouldRejectAPointOfTheWrongDimensionAndLeaveTheModelUnchanged() {
        OnlineMixtureModel model = new OnlineMixtureModel(ModelSettings.builder().build());
        model.update(new double[] {1, 2, 3}, new PointResult());
        byte[] before = StateCodec.encode(model);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.update(new double[] {1, 2}, new PointResult()));
        assertEquals("dimension 3 expected, got 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> model.update(new double[] {1, Double.POSITIVE_INFINITY, 3}, new PointResult()));
        assertThrows(IllegalArgumentException.class, () -> model.update(new double[] {Double.NaN, Double.NaN, Double.NaN}, new PointResult()));
        org.junit.jupiter.api.Assertions.assertArrayEquals(before, StateCodec.encode(model));
    }
}
