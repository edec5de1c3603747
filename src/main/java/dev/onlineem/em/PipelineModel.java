package dev.onlineem.em;

import static dev.onlineem.em.base.StateFormat.getAll;
import static dev.onlineem.em.base.StateFormat.putAll;

import dev.onlineem.em.base.ObservedMoments;
import dev.onlineem.em.base.StateFormat;
import dev.onlineem.em.features.FeatureStage;
import dev.onlineem.em.mixture.DriftRepair;
import dev.onlineem.em.mixture.GaussianMixture;
import dev.onlineem.em.scoring.AnomalyScorer;
import dev.onlineem.em.scoring.ProvisionalScorer;
import dev.onlineem.em.scoring.ScoreSettings;
import dev.onlineem.em.scoring.SurpriseSketch;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * What every model kind shares: the per-point pipeline around its own learning. A point is validated,
 * turned into features by the causal {@link FeatureStage}, buffered until {@code init.points} feature
 * vectors have come, and then the kind fits the buffer ({@link #initialise}) and from there scores and
 * learns each point ({@link #scoreAndLearn}).
 *
 * <p>Every kind works on standardised coordinates z = (f - c) / s, with c and s the warm-up buffer's
 * per-coordinate mean and standard deviation: it keeps the second-moment statistics well conditioned
 * whatever the data's offset and scale, and makes the covariance regularisation relative to the data.
 * Everything reported is in the data's own units ({@link #toDataUnits}).
 *
 * <p>The fields are the state {@link StateCodec} frames (the work arrays aside): this class writes and reads the
 * pipeline's part ({@link #writeState}), each kind its own part ({@link #writeOnlineState}); deterministic, bit for bit.
 * Mutable, not thread-safe.
 */
abstract sealed class PipelineModel implements OnlineModel permits OnlineMixtureModel, OnlineHmmModel {
    /** Standardised coordinates beyond this magnitude are scored but not learned from (their squares would overflow). */
    static final double LEARN_LIMIT = 1e100;
    /**
     * Largest accepted |coordinate|: the warm-up's sums of squared deviations over up to a few thousand
     * points must stay below Double.MAX_VALUE (2e152 squared is 4e304).
     */
    static final double MAX_ABS_VALUE = 1e152;
    /** Rate of the running average of logDensity reported in snapshots: a half-life of 1,000 points. */
    private static final double LOG_LIKELIHOOD_RATE = 1 - Math.pow(2, -1 / 1000.0);

    final ModelSettings settings;
    private int dimension;        // of the input points; 0 until the first point fixes it
    private FeatureStage features; // null until the first point
    int featureDimension;         // of the vectors the model learns
    long pointsSeen;
    long modelVersion;
    /** The timestamp of the last point taken (epoch ms, as the caller gave it), 0 before the first. */
    private long lastPointTs;

    // warm-up
    private double[][] buffer;
    private int buffered;
    /** Points the provisional model still holds its alerts back for (an alert suppresses the next anomaly.suppress.points). */
    private int provisionalSuppressLeft;
    /**
     * The range rule's per-coordinate lowest and highest value of the input points taken so far (+infinity and -infinity
     * until a coordinate is first observed), kept for the range rule and the repeat rule; null when both are off
     * (anomaly.range.tolerance and anomaly.repeat.tolerance 0) or before the first point.
     */
    private double[] rangeLow;
    private double[] rangeHigh;
    /**
     * The repeat rule's memory: the input points of the model's last {@link ScoreSettings#REPEAT_MEMORY} alerts (provisional
     * ones included), oldest first, {@code alerts} of them; null when the rule is off or before the first point.
     */
    private double[] alertPoints;
    private int alerts;

    // online phase
    double[] center;
    double[] scale;
    double logScaleSum;           // sum_j log s_j, derived from scale (not serialised)
    AnomalyScorer scorer;
    long t;                       // online step counter (starts at the warm-up size)
    double lastStepSize;
    double avgLogLikelihood;
    /** Drift repair's recent points and change detector; null when {@code repair.window} is 0 or during warm-up. Each kind writes it. */
    DriftRepair repair;

    // work arrays, never serialised
    double[] z;
    double[] featureVector;
    boolean featuresReady;        // whether featureVector holds the last point's features
    final AnomalyScorer.Score score = new AnomalyScorer.Score();
    private ProvisionalScorer provisional;
    /** Whether the point being scored lies beyond the range rule's range (set before the kind scores it). */
    private boolean beyondRange;
    /** Whether every observed coordinate of the point being scored lies within the range of the values before it. */
    private boolean insideRange;
    /** The point being scored, the caller's array (during {@link #update} only). */
    private double[] current;
    /** The repeat rule's test of the point being scored, for the scorer; null when the rule is off. */
    private final BooleanSupplier repeats;

    PipelineModel(ModelSettings settings) {
        this.settings = settings;
        this.repeats = settings.scoring().repeatRule() ? this::repeatsAnAlert : null;
    }

    @Override
    public ModelSettings settings() {
        return settings;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public long pointsSeen() {
        return pointsSeen;
    }

    @Override
    public long lastPointTs() {
        return lastPointTs;
    }

    @Override
    public long modelVersion() {
        return modelVersion;
    }

    @Override
    public FeatureStage features() {
        return features;
    }

    @Override
    public double[] lastFeatures() {
        return featuresReady ? featureVector : null;
    }

    /**
     * Turns the point into features, scores them under the current model, then learns from them.
     *
     * @throws IllegalArgumentException (the model unchanged) when the dimension differs from the
     *         model's, a coordinate is infinite or too large, or every coordinate is missing
     */
    @Override
    public final void update(double[] x, long timestampMs, PointResult out) {
        validate(x, dimension);
        if (dimension == 0) {
            dimension = x.length;
            features = new FeatureStage(settings.features(), dimension);
            featureDimension = features.outputDimension();
            allocateFeatureWork();
            buffer = new double[settings.initPoints()][];
            if (settings.scoring().keepsRange()) {
                rangeLow = new double[dimension];
                rangeHigh = new double[dimension];
                Arrays.fill(rangeLow, Double.POSITIVE_INFINITY);
                Arrays.fill(rangeHigh, Double.NEGATIVE_INFINITY);
            }
            if (settings.scoring().repeatRule()) {
                alertPoints = new double[ScoreSettings.REPEAT_MEMORY * dimension];
            }
        }
        out.beginPoint();
        beyondRange = settings.scoring().rangeRule() && isInitialised() && beyondRange(x);
        if (alertPoints != null) {
            insideRange = insideRange(x); // before the point widens the range: a new extreme is never a repeat
        }
        if (rangeLow != null) {
            widenRange(x);
        }
        current = x;
        try {
            takePoint(x, timestampMs, out);
        } finally {
            current = null;
        }
        if (alertPoints != null && out.anomaly) {
            rememberAlert(x);
        }
    }

    private void takePoint(double[] x, long timestampMs, PointResult out) {
        lastPointTs = timestampMs;
        boolean ready = features.transform(x, timestampMs, featureVector);
        featuresReady = ready;
        if (!ready) {
            pointsSeen++;
            out.markWarmup(modelVersion, pointsSeen);
            return;
        }
        if (!isInitialised()) {
            pointsSeen++;
            out.markWarmup(modelVersion, pointsSeen);
            if (buffered >= ProvisionalScorer.MIN_POINTS && buffered < ProvisionalScorer.MAX_POINTS) {
                scoreProvisionally(out);
            }
            if (buffer[buffered] == null) {
                addBufferRows();
            }
            System.arraycopy(featureVector, 0, buffer[buffered++], 0, featureDimension);
            if (buffered == settings.initPoints()) {
                initialise();
                out.initialisedNow = true;
                out.modelVersion = modelVersion;
            }
            return;
        }
        scoreAndLearn(featureVector, x, out);
    }

    /**
     * The range rule: whether a coordinate of x lies beyond [low, high] of its values so far by more than
     * anomaly.range.tolerance times high - low (a coordinate seen constant, or not yet seen, has no positive span and never
     * does).
     */
    private boolean beyondRange(double[] x) {
        double tolerance = settings.scoring().rangeTolerance();
        for (int j = 0; j < x.length; j++) {
            double span = rangeHigh[j] - rangeLow[j];
            if (span > 0 && (x[j] > rangeHigh[j] + tolerance * span || x[j] < rangeLow[j] - tolerance * span)) {
                return true; // NaN compares false: a missing coordinate is never beyond
            }
        }
        return false;
    }

    /** Whether every observed coordinate of x lies within [low, high] of its values so far (before x). */
    private boolean insideRange(double[] x) {
        for (int j = 0; j < x.length; j++) {
            if (x[j] < rangeLow[j] || x[j] > rangeHigh[j]) {
                return false; // NaN compares false: a missing coordinate is inside
            }
        }
        return true;
    }

    /**
     * The repeat rule: whether the point being scored lies inside the range and, on every coordinate both have, within
     * anomaly.repeat.tolerance times that coordinate's range of one of the remembered alerts (a point with no coordinate in
     * common with an alert does not repeat it).
     */
    private boolean repeatsAnAlert() {
        if (!insideRange || current == null) {
            return false;
        }
        double tolerance = settings.scoring().repeatTolerance();
        int d = dimension;
        for (int a = 0; a < alerts; a++) {
            boolean near = true;
            boolean common = false;
            for (int j = 0; j < d && near; j++) {
                double v = alertPoints[a * d + j];
                double x = current[j];
                if (Double.isNaN(v) || Double.isNaN(x)) {
                    continue;
                }
                common = true;
                near = Math.abs(x - v) <= tolerance * (rangeHigh[j] - rangeLow[j]);
            }
            if (near && common) {
                return true;
            }
        }
        return false;
    }

    private void rememberAlert(double[] x) {
        int d = dimension;
        if (alerts == ScoreSettings.REPEAT_MEMORY) {
            System.arraycopy(alertPoints, d, alertPoints, 0, (alerts - 1) * d);
            alerts--;
        }
        System.arraycopy(x, 0, alertPoints, alerts * d, d);
        alerts++;
    }

    private void widenRange(double[] x) {
        for (int j = 0; j < x.length; j++) {
            if (!Double.isNaN(x[j])) { // a missing coordinate leaves its range alone
                rangeLow[j] = Math.min(rangeLow[j], x[j]);
                rangeHigh[j] = Math.max(rangeHigh[j], x[j]);
            }
        }
    }

    /** The alerts the repeat rule remembers (at most {@link ScoreSettings#REPEAT_MEMORY}); 0 when the rule is off. */
    public int rememberedAlerts() {
        return alerts;
    }

    /** The range rule's lowest value of each input coordinate so far (+infinity where none was observed); null when the rule is off. */
    public double[] rangeLow() {
        return rangeLow;
    }

    /** The range rule's highest value of each input coordinate so far; null when the rule is off. */
    public double[] rangeHigh() {
        return rangeHigh;
    }

    /**
     * Rows for the next buffered points, at least 8 and as many as the buffer holds (up to its capacity): a few allocations
     * per warm-up rather than one per point, each of which a long-lived model (in the old generation) would keep young
     * for the collector to find at every young collection until its warm-up ends.
     */
    private void addBufferRows() {
        int end = Math.min(buffer.length, Math.max(buffered + 8, 2 * buffered));
        double[][] rows = new double[end - buffered][featureDimension];
        System.arraycopy(rows, 0, buffer, buffered, rows.length);
    }

    /** Scores the point by the provisional model of the buffered points, before it joins them, with the model's alert suppression. */
    private void scoreProvisionally(PointResult out) {
        if (provisional == null) {
            provisional = new ProvisionalScorer(buffer.length);
        }
        double log10P = provisional.score(featureVector, buffer, buffered);
        if (provisional.scored()) {
            out.logDensity = provisional.logDensity();
            out.pValue = provisional.pValue();
            out.likelihoodPValue = 1;
            out.anomalyScore = AnomalyScorer.scoreOf(log10P);
            out.provisional = true;
        }
        boolean surprising = log10P < Math.log10(settings.scoring().alpha());
        if (provisionalSuppressLeft > 0) {
            provisionalSuppressLeft--;
        } else if (surprising) {
            out.anomaly = true;
            provisionalSuppressLeft = settings.scoring().suppressPoints();
        }
    }

    /** Ends warm-up: fits the buffer ({@link #standardisedBuffer}), then {@link #endWarmup}. */
    abstract void initialise();

    /**
     * Scores the feature vector f under the current parameters, then learns from it.
     *
     * @param x the input point, for imputation
     */
    abstract void scoreAndLearn(double[] f, double[] x, PointResult out);

    /** The checks every model kind makes on a point before it changes anything. */
    static void validate(double[] x, int dimension) {
        if (dimension != 0 && x.length != dimension) {
            throw new IllegalArgumentException("dimension " + dimension + " expected, got " + x.length);
        }
        if (x.length == 0) {
            throw new IllegalArgumentException("the point has no coordinates");
        }
        boolean anyObserved = false;
        for (int j = 0; j < x.length; j++) {
            if (Double.isInfinite(x[j])) {
                throw new IllegalArgumentException("coordinate " + j + " is " + x[j] + "; only finite numbers or missing values are accepted");
            }
            if (Math.abs(x[j]) > MAX_ABS_VALUE) {
                throw new IllegalArgumentException("coordinate " + j + " is " + x[j] + ", beyond the largest accepted magnitude "
                        + MAX_ABS_VALUE + " (sums of squares must stay finite in double precision): rescale the data");
            }
            anyObserved |= !Double.isNaN(x[j]);
        }
        if (!anyObserved) {
            throw new IllegalArgumentException("every coordinate of the point is missing");
        }
    }

    /**
     * Sets the standardisation from the warm-up buffer and returns the buffer's rows standardised; the buffer
     * itself is dropped (a whole file fitted by batch EM is held once, not twice).
     */
    final double[][] standardisedBuffer() {
        int d = featureDimension;
        int n = buffered;
        center = new double[d];
        scale = new double[d];
        ObservedMoments.meanAndSpread(buffer, n, d, center, scale);
        logScaleSum = observedLogScale(center); // the centre has no missing coordinate: sum_j log s_j
        double[][] data = new double[n][d];
        for (int i = 0; i < n; i++) {
            standardiseInto(buffer[i], center, scale, data[i]);
        }
        buffer = null;
        return data;
    }

    /** Starts drift repair with an empty window when the settings ask for it (at the end of warm-up). */
    final void startRepair() {
        repair = settings.repairWindow() > 0 ? new DriftRepair(settings.repairWindow(), featureDimension) : null;
    }

    /** Gives drift repair the point just learned (standardised, in {@link #z}) and its surprise; whether a check is due now. */
    final boolean repairDue() {
        return repair != null && repair.observe(z, score.driftPValue);
    }

    /** The seed of drift repair's fresh starts at this point: the model's seed and step counter, so a restored model draws the same. */
    final long repairSeed() {
        return settings.seed() * 0x9E3779B97F4A7C15L + t;
    }

    /** Drift repair's window and detector, or null. */
    public DriftRepair repair() {
        return repair;
    }

    /**
     * The fast calibration's weight in the published pValue: how exchangeable the model's stream has looked so far (0 during
     * warm-up). See {@link AnomalyScorer}.
     */
    public double exchangeableWeight() {
        return scorer == null ? 0 : scorer.exchangeableWeight();
    }

    /** The checks drift repair has run over the model's life (0 when repair is off). */
    public long repairChecks() {
        return repair == null ? 0 : repair.checks;
    }

    /** The times drift repair replaced the model's parameters over its life (0 when repair is off). */
    public long repairs() {
        return repair == null ? 0 : repair.repairs;
    }

    /**
     * After the kind's warm-up fit: the anomaly scorer laid out on the warm-up's surprises (-log-density of
     * each buffered point, in data units), the running log-likelihood, the step counter; the buffer dropped.
     */
    final void endWarmup(double[] surprises) {
        double llSum = 0;
        for (double s : surprises) {
            llSum += -s;
        }
        avgLogLikelihood = llSum / surprises.length;
        scorer = new AnomalyScorer(settings.scoring(), featureDimension);
        scorer.initialise(surprises);
        scorer.suppressFor(provisionalSuppressLeft); // one event, one alert, across the end of warm-up
        provisionalSuppressLeft = 0;
        provisional = null;
        t = buffered;
        modelVersion = pointsSeen;
        buffer = null;
        buffered = 0;
    }

    /**
     * Standardises f into {@link #z}; false when a coordinate is too far out to learn from. Such a
     * coordinate is scored at {@link #LEARN_LIMIT} standard units: beyond it, squares overflow (a model
     * of data at 1e-100 meeting a point at 1e100 is 1e200 units out) and the scores would be NaN, while
     * at the limit the point is still scored as astronomically unlikely.
     */
    final boolean standardise(double[] f) {
        boolean learnable = true;
        standardiseInto(f, center, scale, z);
        for (int j = 0; j < featureDimension; j++) {
            if (Math.abs(z[j]) > LEARN_LIMIT) {
                learnable = false;
                z[j] = Math.copySign(LEARN_LIMIT, z[j]);
            }
        }
        return learnable;
    }

    /** Scores the point's surprise, writes the scores to {@code out}, and counts the point. */
    final void scorePoint(double logDensity, int components, PointResult out) {
        scorer.score(-logDensity, z, beyondRange, repeats, score);
        double rate = Math.max(1.0 / (t + 1), LOG_LIKELIHOOD_RATE);
        avgLogLikelihood += rate * (Math.max(logDensity, -1e300) - avgLogLikelihood);
        pointsSeen++;
        out.ensureCapacity(components, dimension);
        out.logDensity = logDensity;
        out.pValue = score.pValue;
        out.likelihoodPValue = score.likelihoodPValue;
        out.anomalyScore = score.anomalyScore;
        out.anomaly = score.anomaly;
        out.beyondRange = beyondRange;
        out.repeat = score.repeat;
        out.components = components;
    }

    /** The step, point count and version after the point, once it has been learned (or not). */
    final void finishPoint(PointResult out) {
        out.stepSize = lastStepSize;
        out.pointsSeen = pointsSeen;
        out.modelVersion = modelVersion;
    }

    /** Rows of feature vectors in this model's standardised coordinates (NaN kept). Allocates. */
    final double[][] standardised(double[][] rows) {
        double[][] z = new double[rows.length][featureDimension];
        for (int i = 0; i < rows.length; i++) {
            standardiseInto(rows[i], center, scale, z[i]);
        }
        return z;
    }

    /**
     * The one standardisation: z_j = (x_j - center_j) / scale_j for each coordinate of {@code z} (NaN stays NaN).
     *
     * @param z modified
     */
    static void standardiseInto(double[] x, double[] center, double[] scale, double[] z) {
        for (int j = 0; j < z.length; j++) {
            z[j] = (x[j] - center[j]) / scale[j];
        }
    }

    /** sum of log s_j over the coordinates of {@code zz} that are not NaN: the log-Jacobian of the standardisation. */
    final double observedLogScale(double[] zz) {
        double s = 0;
        for (int j = 0; j < scale.length; j++) {
            if (!Double.isNaN(zz[j])) {
                s += Math.log(scale[j]);
            }
        }
        return s;
    }

    /** Component (or state) s of g in the data's units, into mean[d] and cov[d][d]. */
    final void toDataUnits(GaussianMixture g, int s, double[] mean, double[][] cov) {
        int d = featureDimension;
        for (int i = 0; i < d; i++) {
            mean[i] = center[i] + scale[i] * g.means[s][i];
            for (int j = 0; j < d; j++) {
                cov[i][j] = scale[i] * scale[j] * g.fullCovariance(s, i, j);
            }
        }
    }

    /** The names of the feature vector's coordinates, built on x0, x1, ... for the input point's. */
    final String[] featureNames() {
        return features.names();
    }

    void allocateFeatureWork() {
        featureVector = new double[featureDimension];
        z = new double[featureDimension];
    }

    /** The kind's work arrays, sized for its parameters: after the warm-up fit and after a state is read. */
    abstract void allocateWork();

    /** Points the provisional model still holds its alerts back for. */
    public final int provisionalSuppressLeft() {
        return provisionalSuppressLeft;
    }

    // ---- the state ({@link StateCodec}): the pipeline's part, then once online the kind's part and the scorer

    /** Bytes of {@link #writeState}'s part. */
    final int stateSize() {
        int size = 4 + 1 + 24 + (features == null ? 0 : features.serializedSize()) + (rangeLow == null ? 0 : 16 * dimension)
                + (alertPoints == null ? 0 : 4 + 8 * alerts * dimension);
        return isInitialised() ? size + onlineStateSize() + scorer.serializedSize() : size + 4 + 8 * buffered * featureDimension + 4;
    }

    /**
     * Writes what follows the settings: dimension, phase, counters, the feature history, then the warm-up
     * buffer while the model warms up, or the kind's online state ({@link #writeOnlineState}) and the scorer.
     */
    final void writeState(ByteBuffer out) {
        out.putInt(dimension);
        out.put((byte) (isInitialised() ? 1 : 0));
        out.putLong(pointsSeen).putLong(modelVersion).putLong(lastPointTs);
        if (features != null) {
            features.writeTo(out);
        }
        if (rangeLow != null) {
            putAll(out, rangeLow);
            putAll(out, rangeHigh);
        }
        if (alertPoints != null) {
            out.putInt(alerts);
            putAll(out, alertPoints, alerts * dimension);
        }
        if (!isInitialised()) {
            out.putInt(buffered);
            for (int i = 0; i < buffered; i++) {
                putAll(out, buffer[i]);
            }
            out.putInt(provisionalSuppressLeft);
            return;
        }
        writeOnlineState(out);
        scorer.writeTo(out);
    }

    /**
     * Reads {@link #writeState}'s part into this new model.
     *
     * @param version the state's format version: 2 kept no feature stage and only the scorer's sketch, before 7 no
     *        last point time, before 8 no provisional suppression, before 13 no range, before 14 no repeat memory (their
     *        settings turn those rules off)
     */
    final void readState(ByteBuffer in, byte version) {
        boolean v2 = version == StateFormat.VERSION_2;
        dimension = in.getInt();
        boolean online = in.get() == 1;
        pointsSeen = in.getLong();
        modelVersion = in.getLong();
        lastPointTs = version >= StateFormat.VERSION_7 ? in.getLong() : 0L;
        if (dimension > 0) {
            features = v2 ? new FeatureStage(settings.features(), dimension) : FeatureStage.readFrom(in, settings.features(), dimension);
            featureDimension = features.outputDimension();
            allocateFeatureWork();
            if (settings.scoring().keepsRange()) {
                rangeLow = getAll(in, new double[dimension]);
                rangeHigh = getAll(in, new double[dimension]);
            }
            if (settings.scoring().repeatRule()) {
                alerts = in.getInt();
                if (alerts < 0 || alerts > ScoreSettings.REPEAT_MEMORY) {
                    throw new IllegalArgumentException("a repeat memory of " + alerts + " alerts");
                }
                alertPoints = getAll(in, new double[ScoreSettings.REPEAT_MEMORY * dimension], alerts * dimension);
            }
        }
        if (!online) {
            buffered = in.getInt();
            if (dimension > 0) {
                buffer = new double[settings.initPoints()][];
                for (int i = 0; i < buffered; i++) {
                    buffer[i] = getAll(in, new double[featureDimension]);
                }
            }
            provisionalSuppressLeft = version >= StateFormat.VERSION_8 ? in.getInt() : 0;
            return;
        }
        readOnlineState(in, version);
        scorer = v2 ? AnomalyScorer.fromSketch(SurpriseSketch.readFrom(in), settings.scoring(), featureDimension)
                : AnomalyScorer.readFrom(in, settings.scoring(), version >= StateFormat.VERSION_8,
                        version >= StateFormat.VERSION_16, featureDimension);
        allocateWork();
    }

    /** Bytes of {@link #writeOnlineState}'s part. */
    abstract int onlineStateSize();

    /** Writes the kind's online state: its parameters, statistics and whatever else it learns from point to point. */
    abstract void writeOnlineState(ByteBuffer out);

    /** Reads {@link #writeOnlineState}'s part, as format {@code version} wrote it. */
    abstract void readOnlineState(ByteBuffer in, byte version);

    /** Bytes of {@link #writeProgress}'s part. */
    final int progressSize() {
        return 8 * 2 + 8 * 2 * featureDimension;
    }

    /** The progress every kind writes in its online state: the last step size, the running log-likelihood, the standardisation. */
    final void writeProgress(ByteBuffer out) {
        out.putDouble(lastStepSize).putDouble(avgLogLikelihood);
        putAll(out, center);
        putAll(out, scale);
    }

    /** Reads {@link #writeProgress}'s part. */
    final void readProgress(ByteBuffer in) {
        lastStepSize = in.getDouble();
        avgLogLikelihood = in.getDouble();
        center = getAll(in, new double[featureDimension]);
        scale = getAll(in, new double[featureDimension]);
        logScaleSum = observedLogScale(center);
    }
}
