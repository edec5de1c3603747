package dev.onlineem.em.mixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.density.EStepWork;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Online EM's step on scaled statistics against the plain blend s = (1 - gamma) s + gamma r T(x). */
class SufficientStatisticsTest {

    @Test
    void shouldTakeTheSameStepAsThePlainBlendWhileTheScaleDecaysAndFolds() {
        int k = 3;
        int d = 2;
        GaussianMixture g = new GaussianMixture(k, d, CovarianceType.FULL);
        for (int c = 0; c < k; c++) {
            g.means[c][0] = 3 * c;
        }
        g.refreshAll();
        SufficientStatistics scaled = new SufficientStatistics(k, d, CovarianceType.FULL);
        SufficientStatistics plain = new SufficientStatistics(k, d, CovarianceType.FULL);
        Random r = new Random(5);
        double[] resp = new double[k];
        EStepWork work = g.newWork(true);
        double smallest = 1;
        int folds = 0;
        for (int i = 0; i < 5000; i++) {
            double[] x = {3 * r.nextInt(k) + r.nextGaussian(), r.nextGaussian()};
            g.eStep(x, resp, work);
            double gamma = 0.3; // the scale loses a factor 1e-100 in 650 points
            double before = scaled.scale;
            scaled.step(gamma, resp, work);
            if (scaled.scale > before) {
                folds++;
            }
            plain.blend(1 - gamma, gamma, resp, work);
            smallest = Math.min(smallest, scaled.scale);
        }
        assertTrue(smallest >= SufficientStatistics.RESCALE_BELOW, "the scale stays above " + SufficientStatistics.RESCALE_BELOW);
        assertTrue(folds >= 5, "the scale was folded into the arrays " + folds + " times");
        for (int c = 0; c < k; c++) {
            assertEquals(plain.s0[c], scaled.weight(c), 1e-13 * Math.max(1e-3, plain.s0[c]), "s0 of " + c);
            for (int j = 0; j < d; j++) {
                assertEquals(plain.s1[c][j], scaled.s1[c][j] * scaled.scale, 1e-12, "s1 of " + c);
            }
            for (int j = 0; j < d * d; j++) {
                assertEquals(plain.s2[c][j], scaled.s2[c][j] * scaled.scale, 1e-12, "s2 of " + c);
            }
        }
    }

    @Test
    void shouldLeaveAComponentsArraysAloneWhenItsShareIsNegligible() {
        GaussianMixture g = new GaussianMixture(2, 1, CovarianceType.FULL);
        g.means[1][0] = 100; // a point at 0 gives component 1 a share of about e^-5000: zero
        g.refreshAll();
        SufficientStatistics s = new SufficientStatistics(2, 1, CovarianceType.FULL);
        s.s0[0] = 0.5;
        s.s0[1] = 0.5;
        s.s1[1][0] = 50;
        s.s2[1][0] = 5000.5;
        double[] resp = new double[2];
        EStepWork work = g.newWork(true);
        g.eStep(new double[] {0}, resp, work);
        s.step(0.1, resp, work);
        assertEquals(0.9, s.scale, 0);
        assertEquals(0.5, s.s0[1], 0, "untouched: only the scale decayed");
        assertEquals(50, s.s1[1][0], 0);
        assertEquals(0.5 * 0.9 + 0.1, s.weight(0), 1e-15);
    }

    @Test
    void shouldCopyAddAndAverageTheStatisticsWhateverTheirScales() {
        SufficientStatistics a = new SufficientStatistics(1, 1, CovarianceType.FULL);
        a.s0[0] = 4;
        a.s1[0][0] = 8;
        a.s2[0][0] = 20;
        a.scale = 0.25; // the statistics are 1, 2, 5
        SufficientStatistics copy = a.copy();
        assertEquals(1, copy.scale, 0);
        assertEquals(1, copy.weight(0), 0);
        assertEquals(2, copy.s1[0][0], 0);
        SufficientStatistics b = new SufficientStatistics(1, 1, CovarianceType.FULL);
        b.s0[0] = 3;
        b.s1[0][0] = 3;
        b.s2[0][0] = 3;
        b.scale = 2; // 6, 6, 6
        b.moveToward(a, 0.5); // (6 + 1) / 2, (6 + 2) / 2, (6 + 5) / 2
        assertEquals(3.5, b.weight(0), 1e-15);
        assertEquals(4, b.s1[0][0] * b.scale, 1e-15);
        assertEquals(5.5, b.s2[0][0] * b.scale, 1e-15);
        b.addScaled(a, 2); // + 2, 4, 10
        assertEquals(5.5, b.weight(0), 1e-15);
        assertEquals(15.5, b.s2[0][0] * b.scale, 1e-15);
    }
}
