package dev.onlineem.em.scoring;

import dev.onlineem.em.density.Erf;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * Turns each point's surprise s = -logDensity into the published scores of one model:
 * <ul>
 *   <li>{@code pValue}: the tail probability of s among the model's recent surprises
 *       ({@link SurpriseSketch#logPValue}: conformal in the body, a fitted exponential tail past it, so it
 *       keeps ranking beyond the most extreme point seen). Two sketches hold them: a long one
 *       ({@code anomaly.half.life}, 10,000 points) and a fast one ({@value #FAST_HALF_LIFE} points), and pValue is their
 *       geometric blend, {@code log p = (1 - w) log p_long + w log p_fast}, w the stream's exchangeability
 *       ({@link SerialDependence#exchangeableWeight}, from the points before this one). On a serially dependent stream
 *       (w = 0) an anomalous episode must not become its own baseline, so the memory is long; on an exchangeable one
 *       (w = 1) the surprises change only because the model does (it is young, it was repaired, a challenger replaced
 *       it), and a point is ranked against what the current model's surprises look like. Drift repair's detector always
 *       reads the long sketch's p-value ({@link Score#driftPValue});</li>
 *   <li>the anomaly likelihood (Ahmad et al. 2017): with u_t = -log10 pValue_t, the mean of u over the last
 *       w points against the long-run mean m and spread v of that mean,
 *       {@code P_lik} the upper tail of mean_w(u) under a Gaussian or a gamma distribution with that mean and
 *       variance ({@link LikelihoodTail}): a run of moderately surprising points (a burst, a new level, a new
 *       regime) is rarer than any one of them;</li>
 *   <li>the gate: the likelihood's log tail is weighted by min(1 - w, R - 1), w the stream's exchangeability (as for
 *       pValue) and R the variance inflation of the window mean over that of independent u (1 + 2 sum of the
 *       autocorrelations of u): on i.i.d. points R is near 1 and the window would only average noise into the score
 *       (ADBench's skin set: ROC-AUC 0.576 without the gate, 0.681 with it), while bursts and level shifts make it large.
 *       But a model that changes (young, repaired, replaced) makes the surprises of i.i.d. points come in runs too; where
 *       the points' own order means nothing (w = 1) a run of surprise is the model's, not news, and the likelihood is
 *       silent (ADBench's 24 held-out sets: mean ROC-AUC 0.8207 to 0.8220, the 14 sets 0.7013 to 0.7069);</li>
 *   <li>the combined tail probability {@code p = 1 - (1 - m)^2}, {@code m = min(pValue, P_lik)} (Sidak's form of
 *       Bonferroni's min(1, 2m): whichever of the two speaks, P(p &lt;= a) &lt;= a + a^2 / 4 when both are calibrated,
 *       and p below 1 for every m below 1, so the score ranks the unsurprising half of the points too; just pValue
 *       when the likelihood is off), its surprise in decades
 *       {@code D = -log10 p}, and {@code anomalyScore = D / (D + 3)} in [0, 1]: 0.5 at p = 1e-3,
 *       0.75 at 1e-9, 0.99 at 1e-297, strictly increasing until D passes 1e16 (beyond double resolution
 *       of the score; pValue itself stops at 2.2e-308), so it ranks far into the tail;</li>
 *   <li>{@code anomaly}: p &lt; alpha, or the point beyond the range of the values seen so far (the caller's range rule,
 *       {@link ScoreSettings#rangeTolerance}), unless the model alerted in the last {@code suppressPoints} points (one
 *       event, one alert), or the point, rare by its own pValue and not beyond the range, repeats one of the model's
 *       recent alerts (the caller's repeat rule, {@link ScoreSettings#repeatTolerance}: what an alert already said is
 *       not news).</li>
 * </ul>
 * Deterministic and serialisable bit for bit. Mutable, not thread-safe; allocates nothing per point.
 */
public final class AnomalyScorer {
    private static final double LN10 = Math.log(10);
    /** Decades of surprise at which anomalyScore is 0.5 (p = 1e-3). */
    static final double HALF_SCORE_DECADES = 3;
    /** Short-window means seen before the likelihood speaks: its long-run spread must exist first. */
    private static final int LIKELIHOOD_MIN_HISTORY = 50;
    private static final double MAX_DECADES = 1e6;
    /**
     * Memory of the fast sketch, in points. Its upper 2% past which the tail is fitted then holds about 9 points' weight
     * (of 433 in all), enough for the tail's scale at the alarm level (0.004). On ADBench's 24 held-out sets, 150, 300
     * and 600 gave a mean ROC-AUC of 0.8213, 0.8207 and 0.8197 (0.8185 with the long sketch alone), measured before the
     * likelihood's gate took the exchangeability too (docs/adaptive-models.md).
     */
    static final double FAST_HALF_LIFE = 300;
    /** Points between checks of the fast sketch's grid: a quarter of the long one's, so that it follows what it holds. */
    static final int FAST_CHECK_EVERY = 256;

    private final ScoreSettings settings;
    private final double log10Alpha;
    /** Floor of the likelihood's long-run averaging rate: 1 - 2^(-1/likelihoodHalfLife). */
    private final double longRateFloor;
    private final SurpriseSketch sketch;
    private SurpriseSketch fast;      // set once: by the constructor, or by readFrom
    private SerialDependence order;   // likewise
    private final double[] recent;   // the last w values of u, ring
    private long scored;
    private double recentSum;
    private double longMean;
    private double longVar;
    private long longCount;
    private int suppressLeft;
    /** Running mean and variance of u itself, for the gate. */
    private double uMean;
    private double uVar;
    /** The anomaly likelihood's tail probability of the last {@link #likelihood} call (10^its result); never serialised. */
    private double likelihoodP;

    /** What one point's scoring produced. */
    public static final class Score {
        public double pValue;
        /** The long sketch's p-value alone: what drift repair's detector reads, whatever the stream's kind. */
        public double driftPValue;
        public double likelihoodPValue;
        public double anomalyScore;
        public boolean anomaly;
        /** The point would have alerted but repeats a recent alert (the repeat rule), so it did not. */
        public boolean repeat;
    }

    /** @param dimension of the standardised points the model scores (the feature vector's) */
    public AnomalyScorer(ScoreSettings settings, int dimension) {
        this(settings, SurpriseSketch.withHalfLife(settings.halfLife()));
        fast = SurpriseSketch.withHalfLife(FAST_HALF_LIFE, FAST_CHECK_EVERY);
        order = new SerialDependence(dimension);
    }

    private AnomalyScorer(ScoreSettings settings, SurpriseSketch sketch) {
        this.settings = settings;
        this.log10Alpha = Math.log10(settings.alpha());
        this.longRateFloor = 1 - Math.pow(2, -1 / settings.likelihoodHalfLife());
        this.sketch = sketch;
        this.recent = new double[settings.likelihoodWindow()];
    }

    /** A scorer read from a state older than the fast sketch: that sketch starts as a copy of the long one, the exchangeability afresh. */
    private void startAdapting(int dimension) {
        fast = sketch.copyWith(FAST_HALF_LIFE, FAST_CHECK_EVERY);
        order = new SerialDependence(dimension);
    }

    /** A scorer around a sketch read from an older state (version 2). */
    public static AnomalyScorer fromSketch(SurpriseSketch sketch, ScoreSettings settings, int dimension) {
        AnomalyScorer a = new AnomalyScorer(settings, sketch);
        a.startAdapting(dimension);
        return a;
    }

    /** The fast sketch's weight the next point's pValue will have ({@link SerialDependence#exchangeableWeight}). */
    public double exchangeableWeight() {
        return order.exchangeableWeight();
    }

    /** anomalyScore of a tail probability p: D / (D + 3) with D = -log10 p. */
    public static double scoreOf(double log10P) {
        double decades = Math.max(0, -log10P);
        return decades >= Double.MAX_VALUE ? 1 : decades / (decades + HALF_SCORE_DECADES);
    }

    /** The anomalyScore at which a tail probability of alpha sits: the flag's threshold on anomalyScore. */
    public static double threshold(double alpha) {
        return scoreOf(Math.log10(alpha));
    }

    /** Holds alerts back for the next {@code points} points (the provisional model's suppression, handed over). */
    public void suppressFor(int points) {
        suppressLeft = points;
    }

    /**
     * log10 of the two tests' combined tail probability from the smaller one's, m: Sidak's 1 - (1 - m)^2 = m (2 - m). Two
     * tests, one alarm: it agrees with Bonferroni's 2m to within m^2 in the tail (P(p &lt;= a) &lt;= a + a^2 / 4 whatever
     * their dependence), and unlike min(1, 2m), which gave half of every stream's points the same p = 1 and score 0, it
     * keeps ranking them (ADBench's optdigits: ROC-AUC 0.429 with the ties, 0.459 without).
     */
    static double combined(double log10M) {
        return log10M + Math.log10(2 - Math.pow(10, log10M));
    }

    /** Lays out both sketches over the warm-up's surprises. @param surprises not modified */
    public void initialise(double[] surprises) {
        sketch.initialise(surprises);
        fast.initialise(surprises);
    }

    /**
     * Scores surprise s, then learns it.
     *
     * @param z the point, standardised (NaN for a missing coordinate), whose order the exchangeability learns after
     *        it is scored. Not modified.
     * @param beyondRange the point lies beyond the range of the model's values so far (the range rule): it alerts like a
     *        surprising one
     * @param repeats whether the point repeats one of the model's recent alerts (the repeat rule); asked only of a point
     *        that would alert, is not beyond the range, and whose own pValue is below alpha; null: no repeat rule
     * @param out receives the scores. Modified.
     */
    public void score(double s, double[] z, boolean beyondRange, BooleanSupplier repeats, Score out) {
        double logLong = sketch.logPValue(s);
        out.driftPValue = sketch.lastPValue();
        sketch.add(s);
        double logFast = fast.logPValue(s);
        double pFast = fast.lastPValue();
        fast.add(s);
        double w = order.exchangeableWeight();
        order.observe(z);
        double logP;
        double p;
        if (w == 0) {
            logP = logLong;
            p = out.driftPValue;
        } else if (w == 1) {
            logP = logFast;
            p = pFast;
        } else {
            logP = (1 - w) * logLong + w * logFast;
            p = Math.exp(logP);
        }
        // decades of surprise, bounded so that the likelihood's running moments stay finite (1e-1000000 is beyond any use)
        double u = Math.min(-logP / LN10, MAX_DECADES);
        double log10Lik = likelihood(u, w);
        double log10P = recent.length > 1 ? combined(Math.min(logP / LN10, log10Lik)) : logP / LN10;
        out.pValue = Math.max(p, Double.MIN_NORMAL); // the score keeps ranking where the double underflows
        out.likelihoodPValue = likelihoodP;
        out.anomalyScore = scoreOf(log10P);
        boolean surprising = log10P < log10Alpha || beyondRange;
        out.repeat = false;
        if (suppressLeft > 0) {
            suppressLeft--;
            out.anomaly = false;
        } else {
            if (surprising && !beyondRange && logP / LN10 < log10Alpha && repeats != null && repeats.getAsBoolean()) {
                // the point itself is rare (its own pValue below alpha), and where an earlier alert was: a repeat, which
                // neither alerts nor holds later alerts back. An alert of the likelihood, a run of surprise, is never one:
                // its last point's value says little about the run (NAB: 67.4 with likelihood alerts repeating, 69.3 without)
                surprising = false;
                out.repeat = true;
            }
            out.anomaly = surprising;
            if (surprising) {
                suppressLeft = settings.suppressPoints();
            }
        }
        scored++;
    }

    /**
     * log10 of the anomaly likelihood's tail probability for the window ending with u; 0 while it has too little history.
     * Leaves the probability itself in {@link #likelihoodP}.
     */
    private double likelihood(double u, double exchangeable) {
        likelihoodP = 1;
        int w = recent.length;
        if (w == 1) {
            return 0;
        }
        int slot = (int) (scored % w);
        recentSum += u - recent[slot];
        recent[slot] = u;
        if (scored + 1 < w) {
            return 0;
        }
        double mean = recentSum / w;
        // the gate: var(window mean) / (var(u) / w) = 1 + 2 sum_k (1 - k/w) rho_k, the variance inflation of the window mean,
        // is 1 when the u are independent (i.i.d. points: then the window only averages noise into the score) and grows with
        // serial dependence (bursts, level shifts); the likelihood's log tail is weighted by min(1, inflation - 1)
        double gate = Math.max(0, Math.min(1 - exchangeable, (uVar > 0 ? longVar / (uVar / w) : 0) - 1));
        double log10Q = 0;
        if (longCount >= LIKELIHOOD_MIN_HISTORY && longVar > 0) {
            double z;
            if (settings.likelihoodTail() == LikelihoodTail.GAMMA && longMean > 0) {
                // Wilson-Hilferty: for X gamma with shape k, (X / E X)^(1/3) is close to normal with mean
                // 1 - 1/(9k) and variance 1/(9k); shape k = m^2 / v matches the long-run moments
                double k = longMean * longMean / longVar;
                z = (Math.cbrt(mean / longMean) - (1 - 1 / (9 * k))) * Math.sqrt(9 * k);
            } else {
                z = (mean - longMean) / Math.sqrt(longVar);
            }
            if (z < NORMAL_TAIL_BELOW) { // Q itself, and its log
                likelihoodP = gaussianTail(z);
                log10Q = Math.log(likelihoodP) / LN10;
            } else {
                log10Q = logGaussianTail(z) / LN10;
                likelihoodP = Math.pow(10, log10Q);
            }
        }
        // running mean and variance of the window mean, exponentially weighted once past the half-life
        double rate = Math.max(1.0 / (longCount + 1), longRateFloor);
        double du = u - uMean;
        uMean += rate * du;
        uVar = (1 - rate) * (uVar + rate * du * du);
        if (gate < 1) {
            log10Q *= gate;
            likelihoodP = Math.pow(10, log10Q);
        }
        double delta = mean - longMean;
        longMean += rate * delta;
        longVar = (1 - rate) * (longVar + rate * delta * delta);
        longCount++;
        return log10Q;
    }

    /** Below this z, Q(z) (erfc) is a normal double; above it, its log comes from the asymptotic series. */
    private static final double NORMAL_TAIL_BELOW = 37;

    /** Q(z), the standard Gaussian upper tail; a normal double for z &lt; {@link #NORMAL_TAIL_BELOW}. */
    static double gaussianTail(double z) {
        return 0.5 * Erf.erfc(z * INV_SQRT2);
    }

    private static final double INV_SQRT2 = 1 / Math.sqrt(2);

    /** ln Q(z), Q the standard Gaussian upper tail, accurate far into the tail (no underflow). */
    static double logGaussianTail(double z) {
        if (z < NORMAL_TAIL_BELOW) {
            return Math.log(gaussianTail(z));
        }
        // asymptotic series: Q(z) = phi(z) / z (1 - 1/z^2 + 3/z^4 - ...)
        double z2 = z * z;
        return -z2 / 2 - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / z2 + 3 / (z2 * z2));
    }

    public int serializedSize() {
        return sketch.serializedSize() + 8 * (4 + recent.length) + 8 + 4 + 16 + fast.serializedSize()
                + order.serializedSize();
    }

    public void writeTo(ByteBuffer out) {
        sketch.writeTo(out);
        out.putLong(scored).putDouble(recentSum).putDouble(longMean).putDouble(longVar).putLong(longCount);
        for (double v : recent) {
            out.putDouble(v);
        }
        out.putInt(suppressLeft);
        out.putDouble(uMean).putDouble(uVar);
        fast.writeTo(out);
        order.writeTo(out);
    }

    /**
     * @param gated whether the state carries the gate's moments (format 8 on); without them the gate starts afresh (until
     *        format 16 a scorer read from such a state went on ungated, and wrote a state no build could read back)
     * @param adaptive whether it carries the fast sketch and the exchangeability (format 16 on); without them the fast
     *        sketch starts as a copy of the long one and the exchangeability afresh (the long sketch alone speaks for its
     *        first {@value SerialDependence#MIN_POINTS} points, as it always did)
     * @param dimension of the standardised points
     */
    public static AnomalyScorer readFrom(ByteBuffer in, ScoreSettings settings, boolean gated, boolean adaptive,
                                         int dimension) {
        AnomalyScorer a = new AnomalyScorer(settings, SurpriseSketch.readFrom(in));
        a.scored = in.getLong();
        a.recentSum = in.getDouble();
        a.longMean = in.getDouble();
        a.longVar = in.getDouble();
        a.longCount = in.getLong();
        for (int i = 0; i < a.recent.length; i++) {
            a.recent[i] = in.getDouble();
        }
        a.suppressLeft = in.getInt();
        if (gated) {
            a.uMean = in.getDouble();
            a.uVar = in.getDouble();
        }
        if (adaptive) {
            a.fast = SurpriseSketch.readFrom(in, FAST_CHECK_EVERY);
            a.order = SerialDependence.readFrom(in, dimension);
        } else {
            a.startAdapting(dimension);
        }
        return a;
    }
}
