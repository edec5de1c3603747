package dev.onlineem.em.density;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The blocked right-looking factor against the textbook dot-product form, bit for bit. */
class CholeskyTest {

    /** U[j][i] = (a[j][i] - sum_{m<j} U[m][i] U[m][j]) / U[j][j], the diagonal a square root: Cholesky-Banachiewicz. */
    private static boolean textbook(double[] a, double[] u, int d) {
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                double s = a[j * d + i];
                for (int m = 0; m < j; m++) {
                    s -= u[m * d + i] * u[m * d + j];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        return false;
                    }
                    u[j * d + j] = Math.sqrt(s);
                } else {
                    u[j * d + i] = s * (1 / u[j * d + j]);
                }
            }
        }
        return true;
    }

    private static double[] randomCovariance(Random r, int d) {
        double[] a = new double[d * d];
        double[] x = new double[d];
        for (int s = 0; s < d + 3; s++) {
            for (int j = 0; j < d; j++) {
                x[j] = r.nextGaussian() * Math.exp(2 * r.nextGaussian());
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    a[i * d + j] += x[i] * x[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            a[i * d + i] += 1e-6;
        }
        return a;
    }

    @Test
    void shouldGiveTheTextbookFactorBitForBitInEveryDimensionAndBlockRemainder() {
        Random r = new Random(11);
        for (int d = 1; d <= 21; d++) {
            for (int trial = 0; trial < 20; trial++) {
                double[] a = randomCovariance(r, d);
                double[] blocked = new double[d * d];
                double[] plain = new double[d * d];
                assertTrue(FullCovariance.choleskyUpper(a, blocked, d));
                assertTrue(textbook(a, plain, d));
                for (int j = 0; j < d; j++) {
                    for (int i = j; i < d; i++) {
                        assertEquals(Double.doubleToRawLongBits(plain[j * d + i]), Double.doubleToRawLongBits(blocked[j * d + i]),
                                "d=" + d + " U[" + j + "][" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void shouldRefuseAMatrixThatIsNotPositiveDefinite() {
        double[] a = {1, 2, 0, 2, 1, 0, 0, 0, 1}; // eigenvalues 3, -1, 1
        assertFalse(FullCovariance.choleskyUpper(a, new double[9], 3));
        assertFalse(FullCovariance.choleskyUpper(new double[] {Double.NaN}, new double[1], 1));
    }
}
