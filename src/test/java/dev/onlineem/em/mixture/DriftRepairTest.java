package dev.onlineem.em.mixture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.ModelSettings;
import dev.onlineem.em.OnlineMixtureModel;
import dev.onlineem.em.PointResult;
import dev.onlineem.em.StateCodec;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Drift repair: after an abrupt change of the whole mixture the model reaches the new truth (where stepwise EM
 * alone stays in the local optimum the change left it in), a stationary model is left alone, and a restored
 * model goes on bit for bit.
 */
class DriftRepairTest {
    private static final int HALF_LIFE = 2_000;
    /** Acceptance: within 10 half-lives of the change, within 1% of the new truth on every seed, 0.2% at the median. */
    private static final double WORST_GAP = 0.01;
    private static final double MEDIAN_GAP = 0.002;

    private static ModelSettings settings(int k, int repairWindow) {
        // the service's defaults (half-life 2,000, a 200-point warm-up) with K fixed
        return ModelSettings.builder().k(k).halfLife(HALF_LIFE).initPoints(200).repairWindow(repairWindow).build();
    }

    /** The relative gap of the model's held-out mean log-likelihood to the new truth's, 10 half-lives after the change. */
    private static double gapAfterChange(int k, int d, long seed, int repairWindow) {
        Random r = new Random(seed * 1_000_003L + k * 31L + d);
        TrueMixture before = TrueMixture.random(k, d, 3, r);
        TrueMixture after = TrueMixture.random(k, d, 3, r);
        double[][] test = after.sample(5_000, r);
        OnlineMixtureModel m = new OnlineMixtureModel(settings(k, repairWindow));
        PointResult out = new PointResult();
        for (int i = 0; i < 20_000; i++) {
            m.update(before.sample(r), out);
        }
        for (int i = 0; i < 10 * HALF_LIFE; i++) {
            m.update(after.sample(r), out);
        }
        OnlineMixtureModel.Scorer scorer = m.scorer();
        double s = 0;
        for (double[] x : test) {
            s += scorer.logDensity(x);
        }
        double truth = after.meanLogDensity(test);
        return (truth - s / test.length) / Math.abs(truth);
    }

    @Test
    void shouldReachTheNewTruthAfterAnAbruptChangeOfTheWholeMixture() {
        int[][] shapes = {{3, 3}, {4, 5}};
        double[] repaired = new double[8];
        double worstUnrepaired = 0;
        int i = 0;
        for (int[] kd : shapes) {
            for (long seed = 1; seed <= 4; seed++) {
                repaired[i++] = gapAfterChange(kd[0], kd[1], seed, ModelSettings.DEFAULT_REPAIR_WINDOW);
                worstUnrepaired = Math.max(worstUnrepaired, gapAfterChange(kd[0], kd[1], seed, 0));
            }
        }
        Arrays.sort(repaired);
        assertTrue(repaired[repaired.length - 1] <= WORST_GAP, "worst gap with repair " + Arrays.toString(repaired));
        assertTrue((repaired[3] + repaired[4]) / 2 <= MEDIAN_GAP, "median gap with repair " + Arrays.toString(repaired));
        // the same streams without repair: stepwise EM keeps the structure the change left it in
        assertTrue(worstUnrepaired > 0.05, "without repair the worst gap is " + worstUnrepaired);
    }

    @Test
    void shouldWidenTheGainsErrorWhenNeighbouringGainsAreCorrelated() {
        // 250 judged gains: independent ones, and the same values sorted into a slow rise (an autocorrelated stream's gains
        // drift with its level), which the independent points' error cannot tell apart
        Random r = new Random(3);
        double[] gains = new double[250];
        for (int i = 0; i < gains.length; i++) {
            gains[i] = 0.1 * r.nextGaussian();
        }
        double mean = Arrays.stream(gains).average().orElseThrow();
        double independent = Math.sqrt(Arrays.stream(gains).map(g -> (g - mean) * (g - mean)).sum() / gains.length / (gains.length - 1));
        double blocks = DriftRepair.batchMeansError(gains, mean);
        assertTrue(blocks > 0.5 * independent && blocks < 2 * independent, "independent gains: " + blocks + " against " + independent);
        double[] drifting = gains.clone();
        Arrays.sort(drifting);
        double correlated = DriftRepair.batchMeansError(drifting, mean);
        assertTrue(correlated > 5 * independent, "correlated gains: " + correlated + " against " + independent);
        assertEquals(0, DriftRepair.batchMeansError(new double[DriftRepair.BLOCKS], 0)); // too few points for blocks
    }

    @Test
    void shouldLeaveAStationaryModelAlone() {
        TrueMixture truth = TrueMixture.random(3, 3, 3, new Random(11));
        Random r = new Random(12);
        OnlineMixtureModel m = new OnlineMixtureModel(settings(3, ModelSettings.DEFAULT_REPAIR_WINDOW));
        PointResult out = new PointResult();
        for (int i = 0; i < 100_000; i++) {
            m.update(truth.sample(r), out);
        }
        // periodic checks after 8, 16, 32, 64 and 64 windows of 500 points (at 4,000, 12,000, 28,000, 60,000 and 92,000
        // points), and at most one CUSUM alarm by chance: on calibrated input its average run length is about 140,000 points
        // (on the raw log-density it tripped about 9 times per 100,000)
        assertTrue(m.repairChecks() >= 5 && m.repairChecks() <= 6, "checks run: " + m.repairChecks());
        assertEquals(DriftRepair.MAX_PERIODIC_WINDOWS, m.repair().periodicWindows, "checks that find nothing back off");
        assertEquals(0, m.repairs(), "a stationary model fitted on a long memory is not replaced");
    }

    @Test
    void shouldRestoreTheWindowAndDetectorBitForBit() {
        Random r = new Random(21);
        TrueMixture before = TrueMixture.random(2, 2, 3, r);
        TrueMixture after = TrueMixture.random(2, 2, 3, r);
        OnlineMixtureModel m = new OnlineMixtureModel(settings(2, 100));
        PointResult a = new PointResult();
        for (int i = 0; i < 3_000; i++) {
            m.update(before.sample(r), a);
        }
        for (int i = 0; i < 30; i++) {
            m.update(after.sample(r), a); // the CUSUM has tripped: a check is scheduled
        }
        assertTrue(m.repair().dueIn > 0, "a check is due after the change");
        OnlineMixtureModel restored = (OnlineMixtureModel) StateCodec.decode(StateCodec.encode(m));
        PointResult b = new PointResult();
        for (int i = 0; i < 2_000; i++) {
            double[] x = after.sample(r);
            m.update(x, a);
            restored.update(x, b);
            assertEquals(Double.doubleToLongBits(a.logDensity), Double.doubleToLongBits(b.logDensity), "point " + i);
        }
        assertTrue(m.repairs() >= 1, "the change was repaired");
        assertEquals(m.repairs(), restored.repairs());
        assertArrayEquals(StateCodec.encode(m), StateCodec.encode(restored));
    }
}
