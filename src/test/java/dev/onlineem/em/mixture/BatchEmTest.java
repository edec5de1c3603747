package dev.onlineem.em.mixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.density.EStepWork;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BatchEmTest {
    private static final double SIX_DIGITS = 5e-7;
    private static final double FOUR_DIGITS = 5e-4;
    private static final double[][] WORKED_X = {{1.0}, {1.5}, {2.0}, {8.0}, {8.5}, {9.0}};

    private static GaussianMixture workedStart() {
        // DESIGN.md "Worked example, corrected": pi = (0.5, 0.5), mu = (2.0, 7.0), sigma = (1.0, 1.0)
        GaussianMixture g = new GaussianMixture(2, 1, CovarianceType.FULL);
        g.means[0][0] = 2.0;
        g.means[1][0] = 7.0;
        g.refreshAll();
        return g;
    }

    @Test
    void shouldReproduceTheCorrectedWorkedExampleResponsibilities() {
        // Reference: DESIGN.md "Worked example, corrected" (responsibilities of component 1 under the start).
        GaussianMixture g = workedStart();
        double[] r = new double[2];
        double[] expectedComplement = {2.511e-8, 3.059e-7, 3.727e-6};
        for (int i = 0; i < 3; i++) {
            g.eStep(WORKED_X[i], r);
            assertEquals(expectedComplement[i], r[1], expectedComplement[i] * FOUR_DIGITS, "r_2 for x=" + WORKED_X[i][0]);
        }
        double[] expectedR1 = {2.511e-8, 2.061e-9, 1.692e-10};
        for (int i = 0; i < 3; i++) {
            g.eStep(WORKED_X[3 + i], r);
            assertEquals(expectedR1[i], r[0], expectedR1[i] * FOUR_DIGITS, "r_1 for x=" + WORKED_X[3 + i][0]);
        }
    }

    @Test
    void shouldReproduceTheCorrectedWorkedExampleFirstIteration() {
        // Reference: DESIGN.md: after one iteration pi_1 = 0.4999993, mu = (1.4999994, 8.4999912),
        // sigma = (0.4082487, 0.4083190), log-likelihood -7.297236 (under the updated parameters).
        GaussianMixture g = workedStart();
        BatchEm.Fit fit = new BatchEm(CovarianceType.FULL, 1e-300, 1, 1, 0).iterate(WORKED_X, g);
        assertRelative(0.4999993, g.weights[0], SIX_DIGITS);
        assertRelative(1.4999994, g.means[0][0], SIX_DIGITS);
        assertRelative(8.4999912, g.means[1][0], SIX_DIGITS);
        assertRelative(0.4082487, Math.sqrt(g.covariances[0][0]), SIX_DIGITS);
        assertRelative(0.4083190, Math.sqrt(g.covariances[1][0]), SIX_DIGITS);
        assertRelative(-7.297236, fit.logLikelihood, SIX_DIGITS);
    }

    @Test
    void shouldConvergeToTheWorkedExampleFixedPoint() {
        // Reference: DESIGN.md: the fixed point is mu = (1.5, 8.5), sigma^2 = 1/6, pi = (0.5, 0.5).
        GaussianMixture g = workedStart();
        new BatchEm(CovarianceType.FULL, 1e-300, 1, 500, 1e-15).iterate(WORKED_X, g);
        assertRelative(0.5, g.weights[0], 1e-9);
        assertRelative(1.5, g.means[0][0], 1e-9);
        assertRelative(8.5, g.means[1][0], 1e-9);
        assertRelative(1.0 / 6, g.covariances[0][0], 1e-9);
        assertRelative(1.0 / 6, g.covariances[1][0], 1e-9);
    }

    @Test
    void shouldNeverLowerTheLogLikelihoodFromOneIterationToTheNext() {
        Random r = new Random(7);
        for (CovarianceType type : CovarianceType.values()) {
            for (int trial = 0; trial < 10; trial++) {
                TrueMixture truth = TrueMixture.random(2 + r.nextInt(3), 1 + r.nextInt(5), 2.0, r);
                double[][] data = truth.sample(300, r);
                if (trial % 2 == 1) {
                    for (double[] row : data) {
                        if (row.length > 1 && r.nextDouble() < 0.2) {
                            row[r.nextInt(row.length)] = Double.NaN;
                        }
                    }
                }
                int k = 1 + r.nextInt(4);
                BatchEm.Fit fit = new BatchEm(type, 1e-12, 1, 100, 0).fit(data, k, r);
                for (int i = 1; i < fit.trace.length; i++) {
                    double slack = 1e-9 * Math.abs(fit.trace[i - 1]);
                    assertTrue(fit.trace[i] >= fit.trace[i - 1] - slack,
                            type + " trial " + trial + " iteration " + i + ": " + fit.trace[i - 1] + " -> " + fit.trace[i]);
                }
            }
        }
    }

    @Test
    void shouldAgreeWithOnlineEmAtStepSizeOne() {
        // Property: one online update with gamma = 1 is one batch-EM iteration on a single point.
        Random r = new Random(3);
        TrueMixture truth = TrueMixture.random(3, 3, 2.0, r);
        double[] x = truth.sample(r);
        GaussianMixture online = new GaussianMixture(3, 3, CovarianceType.FULL);
        GaussianMixture batch = new GaussianMixture(3, 3, CovarianceType.FULL);
        for (int c = 0; c < 3; c++) {
            online.means[c] = truth.means[c].clone();
            batch.means[c] = truth.means[c].clone();
        }
        online.refreshAll();
        batch.refreshAll();
        SufficientStatistics s = new SufficientStatistics(3, 3, CovarianceType.FULL);
        s.s0[0] = 0.3;
        double[] resp = new double[3];
        EStepWork work = online.newWork(true);
        online.eStep(x, resp, work);
        s.blend(0, 1, resp, work);
        s.mStep(online, 1e-6);
        new BatchEm(CovarianceType.FULL, 1e-6, 1, 1, 0).iterate(new double[][] {x}, batch);
        for (int c = 0; c < 3; c++) {
            assertEquals(batch.weights[c], online.weights[c], 1e-15);
            for (int j = 0; j < 3; j++) {
                assertEquals(batch.means[c][j], online.means[c][j], 1e-12);
            }
        }
    }

    static void assertRelative(double expected, double actual, double tol) {
        assertEquals(expected, actual, Math.abs(expected) * tol, "expected " + expected + ", got " + actual);
    }
}
