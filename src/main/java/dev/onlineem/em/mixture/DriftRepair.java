package dev.onlineem.em.mixture;

import dev.onlineem.em.base.StateFormat;
import dev.onlineem.em.density.SpecialFunctions;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Drift repair for an online mixture or HMM (what is kind-specific, the fits and their predictive densities, is a
 * {@link Subject}: {@link MixtureSubject}, {@code HmmSubject}; the window, the detector, the schedule and the judge are
 * shared). Stepwise EM follows a drifting parameter, but after an abrupt change
 * of the whole mixture it keeps the structure the change left it in (two components on one new cluster,
 * one stretched between two others), for good; so does an HMM after a change of every regime, or after a warm-up
 * that saw one regime of two. This part of a model keeps the last {@code W} standardised
 * points it learned from and, when a check is due, tests the model's structure against a fresh fit:
 *
 * <ol>
 *   <li><b>When.</b> A one-sided CUSUM (Page 1954) watches for a rise of the model's surprise, measured in
 *       calibrated units: each point's surprise p-value (the scorer's sketch of recent surprises) as a normal
 *       quantile l_t = Phi^-1(p_t), about N(0, 1) while the model fits. With m and s the running mean and spread
 *       of l_t, {@code g = max(0, g + min((m - l_t) / s, 5) - 1/2)}; when g passes 10 a check is scheduled W points
 *       later, when the window holds only points from after the change. (On the raw log-density, whose lower tail
 *       is half a chi-square, the same CUSUM tripped about 9 times per 100,000 stationary Gaussian points; on l_t
 *       its average run length is about 140,000 points.) A lighter check ({@link #LIGHT_STARTS} starts of
 *       {@link #LIGHT_ITERATIONS} iterations) also runs whatever the CUSUM says, for changes too slow to trip it:
 *       {@link #PERIODIC_WINDOWS} windows after the last check, an interval that doubles after each periodic check
 *       that finds nothing, up to {@link #MAX_PERIODIC_WINDOWS} windows, and is reset by a replacement. A CUSUM's
 *       check is thorough. A check that replaced the model, or whose shadow predicted better without enough evidence
 *       to replace it, is followed by a thorough one {@link #FOLLOW_UP_WINDOWS} windows later, and that by another
 *       as long as they go on doing so, at most {@link #FOLLOW_UPS} times.</li>
 *   <li><b>The shadow fit.</b> Batch EM (an HMM: Baum-Welch) on the window's older half, from the model's own parameters and from
 *       k-means++ starts ({@code max(init.restarts, K + 2)} after a change); the best on those points is the shadow.
 *       (Even and odd points were tried first: on autocorrelated streams neighbours are near copies, so a fit of the
 *       recent points always won, and NAB fell from 60.9 to 54.0.)</li>
 *   <li><b>The judgement, held out.</b> On the window's newer half (which neither fit saw), the per-point gain
 *       d_i = log p_shadow(x_i) - log p_model(x_i) (an HMM's one-step predictive densities, the older half filtered first), bounded at {@link #MAX_POINT_GAIN} nats either way; the shadow
 *       replaces the model when the mean gain is above {@link #MIN_GAIN} nats and {@link #Z} standard errors (the larger
 *       of the independent points' error and that of {@link #BLOCKS} block means, {@link #batchMeansError}).</li>
 *   <li><b>The replacement.</b> The shadow refitted on the whole window (a few EM iterations from it); its
 *       statistics become the model's, and online EM goes on from there at the model's own step. A shadow whose fit
 *       of its own points says the model is badly off, when the held-out points do not say it is worse, is followed up
 *       like a promising one ({@link Subject#promising}; an HMM's window can leave a state out of its older half).</li>
 * </ol>
 *
 * <p>A stationary model fitted on a long memory is rarely beaten on held-out points by a fit of W/2 of
 * them, so on a stationary stream checks almost never replace anything. Everything here is state, written
 * by {@code StateCodec}; the k-means++ seeds derive from the model's seed and step counter, so a restored
 * model goes on bit for bit. Mutable, not thread-safe.
 */
public final class DriftRepair {
    /** A periodic check runs this many windows after a replacement, and after the model's start. */
    static final int PERIODIC_WINDOWS = 8;
    /** ... and at least every this many windows: the interval doubles after each periodic check that replaced nothing. */
    static final int MAX_PERIODIC_WINDOWS = 64;
    /** The detector's input, a normal quantile, is bounded at this many units either way. */
    static final double MAX_LEVEL = 8;
    /**
     * The held-out gain per point (nats) a shadow needs to replace the model: a repair of the structure is worth its
     * disruption only when it predicts clearly better. The drift benchmark's changes gain 0.2 to 1.8 nats; with 0.005 (and
     * the batch-means error) NAB scored 61.5, with 0.05 62.1, 0.02 62.0, 0.1 61.4 (docs/adaptive-models.md).
     */
    static final double MIN_GAIN = 0.05;
    /** The most (nats) one held-out point's gain counts, either way. */
    static final double MAX_POINT_GAIN = 4;
    /** ... and the number of standard errors it must be above zero. */
    static final double Z = 3;
    /** CUSUM: reference value (in spreads of the log-density) and decision threshold. */
    static final double CUSUM_K = 0.5;
    static final double CUSUM_H = 10;
    /** One point moves the CUSUM by at most this many spreads, so a lone outlier cannot trip it. */
    static final double CUSUM_CLIP = 5;
    /** Iterations of the shadow's batch EM per start, and of the refit on the whole window. */
    public static final int SHADOW_ITERATIONS = 40;
    /**
     * At most this many thorough checks in a row after one that replaced the model or promised to, each while the last
     * did, and the windows between them.
     */
    static final int FOLLOW_UPS = 3;
    static final int FOLLOW_UP_WINDOWS = 2;
    /**
     * A periodic check's shadow: k-means++ starts and EM iterations per start (a CUSUM's check uses {@link #shadowStarts}
     * and {@link #SHADOW_ITERATIONS}). Measured at K=4, d=2 on overlapping clusters: a thorough check takes about 24 ms,
     * this one about 4 ms; every 4 windows thorough, the checks cost bench's online EM 20 us of CPU a point.
     */
    public static final int LIGHT_STARTS = 2;
    public static final int LIGHT_ITERATIONS = 40;
    public static final int REFIT_ITERATIONS = 20;
    public static final double SHADOW_TOLERANCE = BatchEm.WARMUP_TOLERANCE;

    final int capacity;
    final int dimension;
    /** The window, a ring of {@code capacity} rows of {@code dimension} standardised values; grown as it fills. */
    double[] ring;
    int count;
    int head;
    // the detector: running moments of the level l_t = Phi^-1(p_t)
    double levelMean;
    double levelVar;
    long levelCount;
    /** Windows from one periodic check to the next. */
    int periodicWindows = PERIODIC_WINDOWS;
    double cusum;
    /** Points until a scheduled (thorough) check, or -1 when none is scheduled. */
    int dueIn = -1;
    /** Thorough checks still to come after the last one the CUSUM scheduled. */
    int followUpsLeft;
    int sinceCheck;
    /** Checks run and replacements made, over the model's life. */
    public long checks;
    public long repairs;

    public DriftRepair(int capacity, int dimension) {
        this.capacity = capacity;
        this.dimension = dimension;
        this.ring = new double[Math.min(capacity, 16) * dimension];
    }

    /** What a check concluded. */
    record Verdict(boolean replaced, double gain, double standardError) {
    }

    /**
     * Records a learned point and the p-value of its surprise; returns whether a check is due now.
     *
     * @param z the standardised point. Not modified.
     * @param pValue the tail probability of the point's surprise among the model's recent surprises
     */
    public boolean observe(double[] z, double pValue) {
        add(z);
        sinceCheck++;
        watch(Math.max(-MAX_LEVEL, Math.min(MAX_LEVEL, SpecialFunctions.normalQuantile(pValue))));
        if (dueIn > 0) {
            dueIn--;
        }
        if (count < capacity) {
            return false;
        }
        return dueIn == 0 || sinceCheck >= (long) periodicWindows * capacity;
    }

    private void add(double[] z) {
        int d = dimension;
        if (head * d >= ring.length) {
            ring = Arrays.copyOf(ring, Math.min(capacity, 2 * head) * d);
        }
        System.arraycopy(z, 0, ring, head * d, d);
        head = (head + 1) % capacity;
        count = Math.min(count + 1, capacity);
    }

    /** The CUSUM on the fall of the level (a rise of the surprise); schedules a check W points after it trips. */
    private void watch(double level) {
        if (!Double.isFinite(level)) {
            return;
        }
        levelCount++;
        double sd = Math.sqrt(levelVar);
        boolean spread = levelCount > 1 && sd > 0;
        if (spread && dueIn < 0) {
            double u = Math.min((levelMean - level) / sd, CUSUM_CLIP);
            cusum = Math.max(0, cusum + u - CUSUM_K);
            if (cusum > CUSUM_H) {
                cusum = 0;
                dueIn = capacity;
            }
        }
        // m += w (l - m); v += w ((l - m_old)(l - m_new) - v): an exponentially weighted mean and variance of the level,
        // winsorised at CUSUM_CLIP spreads below the mean so that outliers do not inflate the spread the CUSUM is measured in
        double w = Math.max(1.0 / levelCount, 1.0 / capacity);
        double l = spread ? Math.max(level, levelMean - CUSUM_CLIP * sd) : level;
        double old = levelMean;
        levelMean += w * (l - levelMean);
        levelVar += w * ((l - old) * (l - levelMean) - levelVar);
    }

    /** The window's rows, oldest first (allocates). */
    double[][] rows() {
        int d = dimension;
        double[][] rows = new double[count][];
        int start = count < capacity ? 0 : head;
        for (int i = 0; i < count; i++) {
            int at = (start + i) % capacity;
            rows[i] = Arrays.copyOfRange(ring, at * d, at * d + d);
        }
        return rows;
    }

    /**
     * What drift repair needs of a kind of model: a shadow fit of the window's older half, one-step predictive
     * log-densities of held-out points under the shadow and under the model, and the shadow refitted on the whole
     * window. A mixture's is {@link MixtureSubject}; an HMM's filters, so its predictive densities of the newer half
     * are conditioned on the older half it filtered first.
     *
     * @param <F> a fit of the window's points that could replace the model
     */
    public interface Subject<F> {
        /**
         * The shadow: the best of a fit from the model's own parameters and fits from fresh starts.
         *
         * @param train the window's older half, standardised. Not modified.
         * @param thorough a CUSUM's check (more starts) rather than a periodic one
         * @param seed the seed of the fresh starts
         */
        F shadow(double[][] train, boolean thorough, long seed);

        /** One-step predictive log-densities of {@code rows[from..]} under a fit, given the rows before (where the fit has memory). */
        double[] predictive(F fit, double[][] rows, int from);

        /** The same under the model as it is. */
        double[] modelPredictive(double[][] rows, int from);

        /** The shadow refitted on the whole window: what replaces the model. */
        F refit(F shadow, double[][] rows);

        /** Whether a fit's likelihood and what the model would go on from are finite numbers. */
        boolean finite(F fit);

        /**
         * Whether the shadow's fit of its own points says the model is badly off even though the held-out judgement did not
         * replace it: then, unless the held-out points say the shadow is worse, thorough checks follow as after a promising
         * one. None for a mixture.
         */
        default boolean promising(F shadow, double[][] train) {
            return false;
        }
    }

    /**
     * Runs a check on the window: fits the shadow on its older half, judges it on its newer half and, when it
     * wins, returns the fit of the whole window that should replace the model; null otherwise.
     *
     * @param subject the model's kind's fits and densities
     * @param seed the seed of the shadow's fresh starts
     */
    public <F> F check(Subject<F> subject, long seed) {
        boolean thorough = dueIn == 0;
        checks++;
        sinceCheck = 0;
        dueIn = -1;
        cusum = 0;
        boolean followUp = thorough && followUpsLeft > 0;
        followUpsLeft = followUp ? followUpsLeft - 1 : 0;
        double[][] rows = rows();
        int half = rows.length / 2;
        double[][] train = Arrays.copyOf(rows, half);
        F shadow = subject.shadow(train, thorough, seed);
        Verdict v = judge(subject.predictive(shadow, rows, half), subject.modelPredictive(rows, half));
        // a shadow whose fit of its own points says the model is badly off is followed up too, unless the held-out points
        // say it is worse (a shadow of too many parameters for half a window fits its points, and nothing else, far better)
        boolean promising = v.gain() + Z * v.standardError() > 0 && subject.promising(shadow, train);
        if (v.replaced() || v.gain() > MIN_GAIN || promising) {
            // a replacement, or a shadow that predicts better without the evidence to replace yet, is checked again
            // thoroughly FOLLOW_UP_WINDOWS windows later, while the checks go on replacing or promising: the first shadow
            // after a change can itself land in a poor optimum (drift --seeds 20, 3x3 seed 15: 3.4% below the truth for
            // good without), and a better one can fall short of Z standard errors on half a window (4x5 seed 5: a gain
            // of 0.19 nats at 2.6 standard errors, 7.2% below the truth for 14 half-lives without)
            if (!followUp) {
                followUpsLeft = FOLLOW_UPS;
            }
            if (followUpsLeft > 0) {
                dueIn = FOLLOW_UP_WINDOWS * capacity;
            }
        } else if (!thorough) {
            // a stationary stream backs the periodic checks off: at K=8, d=16 a light check takes about 23 ms
            periodicWindows = Math.min(2 * periodicWindows, MAX_PERIODIC_WINDOWS);
        }
        if (!v.replaced()) {
            return null;
        }
        F replacement = subject.refit(shadow, rows);
        if (!subject.finite(replacement)) {
            // a refit that broke down numerically never replaces a working model
            return null;
        }
        repairs++;
        periodicWindows = PERIODIC_WINDOWS;
        return replacement;
    }

    /**
     * A mixture's check ({@link #check(Subject, long)} with {@link MixtureSubject}).
     *
     * @param model the model's current parameters. Not modified.
     * @param regularization the model's covariance regularisation
     * @param restarts the model's k-means++ restarts at warm-up (a thorough check makes more)
     * @param seed the seed of the shadow's k-means++ starts
     */
    public BatchEm.Fit check(GaussianMixture model, double regularization, int restarts, long seed) {
        return check(new MixtureSubject(model, regularization, restarts), seed);
    }

    /**
     * k-means++ starts of the shadow: at least K + 2. Half a window is few points for k-means++; with 3 starts, 1 of 80
     * abrupt changes (4 components in 5 dimensions) stayed 3.5% below the truth for 15 half-lives, with K + 2 none did
     * ({@code drift --seeds 20}).
     */
    public static int shadowStarts(int initRestarts, int k) {
        return Math.max(initRestarts, k + 2);
    }

    /**
     * The held-out comparison: per point the gain d_i = log p_shadow(x_i) - log p_model(x_i), each bounded at
     * {@link #MAX_POINT_GAIN}; the shadow wins when the mean gain is above {@link #MIN_GAIN} and {@link #Z} standard errors.
     *
     * @param shadow the shadow's predictive log-densities of the judged points. Not modified.
     * @param model the model's, of the same points. Not modified.
     */
    static Verdict judge(double[] shadow, double[] model) {
        int n = shadow.length;
        double[] gains = new double[n];
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < n; i++) {
            // one point's vote is bounded: an outlier that neither model expects must not decide (a 25-sigma point, which a
            // tighter shadow scores 100 nats lower, otherwise outweighs 250 points that it predicts better)
            double gain = Math.max(-MAX_POINT_GAIN, Math.min(MAX_POINT_GAIN, shadow[i] - model[i]));
            gains[i] = gain;
            sum += gain;
            sumSq += gain * gain;
        }
        double mean = sum / n;
        double var = Math.max(0, sumSq / n - mean * mean);
        double se = Math.sqrt(var / Math.max(1, n - 1));
        // neighbouring points' gains are correlated on autocorrelated streams, where the independent points' error
        // understates the gain's uncertainty; the error of block means does not, and on independent points it is the same
        se = Math.max(se, batchMeansError(gains, mean));
        boolean better = Double.isFinite(mean) && mean > MIN_GAIN && mean > Z * se;
        return new Verdict(better, mean, se);
    }

    /** Contiguous blocks of the judged points whose means give the gain's standard error (batch means). */
    static final int BLOCKS = 10;

    /**
     * The standard error of the mean gain from the means of {@link #BLOCKS} contiguous blocks of the judged points
     * (batch means), which holds when neighbouring gains are correlated; 0 when there are too few points for it.
     */
    static double batchMeansError(double[] gains, double mean) {
        int n = gains.length;
        if (n < 2 * BLOCKS) {
            return 0;
        }
        double ss = 0;
        for (int b = 0; b < BLOCKS; b++) {
            int from = (int) ((long) n * b / BLOCKS);
            int to = (int) ((long) n * (b + 1) / BLOCKS);
            double m = 0;
            for (int i = from; i < to; i++) {
                m += gains[i];
            }
            m /= to - from;
            ss += (m - mean) * (m - mean);
        }
        return Math.sqrt(ss / (BLOCKS - 1) / BLOCKS);
    }

    public int serializedSize() {
        return 4 * 5 + 8 * 6 + 8 * count * dimension;
    }

    /** Writes the window (oldest first) and the detector. */
    public void writeTo(ByteBuffer out) {
        out.putInt(count).putInt(dueIn).putInt(sinceCheck).putInt(followUpsLeft).putInt(periodicWindows);
        out.putDouble(levelMean).putDouble(levelVar).putLong(levelCount).putDouble(cusum).putLong(checks).putLong(repairs);
        // oldest first, straight from the ring: the part from the oldest slot to the end, then the start
        int d = dimension;
        int start = count < capacity ? 0 : head;
        out.asDoubleBuffer().put(ring, start * d, (count - start) * d).put(ring, 0, start * d);
        out.position(out.position() + Double.BYTES * count * d);
    }

    /**
     * Reads what {@link #writeTo} wrote. Before state version 9 there was no periodic interval (read as
     * {@link #PERIODIC_WINDOWS}) and the detector watched the raw log-density: its moments and sum are read and
     * dropped, and it starts afresh.
     */
    public static DriftRepair readFrom(ByteBuffer in, int capacity, int dimension, byte version) {
        DriftRepair r = new DriftRepair(capacity, dimension);
        int count = in.getInt();
        if (count < 0 || count > capacity) {
            throw new IllegalArgumentException("repair window holds " + count + " points, more than its capacity " + capacity);
        }
        r.dueIn = in.getInt();
        r.sinceCheck = in.getInt();
        r.followUpsLeft = in.getInt();
        boolean levels = version >= StateFormat.VERSION_9;
        if (levels) {
            r.periodicWindows = in.getInt();
            if (r.periodicWindows < 1 || r.periodicWindows > MAX_PERIODIC_WINDOWS) {
                throw new IllegalArgumentException("repair's periodic interval is " + r.periodicWindows + " windows");
            }
        }
        r.levelMean = in.getDouble();
        r.levelVar = in.getDouble();
        r.levelCount = in.getLong();
        r.cusum = in.getDouble();
        if (!levels) {
            r.levelMean = 0;
            r.levelVar = 0;
            r.levelCount = 0;
            r.cusum = 0;
        }
        r.checks = in.getLong();
        r.repairs = in.getLong();
        double[] row = new double[dimension];
        for (int i = 0; i < count; i++) {
            r.add(StateFormat.getAll(in, row));
        }
        return r;
    }
}
