package dev.onlineem.em.mixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.density.EStepWork;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The challenger: on an exchangeable stream it replaces a model stuck in a poor basin of the likelihood with one in the
 * right basin, it never replaces a model already in the right one, it leaves a stream whose gains come in runs alone,
 * and its state goes on bit for bit.
 *
 * <p>The stream: four clusters in 2-D (unit covariances, weight 0.25 each) at the corners of an 8 by 5 rectangle, (0, 0),
 * (8, 0), (0, 5) and (8, 5); K = 2. Both ways of pairing the corners are fixed points of EM: the right basin pairs them
 * across the short side (components at x = 0 and x = 8, variance 1 + 2.5^2 along y), the poor one across the long side
 * (components at y = 0 and y = 5, variance 1 + 4^2 along x), about 0.4 nats a point lower.
 */
class ChallengerTest {
    private static final int WINDOW = 500;
    private static final double REG = 1e-6;
    private static final double[][] CENTRES = {{0, 0}, {8, 0}, {0, 5}, {8, 5}};

    private static double[] draw(int cluster, Random r) {
        return new double[] {CENTRES[cluster][0] + r.nextGaussian(), CENTRES[cluster][1] + r.nextGaussian()};
    }

    private static int cluster(Random r) {
        return r.nextInt(CENTRES.length);
    }

    private static double[][] sample(int n, Random r) {
        double[][] x = new double[n][];
        for (int i = 0; i < n; i++) {
            x[i] = draw(cluster(r), r);
        }
        return x;
    }

    /** Batch EM on {@code data} from the given means (identity covariances, equal weights). */
    private static GaussianMixture fitFrom(double[][] data, double[]... means) {
        GaussianMixture start = new GaussianMixture(means.length, 2, CovarianceType.FULL);
        for (int c = 0; c < means.length; c++) {
            start.weights[c] = 1.0 / means.length;
            System.arraycopy(means[c], 0, start.means[c], 0, 2);
            start.refresh(c);
        }
        return new BatchEm(CovarianceType.FULL, REG, 1, 200, 1e-10).iterate(data, start).mixture;
    }

    private static double meanLogDensity(GaussianMixture g, double[][] data) {
        GaussianMixture copy = g.copy();
        double[] r = new double[copy.k];
        double s = 0;
        for (double[] x : data) {
            s += copy.eStep(x, r);
        }
        return s / data.length;
    }

    /** What a run of the challenger against a fixed model did. */
    private record Run(Challenger challenger, GaussianMixture winner, int wonAt) {
    }

    /** Fills the window with the stream's first points, then runs challengers against {@code model} on the rest. */
    private static Run run(GaussianMixture model, double[][] stream, long seed) {
        DriftRepair window = new DriftRepair(WINDOW, 2);
        Challenger ch = new Challenger(WINDOW);
        EStepWork work = EStepWork.ofThread(2, 2, false);
        GaussianMixture m = model.copy();
        double[] r = new double[m.k];
        for (int i = 0; i < stream.length; i++) {
            double[] x = stream[i];
            double ll = m.eStep(x, r);
            window.observe(x, 0.5);
            if (!ch.active()) {
                if (ch.due(window)) {
                    ch.start(window, m, REG, 3, seed + i);
                }
                continue;
            }
            if (ch.learn(x, ll, 1e-3, REG, 1e-4, work) == Challenger.Verdict.WON) {
                return new Run(ch, ch.takeWinner().mixture(), i);
            }
        }
        return new Run(ch, null, -1);
    }

    @Test
    void shouldReplaceAModelStuckInAPoorBasinOfAnExchangeableStream() {
        Random r = new Random(11);
        double[][] fitData = sample(20_000, r);
        GaussianMixture poor = fitFrom(fitData, new double[] {4, 0}, new double[] {4, 5});
        GaussianMixture right = fitFrom(fitData, new double[] {0, 2.5}, new double[] {8, 2.5});
        double[][] test = sample(20_000, r);
        double poorLl = meanLogDensity(poor, test);
        double rightLl = meanLogDensity(right, test);
        // the poor basin is a fixed point of EM, and well below the right one
        assertTrue(rightLl - poorLl > 0.3, "right " + rightLl + ", poor " + poorLl);

        Run run = run(poor, sample(10_000, r), 5);
        assertNotNull(run.winner(), "no challenger won in 10,000 points");
        assertTrue(run.wonAt() < 3_000, "won at " + run.wonAt());
        double winnerLl = meanLogDensity(run.winner(), test);
        // the winner is in the right basin: within 1% of batch EM's fit there (it learned from at most 3,000 points)
        assertTrue((rightLl - winnerLl) / Math.abs(rightLl) < 0.01, "winner " + winnerLl + ", right basin " + rightLl);
        assertEquals(1, run.challenger().won());
    }

    @Test
    void shouldNeverReplaceAModelAlreadyInTheRightBasin() {
        Random r = new Random(12);
        GaussianMixture right = fitFrom(sample(20_000, r), new double[] {0, 2.5}, new double[] {8, 2.5});
        Run run = run(right, sample(60_000, r), 6);
        assertNull(run.winner(), "a challenger replaced the right basin at point " + run.wonAt());
        assertEquals(0, run.challenger().won());
        // challengers were tried, and backed off: idle intervals of 1, 2, 4, 8, 16, ... windows between them
        assertTrue(run.challenger().started() >= 3 && run.challenger().started() <= 12, "started " + run.challenger().started());
    }

    @Test
    void shouldLeaveAStreamWhoseGainsComeInRunsToDriftRepair() {
        // the same points as an exchangeable stream, in runs of 250 from one cluster at a time: the challenger's gain differs
        // from one run to the next, so its gains come in runs, and it does not win on them
        Random r = new Random(13);
        double[][] fitData = sample(20_000, r);
        GaussianMixture poor = fitFrom(fitData, new double[] {4, 0}, new double[] {4, 5});
        List<double[]> runs = new ArrayList<>();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            order.add(i % CENTRES.length);
        }
        Collections.shuffle(order, r);
        for (int c : order) {
            for (int i = 0; i < 250; i++) {
                runs.add(draw(c, r));
            }
        }
        Run inRuns = run(poor, runs.toArray(new double[0][]), 7);
        assertNull(inRuns.winner(), "a challenger won on gains in runs at point " + inRuns.wonAt());

        double[][] shuffled = runs.toArray(new double[0][]);
        Collections.shuffle(java.util.Arrays.asList(shuffled), new Random(14));
        assertNotNull(run(poor, shuffled, 7).winner(), "the same points in a random order: the challenger wins");
    }

    @Test
    void shouldGoOnBitForBitAfterItsStateIsWrittenAndRead() {
        Random r = new Random(15);
        GaussianMixture poor = fitFrom(sample(20_000, r), new double[] {4, 0}, new double[] {4, 5});
        double[][] stream = sample(1_400, r);
        DriftRepair window = new DriftRepair(WINDOW, 2);
        Challenger ch = new Challenger(WINDOW);
        EStepWork work = EStepWork.ofThread(2, 2, false);
        double[] resp = new double[2];
        for (int i = 0; i < 1_000; i++) {
            double ll = poor.eStep(stream[i], resp);
            window.observe(stream[i], 0.5);
            if (ch.active()) {
                ch.learn(stream[i], ll, 1e-3, REG, 1e-4, work);
            } else if (ch.due(window)) {
                ch.start(window, poor, REG, 3, 99);
            }
        }
        assertTrue(ch.active(), "a challenger is running at point 1,000");
        ByteBuffer buf = ByteBuffer.allocate(ch.serializedSize());
        ch.writeTo(buf);
        assertEquals(0, buf.remaining(), "serializedSize is what writeTo writes");
        buf.flip();
        Challenger copy = Challenger.readFrom(buf, WINDOW, poor, false);
        for (int i = 1_000; i < stream.length; i++) {
            double ll = poor.eStep(stream[i], resp);
            Challenger.Verdict a = ch.active() ? ch.learn(stream[i], ll, 1e-3, REG, 1e-4, work) : null;
            Challenger.Verdict b = copy.active() ? copy.learn(stream[i], ll, 1e-3, REG, 1e-4, work) : null;
            assertEquals(a, b, "point " + i);
        }
        ByteBuffer x = ByteBuffer.allocate(ch.serializedSize());
        ByteBuffer y = ByteBuffer.allocate(copy.serializedSize());
        ch.writeTo(x);
        copy.writeTo(y);
        assertEquals(x.flip(), y.flip(), "the two challengers' states after 400 more points");
    }

    @Test
    void shouldNotSearchTheBasinsOfASingleComponent() {
        Random r = new Random(16);
        double[][] data = sample(2_000, r);
        GaussianMixture one = fitFrom(data, new double[] {4, 2.5});
        Run run = run(one, sample(20_000, r), 8);
        assertNull(run.winner());
        assertEquals(0, run.challenger().started(), "no fit is started for K = 1");
    }

    @Test
    void shouldCallTwoPartitionsAlikeUpToTheNamesOfTheirGroups() {
        assertEquals(1.0, Challenger.agreement(new int[] {0, 0, 1, 1}, new int[] {1, 1, 0, 0}, 2));
        assertEquals(0.5, Challenger.agreement(new int[] {0, 0, 1, 1}, new int[] {0, 1, 0, 1}, 2));
        // one group split in two is not the same partition, from either side
        assertEquals(0.75, Challenger.agreement(new int[] {0, 0, 0, 0}, new int[] {0, 0, 0, 1}, 2));
    }
}
