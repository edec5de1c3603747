package dev.onlineem.em.density;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The degrees of freedom's Fisher-scoring (ECME) step of Student-t components: each point's score and information, the M-step. */
class StudentTailsTest {

    @Test
    void shouldComputeTheDegreesOfFreedomsScoreAndInformationAsMpmathDoes() {
        // (psi((nu + p) / 2) - psi(nu / 2)) / 2 - p / (2 nu) and nu^2 ((psi'(nu / 2) - psi'((nu + p) / 2)) / 4
        // - p (nu + p + 4) / (2 nu (nu + p) (nu + p + 2))) by mpmath 1.2.1 at 40 digits (Debian python3-mpmath)
        double[] nu = {0.7, 3.0671, 12, 150, 150, 4};
        int[] p = {1, 1, 3, 2, 1, 16};
        double[] score = {0.34361442128235126287, 0.025380892637708280197, -0.0046800920928568423288, 0,
            0.000011110864219474593631, -1.0855158730158730159};
        double[] information = {0.55805826727230633104, 0.14801086301364851267, 0.052277654866579627167,
            0.00034176349965823650034, 0.00015178019259723851638, 0.41361637921161730686};
        for (int i = 0; i < nu.length; i++) {
            String at = "nu " + nu[i] + ", p " + p[i];
            assertEquals(score[i], StudentTails.scoreConstant(nu[i], p[i]), 1e-12 * Math.abs(score[i]) + 1e-17, at);
            assertEquals(information[i], StudentTails.information(nu[i], p[i]), 1e-9 * information[i], at);
        }
    }

    @Test
    void shouldScoreEachPointAsTheDerivativeOfItsLogDensityInLogNu() {
        for (double nu : new double[] {0.8, 3, 40}) {
            for (double maha : new double[] {0, 0.3, 4, 90}) {
                double h = 1e-5;
                double y = Math.log(nu);
                double derivative = (logDensity(Math.exp(y + h), maha) - logDensity(Math.exp(y - h), maha)) / (2 * h);
                StudentTails tails = (StudentTails) Tails.of(Distribution.STUDENT_T, 1, 2);
                tails.setDf(0, nu);
                EStepWork work = new EStepWork(1, 2, false);
                work.pattern(new double[] {0, 0}, 2);
                work.componentLogDensities[0] = 0;
                work.mahalanobis[0] = maha;
                tails.densities(new double[] {0}, work);
                double scoreY = work.dfTerms[0] - work.dfInformation[0] * y;
                assertEquals(derivative, scoreY, 1e-7 * (1 + Math.abs(derivative)), "nu " + nu + ", delta^2 " + maha);
                assertEquals(logDensity(nu, maha), work.componentLogDensities[0], 1e-12 * (1 + Math.abs(logDensity(nu, maha))));
            }
        }
    }

    /** The bivariate t log-density at squared distance maha, unit scale, straight from its formula. */
    private static double logDensity(double nu, double maha) {
        return SpecialFunctions.logGamma((nu + 2) / 2) - SpecialFunctions.logGamma(nu / 2) - Math.log(nu * Math.PI)
                - (nu + 2) / 2 * Math.log1p(maha / nu);
    }

    @Test
    void shouldSetTheDegreesOfFreedomAtTheRootOfTheLinearisedScoresWithinTheBounds() {
        StudentTails tails = (StudentTails) Tails.of(Distribution.STUDENT_T, 1, 1);
        for (double nu : new double[] {0.7, 1, 3.0671, 12, 150}) {
            for (double start : new double[] {Distribution.MIN_DF, 5, nu, Distribution.MAX_DF}) {
                tails.setDf(0, start);
                double info = StudentTails.information(start, 1);
                // statistics of weight 2 whose scores, linearised about the start, vanish at nu
                tails.mStepDf(0, 2, 2 * info * Math.log(nu), 2 * info);
                assertEquals(nu, tails.df(0), 1e-12 * nu, "from " + start);
            }
        }
        tails.setDf(0, 5);
        tails.mStepDf(0, 1, 100, 1); // a root far past the upper bound
        assertEquals(Distribution.MAX_DF, tails.df(0));
        tails.mStepDf(0, 1, -100, 1); // and below the lower one
        assertEquals(Distribution.MIN_DF, tails.df(0));
        tails.setDf(0, 5);
        tails.mStepDf(0, 1, 1, 0); // no information: the df stay
        assertEquals(5, tails.df(0));
    }

    @Test
    void shouldKeepTheDegreesOfFreedomOfANeutralPoint() {
        StudentTails tails = (StudentTails) Tails.of(Distribution.STUDENT_T, 2, 3);
        tails.setDf(0, 2.5);
        tails.setDf(1, 70);
        EStepWork work = new EStepWork(2, 3, false);
        tails.neutral(work);
        for (int c = 0; c < 2; c++) {
            double before = tails.df(c);
            assertEquals(tails.neutralDfStatistic(c, 0.3), 0.3 * work.dfTerms[c], 1e-15);
            assertEquals(tails.neutralDfInformation(c, 0.3), 0.3 * work.dfInformation[c], 1e-15);
            tails.mStepDf(c, 0.3, tails.neutralDfStatistic(c, 0.3), tails.neutralDfInformation(c, 0.3));
            assertEquals(before, tails.df(c), 1e-12 * before);
        }
    }

    @Test
    void shouldRecomputeAMissingPatternsConstantsWhenTheDegreesOfFreedomChange() {
        StudentTails tails = (StudentTails) Tails.of(Distribution.STUDENT_T, 1, 3);
        EStepWork work = new EStepWork(1, 3, false);
        work.pattern(new double[] {0, Double.NaN, Double.NaN}, 3); // one coordinate observed: the cache's p = 1 row
        for (double nu : new double[] {3, 7, 3}) {
            tails.setDf(0, nu);
            work.mahalanobis[0] = 2.5;
            tails.densities(new double[] {0.4}, work);
            StudentTails fresh = (StudentTails) Tails.of(Distribution.STUDENT_T, 1, 3);
            fresh.setDf(0, nu);
            EStepWork expected = new EStepWork(1, 3, false);
            expected.pattern(new double[] {0, Double.NaN, Double.NaN}, 3);
            expected.mahalanobis[0] = 2.5;
            fresh.densities(new double[] {0.4}, expected);
            assertEquals(expected.componentLogDensities[0], work.componentLogDensities[0], 0, "nu " + nu);
            assertEquals(expected.dfTerms[0], work.dfTerms[0], 0, "nu " + nu);
            assertEquals(StudentTails.information(nu, 1), work.dfInformation[0], 0, "nu " + nu);
        }
    }
}
