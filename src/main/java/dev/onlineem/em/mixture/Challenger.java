package dev.onlineem.em.mixture;

import dev.onlineem.em.density.EStepWork;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * A challenger: a second online mixture, started from a fresh fit of drift repair's window and learning every later
 * point beside the model at the model's own step, which replaces the model when it predicts the stream better over
 * hundreds of points.
 *
 * <p>Online EM keeps the basin of the likelihood its warm-up left it in. On a stationary stream that basin can be a poor
 * one (a K=2 split along the wrong direction, no component for the far points), and drift repair does not see it: its
 * shadow, fitted on half a window, rarely beats a model of thousands of points on the other half, however much better
 * its basin is. A challenger has the time:
 *
 * <ol>
 *   <li><b>Start.</b> When the idle interval is over, the best of {@code starts} k-means++ starts of batch EM on the
 *       window (short runs, the best one run on) whose partition of the window's points differs from the model's (fewer
 *       than {@link #SAME_BASIN} of them grouped alike): a start in the model's own basin would only tie with it.</li>
 *   <li><b>Judgement, prequential.</b> On each point before either learns it, the gain d = log p_challenger(x) -
 *       log p_model(x), bounded at {@link DriftRepair#MAX_POINT_GAIN} nats either way, after a burn-in of one window. The
 *       means of blocks of {@link #BLOCK} gains give the standard error (batch means). It wins when the mean gain is above
 *       {@link DriftRepair#MIN_GAIN} nats and {@link DriftRepair#Z} standard errors after at least {@link #MIN_BLOCKS}
 *       blocks, and the gains look exchangeable (below); it is dropped when the mean gain is not a standard error above
 *       {@link DriftRepair#MIN_GAIN} after as many blocks, or after {@link #MAX_BLOCKS}.</li>
 *   <li><b>Exchangeable gains only.</b> A fresh fit of the recent window also wins on streams whose recent points share
 *       what older ones do not (NAB's series: a fit of the last 500 points of a server's CPU). There the gains come in runs
 *       and their block means vary more than independent gains' would: the ratio of the two, {@code BLOCK var(block means) /
 *       var(gains)}, about 1 for exchangeable points, was 2 to 41 for 9 of the 13 challengers that won on NAB's 58 files
 *       without this test, and 0.46 to 0.78 for those that won on shuffled ADBench sets. A challenger wins only while it is
 *       below {@link #MAX_VARIANCE_INFLATION}; change on such streams is drift repair's business.</li>
 *   <li><b>Schedule.</b> The next challenger starts after an idle interval that doubles with each one dropped (from one
 *       window up to {@link #MAX_IDLE_WINDOWS}), and is reset by a win.</li>
 * </ol>
 *
 * <p>Everything here is state, written with the model's; the fresh fit's k-means++ seed derives from the model's seed
 * and step counter, so a restored model goes on bit for bit. Mutable, not thread-safe.
 */
public final class Challenger {
    /** Gains per block of the batch means. */
    static final int BLOCK = 50;
    /** Judged blocks before a verdict, and at most. */
    static final int MIN_BLOCKS = 10;
    static final int MAX_BLOCKS = 40;
    /**
     * Windows without a challenger after a dropped one: 1, doubling up to this (128,000 points with the default window).
     * A challenger's start is three short batch fits and a longer one; at 64 windows, challengers cost a stationary K=4,
     * d=2 model's update 30% more (a loop of 3,000,000 points: 1,204 against 907 ns), at 256 with short starts 3 to 5%.
     */
    static final int MAX_IDLE_WINDOWS = 256;
    /** A fresh fit that groups this share of the window's points as the model does is in the model's basin. */
    static final double SAME_BASIN = 0.9;
    /**
     * The most the block means' variance may exceed independent gains' ({@code BLOCK var(block means) / var(gains)}) for
     * a challenger to win. With 10 blocks the ratio's spread under exchangeable gains is about 0.47, so 2 is two spreads.
     */
    static final double MAX_VARIANCE_INFLATION = 2;

    private final int capacity;
    // the challenger, or null between challengers
    private GaussianMixture mixture;
    private SufficientStatistics stats;
    // its judgement: the burn-in left, the open block, the block means' moments, the gains' sum of squares (their count
    // is blocks * BLOCK + blockCount, their sum BLOCK sumMeans + blockSum)
    private int burnIn;
    private int blockCount;
    private double blockSum;
    private int blocks;
    private double sumMeans;
    private double sumMeansSq;
    private double sumGainsSq;
    // the schedule
    private int idle;
    private int idleWindows = 1;
    /** Challengers tried (a try whose every start fell in the model's basin included) and won over the model's life. */
    private long started;
    private long won;

    /** @param capacity drift repair's window: the burn-in and the unit of the idle interval */
    public Challenger(int capacity) {
        this.capacity = capacity;
    }

    /** Whether a challenger is learning beside the model. */
    public boolean active() {
        return mixture != null;
    }

    public long started() {
        return started;
    }

    public long won() {
        return won;
    }

    /**
     * Counts a point the model learned while no challenger runs; returns whether one should start now (the idle interval
     * is over and the window is full).
     */
    public boolean due(DriftRepair window) {
        if (idle > 0) {
            idle--;
            return false;
        }
        return window.count >= window.capacity;
    }

    /**
     * Starts a challenger from the window: the best of {@code starts} k-means++ starts of batch EM outside the model's
     * basin, each settled by a short run ({@link BatchEm#WARMUP_SHORT_RUN} iterations, as the warm-up's starts) and the
     * chosen one run on; none (and the idle interval doubles) when every start fell in the model's basin.
     *
     * @param model the model's parameters (the challenger's K, covariance type and distribution). Not modified.
     */
    public void start(DriftRepair window, GaussianMixture model, double regularization, int starts, long seed) {
        if (model.k < 2) {
            // one component has one basin: nothing to search, and the schedule backs off as after a drop
            drop();
            return;
        }
        double[][] rows = window.rows();
        // each start's basin is settled by a short run; only the best one outside the model's basin runs on
        BatchEm shortRun = new BatchEm(model.type, regularization, 1, BatchEm.WARMUP_SHORT_RUN, DriftRepair.SHADOW_TOLERANCE)
                .withDistribution(model.distribution());
        Random random = new Random(seed);
        int[] modelLabels = labels(model, rows);
        BatchEm.Fit best = null;
        for (int s = 0; s < starts; s++) {
            BatchEm.Fit fit = shortRun.fit(rows, model.k, random);
            if (Double.isFinite(fit.logLikelihood) && (best == null || fit.logLikelihood > best.logLikelihood)
                    && agreement(modelLabels, labels(fit.mixture, rows), model.k) < SAME_BASIN) {
                best = fit;
            }
        }
        if (best != null) {
            best = new BatchEm(model.type, regularization, 1, DriftRepair.SHADOW_ITERATIONS - BatchEm.WARMUP_SHORT_RUN,
                    DriftRepair.SHADOW_TOLERANCE).withDistribution(model.distribution()).iterate(rows, best.mixture);
            if (!Double.isFinite(best.logLikelihood)) {
                best = null;
            }
        }
        started++;
        if (best == null) {
            drop();
            return;
        }
        mixture = best.mixture;
        stats = best.statistics;
        stats.mStep(mixture, regularization);
        burnIn = capacity;
        blockCount = 0;
        blockSum = 0;
        blocks = 0;
        sumMeans = 0;
        sumMeansSq = 0;
        sumGainsSq = 0;
    }

    /** Each row's most responsible component. */
    private static int[] labels(GaussianMixture g, double[][] rows) {
        GaussianMixture copy = g.copy();
        double[] r = new double[copy.k];
        int[] labels = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            copy.eStep(rows[i], r);
            int best = 0;
            for (int c = 1; c < r.length; c++) {
                if (r[c] > r[best]) {
                    best = c;
                }
            }
            labels[i] = best;
        }
        return labels;
    }

    /**
     * How alike two partitions group the points: the smaller of the two purities (per group of one, the most points
     * it shares with a group of the other, summed, over n). 1 when they are the same up to the groups' names.
     */
    static double agreement(int[] a, int[] b, int k) {
        int[][] table = new int[k][k];
        for (int i = 0; i < a.length; i++) {
            table[a[i]][b[i]]++;
        }
        int byRow = 0;
        int byColumn = 0;
        for (int i = 0; i < k; i++) {
            int rowMax = 0;
            int columnMax = 0;
            for (int j = 0; j < k; j++) {
                rowMax = Math.max(rowMax, table[i][j]);
                columnMax = Math.max(columnMax, table[j][i]);
            }
            byRow += rowMax;
            byColumn += columnMax;
        }
        return Math.min(byRow, byColumn) / (double) a.length;
    }

    /** What {@link #learn} concluded. */
    public enum Verdict { GOING_ON, WON, DROPPED }

    /**
     * Judges the challenger on a point the model predicted with {@code modelLogDensity} (before learning it), then lets
     * it learn the point at the model's step {@code gamma}. After {@link Verdict#WON}, {@link #takeWinner} hands it over.
     *
     * @param z the standardised point. Not modified.
     * @param work this thread's E-step work; overwritten
     */
    public Verdict learn(double[] z, double modelLogDensity, double gamma, double regularization, double weightFloor, EStepWork work) {
        double[] resp = work.responsibilities;
        double ll = mixture.eStep(z, resp, work);
        if (!Double.isFinite(ll)) {
            drop();
            return Verdict.DROPPED;
        }
        Verdict verdict = Verdict.GOING_ON;
        if (burnIn > 0) {
            burnIn--;
        } else {
            double gain = Math.max(-DriftRepair.MAX_POINT_GAIN, Math.min(DriftRepair.MAX_POINT_GAIN, ll - modelLogDensity));
            if (Double.isNaN(gain)) {
                gain = 0;
            }
            sumGainsSq += gain * gain;
            blockSum += gain;
            if (++blockCount == BLOCK) {
                double m = blockSum / BLOCK;
                sumMeans += m;
                sumMeansSq += m * m;
                blocks++;
                blockSum = 0;
                blockCount = 0;
                verdict = judge();
            }
        }
        stats.step(gamma, resp, work);
        stats.mStep(mixture, regularization, 1 / gamma);
        for (double w : mixture.weights) {
            if (!(w >= weightFloor)) {
                // a collapsed component: the model would re-seed it, a challenger is dropped
                verdict = Verdict.DROPPED;
            }
        }
        if (verdict == Verdict.DROPPED) {
            drop();
        } else if (verdict == Verdict.WON) {
            won++;
            idleWindows = 1;
            idle = capacity;
        }
        return verdict;
    }

    private Verdict judge() {
        if (blocks < MIN_BLOCKS) {
            return Verdict.GOING_ON;
        }
        double mean = sumMeans / blocks;
        double blockVar = Math.max(0, sumMeansSq / blocks - mean * mean);
        double se = Math.sqrt(blockVar / (blocks - 1));
        // judged at a block's end: the gains' mean is the block means' mean
        double gainVar = Math.max(0, sumGainsSq / ((double) blocks * BLOCK) - mean * mean);
        boolean exchangeable = BLOCK * blockVar <= MAX_VARIANCE_INFLATION * gainVar;
        if (exchangeable && mean > DriftRepair.MIN_GAIN && mean > DriftRepair.Z * se) {
            return Verdict.WON;
        }
        if (mean + se < DriftRepair.MIN_GAIN || blocks >= MAX_BLOCKS) {
            return Verdict.DROPPED;
        }
        return Verdict.GOING_ON;
    }

    /** Ends the challenger that lost: the next starts after the idle interval, which doubles. */
    private void drop() {
        mixture = null;
        stats = null;
        idle = idleWindows * capacity;
        idleWindows = Math.min(2 * idleWindows, MAX_IDLE_WINDOWS);
    }

    /** A challenger that won: its parameters and the statistics they come from. */
    public record Winner(GaussianMixture mixture, SufficientStatistics statistics) {
    }

    /** The winner, handed over to the model; the challenger ends. */
    public Winner takeWinner() {
        Winner w = new Winner(mixture, stats);
        mixture = null;
        stats = null;
        return w;
    }

    public int serializedSize() {
        int size = 4 * 5 + 8 * 6 + 1;
        if (mixture != null) {
            size += 4 + mixture.parametersSize() + stats.serializedSize() + 8;
        }
        return size;
    }

    /** Writes the schedule, the judgement and, when one runs, the challenger's parameters and statistics. */
    public void writeTo(ByteBuffer out) {
        out.putInt(idle).putInt(idleWindows).putInt(burnIn).putInt(blockCount).putInt(blocks);
        out.putDouble(blockSum).putDouble(sumMeans).putDouble(sumMeansSq).putDouble(sumGainsSq);
        out.putLong(started).putLong(won);
        out.put((byte) (mixture == null ? 0 : 1));
        if (mixture != null) {
            out.putInt(mixture.k);
            mixture.writeParameters(out);
            stats.writeTo(out);
            out.putDouble(stats.scale);
        }
    }

    /**
     * Reads what {@link #writeTo} wrote; the model's parameters give the dimension, covariance type and distribution.
     *
     * @param gainMoments whether the judgement holds the gains' count and sum before their sum of squares, as format 15
     *        wrote them (read and dropped: the blocks give both at every verdict)
     */
    public static Challenger readFrom(ByteBuffer in, int capacity, GaussianMixture model, boolean gainMoments) {
        Challenger c = new Challenger(capacity);
        c.idle = in.getInt();
        c.idleWindows = in.getInt();
        c.burnIn = in.getInt();
        c.blockCount = in.getInt();
        c.blocks = in.getInt();
        if (c.idle < 0 || c.idleWindows < 1 || c.idleWindows > MAX_IDLE_WINDOWS || c.blockCount < 0 || c.blockCount >= BLOCK) {
            throw new IllegalArgumentException("challenger's schedule is corrupt: idle " + c.idle + ", idle windows "
                    + c.idleWindows + ", block " + c.blockCount);
        }
        c.blockSum = in.getDouble();
        c.sumMeans = in.getDouble();
        c.sumMeansSq = in.getDouble();
        if (gainMoments) {
            in.getLong();
            in.getDouble();
        }
        c.sumGainsSq = in.getDouble();
        c.started = in.getLong();
        c.won = in.getLong();
        if (in.get() != 0) {
            int k = in.getInt();
            GaussianMixture g = new GaussianMixture(k, model.d, model.type, model.distribution());
            g.readParameters(in);
            c.mixture = g;
            c.stats = SufficientStatistics.readFrom(in, k, model.d, g.type, model.distribution());
            c.stats.scale = in.getDouble();
            if (!(c.stats.scale > 0) || !Double.isFinite(c.stats.scale)) {
                throw new IllegalArgumentException("challenger's statistics scale " + c.stats.scale + " is not a positive number");
            }
        }
        return c;
    }
}
