package dev.onlineem.em.density;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The normal quantile that calibrates drift repair's detector. */
class SpecialFunctionsTest {
    @Test
    void shouldGiveTheNormalQuantilesOfTheTables() {
        // Reference: R 4.x qnorm(p) printed with 16 digits (the textbook values 1.96, 2.576, -3.090, -1.2816, -6.3613)
        double[][] pq = {{0.975, 1.959963984540054}, {0.995, 2.575829303548901}, {0.001, -3.090232306167813},
            {0.1, -1.2815515655446004}, {1e-10, -6.361340902404056}, {0.5, 0}};
        for (double[] r : pq) {
            assertEquals(r[1], SpecialFunctions.normalQuantile(r[0]), 1e-12 * Math.max(1, Math.abs(r[1])), "p = " + r[0]);
        }
    }

    @Test
    void shouldInvertTheNormalTailAcrossItsRange() {
        // Phi(q(p)) = p by the independent erfc (Numerical Recipes' Chebyshev fit), from 1e-300 to 1 - 1e-12
        for (double logP = -300 * Math.log(10); logP < -1e-12; logP /= 1.3) {
            double p = Math.exp(logP);
            for (double x : new double[] {p, 1 - p}) {
                if (x <= 0 || x >= 1) {
                    continue;
                }
                double q = SpecialFunctions.normalQuantile(x);
                double back = q < 0 ? 0.5 * Erf.erfc(-q / Math.sqrt(2)) : 1 - 0.5 * Erf.erfc(q / Math.sqrt(2));
                assertEquals(1, back / x, 1e-12, "p = " + x + ", q = " + q);
            }
        }
        assertEquals(Double.NEGATIVE_INFINITY, SpecialFunctions.normalQuantile(0));
        assertEquals(Double.POSITIVE_INFINITY, SpecialFunctions.normalQuantile(1));
        assertTrue(Double.isNaN(SpecialFunctions.normalQuantile(1.5)));
    }
}
