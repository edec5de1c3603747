package dev.onlineem.em;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The compact, versioned binary form of an {@link OnlineModel} of any kind: settings, counters, warm-up
 * buffer, standardisation, parameters, statistics and sketch, as little-endian primitives. Derived values
 * (Cholesky factors, log-weights, work arrays) are rebuilt on decode, not stored. Decoding an encoded
 * model gives a model that behaves identically, bit for bit.
 *
 * <p>Layout, version 9: version 8's, with drift repair's periodic interval (windows) after its follow-ups left; its
 * detector's moments are those of the surprise's normal quantile where version 8 kept the log-density's (read from
 * version 8 and dropped: the detector starts afresh, the interval at its start).
 *
 * <p>Version 8: version 7's, with drift repair's window size at the end of the settings, the provisional model's
 * alert suppression after a warming-up model's buffer, and, in a mixture's
 * online state when repair is on, its window (oldest point first) and change detector just before the scorer
 * ({@link DriftRepair#writeTo}). Version 7 is version 8 without either (read as repair off, so a model restored from
 * it goes on exactly as it did).
 *
 * <p>Version 7: magic "OE", version byte, the model kind's tag (0 mixture, 1 hmm), settings (with
 * the feature, score and regime settings, then the likelihood tail and the averaging flag), dimension, phase,
 * counters, the feature stage's history (once the dimension is known), then either the warm-up buffer
 * (feature vectors) or the kind's online state, ending with the anomaly scorer; a mixture with averaging
 * on keeps its averaged statistics (and their count) between its statistics and its scorer. A mixture's statistics are
 * the stored arrays followed by their scale ({@link SufficientStatistics#scale}); the counters end with the time of the
 * model's last point. Version 6 is version 7 without the scale (read as 1: its statistics were stored as they were) and
 * without the last point's time (read as 0, unknown). Version 5 is
 * version 6 without the averaging flag (read as off). Version 4 is version 5 without the likelihood tail
 * (read as gaussian, the only one it knew). Version 3 is version 4 without the tag and the regime settings: always a mixture, and
 * still read.
 * Version 2 (no feature stage; the scorer was the surprise sketch alone) is still read: it becomes a model
 * without features whose anomaly likelihood and alert suppression are off, so it goes on scoring as before.
 * (Version 1, never released, was version 2's layout big-endian.)
 */
public final class StateCodec {
    static final byte MAGIC_0 = 'O';
    static final byte MAGIC_1 = 'E';
    static final byte VERSION_9 = 9;
    public static final byte VERSION = VERSION_9;
    static final byte VERSION_8 = 8;
    static final byte VERSION_7 = 7;
    static final byte VERSION_6 = 6;
    static final byte VERSION_5 = 5;
    static final byte VERSION_4 = 4;
    static final byte VERSION_3 = 3;
    static final byte VERSION_2 = 2;
    static final byte TAG_MIXTURE = 0;
    static final byte TAG_HMM = 1;
    static final int SETTINGS_BYTES = 4 + 4 + 1 + 8 * 3 + 4 + 8 + 4 * 3 + 8 + 8
            + (4 + 1 + 4 + 1 + 1) + (8 * 3 + 4 * 2) + (1 + 8 + 4) + 1 + 1 + 4;

    private StateCodec() {
    }

    /** Thrown when bytes are not a model state this version can read. */
    public static final class CorruptStateException extends RuntimeException {
        public CorruptStateException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @param model not modified */
    public static byte[] encode(OnlineModel model) {
        return model instanceof OnlineHmmModel h ? HmmStateCodec.encode(h) : encode((OnlineMixtureModel) model);
    }

    static ByteBuffer header(int size, byte tag, ModelSettings settings) {
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC_0).put(MAGIC_1).put(VERSION).put(tag);
        writeSettings(out, settings);
        return out;
    }

    private static byte[] encode(OnlineMixtureModel model) {
        ByteBuffer out = header(size(model), TAG_MIXTURE, model.settings);
        writePipeline(out, model);
        if (model.mixture != null) {
            writeOnline(out, model);
        }
        return out.array();
    }

    private static int size(OnlineMixtureModel m) {
        int size = 4 + SETTINGS_BYTES + pipelineSize(m);
        if (m.mixture == null) {
            return size;
        }
        int d = m.featureDimension;
        int k = m.mixture.k;
        int cl = m.mixture.type.storedLength(d);
        size += 4 + 8 + 4 + 8 * 2;                  // k, t, sinceMStep, step size, avgLL
        size += 8 * 2 * d;                          // center, scale
        size += 8 * k * (1 + d + cl);               // weights, means, covariances
        size += 8 * k * (1 + d + cl) + 8;           // s0, s1, s2, scale
        if (m.averaged != null) {
            size += 8 + 8 * k * (1 + d + cl);       // points averaged, averaged s0, s1, s2
        }
        if (m.repair != null) {
            size += m.repair.serializedSize();
        }
        return size + m.scorer.serializedSize();
    }

    /**
     * What every kind's state starts with after the settings ({@link PipelineModel}'s part): dimension,
     * phase, counters, the feature history, and the warm-up buffer while the model is warming up.
     */
    static void writePipeline(ByteBuffer out, PipelineModel m) {
        out.putInt(m.dimension);
        out.put((byte) (m.isInitialised() ? 1 : 0));
        out.putLong(m.pointsSeen).putLong(m.modelVersion).putLong(m.lastPointTs);
        if (m.features != null) {
            m.features.writeTo(out);
        }
        if (!m.isInitialised()) {
            out.putInt(m.buffered);
            for (int i = 0; i < m.buffered; i++) {
                putAll(out, m.buffer[i]);
            }
            out.putInt(m.provisionalSuppressLeft);
        }
    }

    static int pipelineSize(PipelineModel m) {
        int size = 4 + 1 + 24 + (m.features == null ? 0 : m.features.serializedSize());
        return m.isInitialised() ? size : size + 4 + 8 * m.buffered * m.featureDimension + 4;
    }

    /**
     * Reads {@link #writePipeline}'s part into m.
     *
     * @param version the state's format version: 2 kept no feature stage, before 7 no last point time
     * @return whether the model is past warm-up (its kind's online state follows)
     */
    static boolean readPipeline(ByteBuffer in, PipelineModel m, byte version) {
        boolean featureHistory = version != VERSION_2;
        m.dimension = in.getInt();
        boolean online = in.get() == 1;
        m.pointsSeen = in.getLong();
        m.modelVersion = in.getLong();
        m.lastPointTs = version >= VERSION_7 ? in.getLong() : 0L;
        if (m.dimension > 0) {
            m.features = featureHistory ? FeatureStage.readFrom(in, m.settings.features(), m.dimension)
                    : new FeatureStage(m.settings.features(), m.dimension);
            m.featureDimension = m.features.outputDimension();
            m.allocateFeatureWork();
        }
        if (!online) {
            m.buffered = in.getInt();
            if (m.dimension > 0) {
                m.buffer = new double[m.settings.initPoints()][];
                for (int i = 0; i < m.buffered; i++) {
                    m.buffer[i] = getAll(in, new double[m.featureDimension]);
                }
            }
            m.provisionalSuppressLeft = version >= VERSION_8 ? in.getInt() : 0;
        }
        return online;
    }

    private static void writeOnline(ByteBuffer out, OnlineMixtureModel m) {
        GaussianMixture g = m.mixture;
        out.putInt(g.k).putLong(m.t).putInt(m.sinceMStep);
        out.putDouble(m.lastStepSize).putDouble(m.avgLogLikelihood);
        putAll(out, m.center);
        putAll(out, m.scale);
        putAll(out, g.weights);
        for (int c = 0; c < g.k; c++) {
            putAll(out, g.means[c]);
            putAll(out, g.covariances[c]);
        }
        putStatistics(out, m.stats);
        out.putDouble(m.stats.scale);
        if (m.averaged != null) {
            out.putLong(m.averagedPoints);
            putStatistics(out, m.averaged);
        }
        if (m.repair != null) {
            m.repair.writeTo(out);
        }
        m.scorer.writeTo(out);
    }

    private static void putStatistics(ByteBuffer out, SufficientStatistics s) {
        putAll(out, s.s0);
        for (int c = 0; c < s.k; c++) {
            putAll(out, s.s1[c]);
            putAll(out, s.s2[c]);
        }
    }

    private static SufficientStatistics getStatistics(ByteBuffer in, int k, int d, CovarianceType type) {
        SufficientStatistics s = new SufficientStatistics(k, d, type);
        getAll(in, s.s0);
        for (int c = 0; c < k; c++) {
            getAll(in, s.s1[c]);
            getAll(in, s.s2[c]);
        }
        return s;
    }

    /** @throws CorruptStateException when the bytes are not a state of a known version */
    public static OnlineModel decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (in.get() != MAGIC_0 || in.get() != MAGIC_1) {
                throw new CorruptStateException("not a model state (bad magic)", null);
            }
            byte version = in.get();
            if (version < VERSION_2 || version > VERSION) {
                throw new CorruptStateException("model state version " + version + " is not supported (this build reads "
                        + VERSION_2 + " to " + VERSION + ")", null);
            }
            boolean v2 = version == VERSION_2;
            byte tag = version >= VERSION_4 ? in.get() : TAG_MIXTURE;
            if (tag != TAG_MIXTURE && tag != TAG_HMM) {
                throw new CorruptStateException("unknown model kind tag " + tag, null);
            }
            ModelSettings settings = readSettings(in, version);
            if (tag == TAG_HMM) {
                OnlineHmmModel h = HmmStateCodec.decode(in, settings, version);
                if (in.hasRemaining()) {
                    throw new CorruptStateException(in.remaining() + " unexpected trailing bytes in model state", null);
                }
                return h;
            }
            OnlineMixtureModel m = new OnlineMixtureModel(settings);
            if (readPipeline(in, m, version)) {
                readOnline(in, m, version);
            }
            if (in.hasRemaining()) {
                throw new CorruptStateException(in.remaining() + " unexpected trailing bytes in model state", null);
            }
            return m;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptStateException("model state is truncated or inconsistent: " + e.getMessage(), e);
        }
    }

    private static void readOnline(ByteBuffer in, OnlineMixtureModel m, byte version) {
        boolean v2 = version == VERSION_2;
        int d = m.featureDimension;
        int k = in.getInt();
        m.t = in.getLong();
        m.sinceMStep = in.getInt();
        m.lastStepSize = in.getDouble();
        m.avgLogLikelihood = in.getDouble();
        m.center = getAll(in, new double[d]);
        m.scale = getAll(in, new double[d]);
        m.logScaleSum = m.observedLogScale(m.center);
        GaussianMixture g = new GaussianMixture(k, d, m.settings.covarianceType());
        getAll(in, g.weights);
        for (int c = 0; c < k; c++) {
            getAll(in, g.means[c]);
            getAll(in, g.covariances[c]);
        }
        g.refreshAll();
        m.mixture = g;
        m.stats = getStatistics(in, k, d, g.type);
        if (version >= VERSION_7) {
            m.stats.scale = in.getDouble();
            if (!(m.stats.scale > 0) || !Double.isFinite(m.stats.scale)) {
                throw new IllegalArgumentException("statistics scale " + m.stats.scale + " is not a positive number");
            }
        }
        if (m.settings.averaging()) {
            m.averagedPoints = in.getLong();
            m.averaged = getStatistics(in, k, d, g.type);
        }
        if (m.settings.repairWindow() > 0) {
            m.repair = DriftRepair.readFrom(in, m.settings.repairWindow(), d, version);
        }
        m.scorer = v2 ? AnomalyScorer.fromSketch(SurpriseSketch.readFrom(in), m.settings.scoring())
                : AnomalyScorer.readFrom(in, m.settings.scoring(), version >= VERSION_8);
        m.allocateWork();
    }

    static void writeSettings(ByteBuffer out, ModelSettings s) {
        out.putInt(s.kMin()).putInt(s.kMax()).put((byte) s.covarianceType().ordinal());
        out.putDouble(s.stepExponent()).putDouble(s.stepOffset()).putDouble(s.gammaMin());
        out.putInt(s.mStepInterval()).putDouble(s.regularization());
        out.putInt(s.initPoints()).putInt(s.initRestarts()).putInt(s.initMaxIterations());
        out.putDouble(s.weightFloor()).putLong(s.seed());
        FeatureSettings f = s.features();
        out.putInt(f.lags()).put((byte) (f.differences() ? 1 : 0)).putInt(f.window())
                .put((byte) (f.timeOfDay() ? 1 : 0)).put((byte) (f.dayOfWeek() ? 1 : 0));
        ScoreSettings a = s.scoring();
        out.putDouble(a.alpha()).putDouble(a.halfLife()).putInt(a.likelihoodWindow()).putDouble(a.likelihoodHalfLife())
                .putInt(a.suppressPoints());
        out.put((byte) s.kind().ordinal()).putDouble(s.regime().minProbability()).putInt(s.regime().persistence());
        out.put((byte) a.likelihoodTail().ordinal());
        out.put((byte) (s.averaging() ? 1 : 0));
        out.putInt(s.repairWindow());
    }

    /**
     * The settings as {@code version} wrote them. Version 2 had no features and kept only alpha and the
     * sketch half-life of the scoring (between init.max.iterations and weight.floor), so its likelihood and
     * suppression are off; versions before 4 knew only mixtures.
     */
    private static ModelSettings readSettings(ByteBuffer in, byte version) {
        int kMin = in.getInt();
        int kMax = in.getInt();
        CovarianceType type = readType(in);
        double stepExponent = in.getDouble();
        double stepOffset = in.getDouble();
        double gammaMin = in.getDouble();
        int mStepInterval = in.getInt();
        double reg = in.getDouble();
        int initPoints = in.getInt();
        int initRestarts = in.getInt();
        int initMaxIterations = in.getInt();
        boolean v2 = version == VERSION_2;
        ScoreSettings v2Scoring = v2 ? new ScoreSettings(in.getDouble(), in.getDouble(), 1, ScoreSettings.DEFAULT_LIKELIHOOD_HALF_LIFE, 0,
                LikelihoodTail.GAUSSIAN) : null;
        double weightFloor = in.getDouble();
        long seed = in.getLong();
        FeatureSettings f = v2 ? FeatureSettings.NONE : new FeatureSettings(in.getInt(), in.get() == 1, in.getInt(), in.get() == 1, in.get() == 1);
        ScoreSettings a = v2 ? v2Scoring : new ScoreSettings(in.getDouble(), in.getDouble(), in.getInt(), in.getDouble(), in.getInt(),
                LikelihoodTail.GAUSSIAN);
        ModelKind kind = ModelKind.MIXTURE;
        RegimeSettings regime = RegimeSettings.DEFAULT;
        if (version >= VERSION_4) {
            int kindCode = in.get();
            if (kindCode < 0 || kindCode >= ModelKind.values().length) {
                throw new CorruptStateException("unknown model kind code " + kindCode, null);
            }
            kind = ModelKind.values()[kindCode];
            regime = new RegimeSettings(in.getDouble(), in.getInt());
        }
        if (version >= VERSION_5) {
            int tailCode = in.get();
            if (tailCode < 0 || tailCode >= LikelihoodTail.values().length) {
                throw new CorruptStateException("unknown likelihood tail code " + tailCode, null);
            }
            a = a.withLikelihoodTail(LikelihoodTail.values()[tailCode]);
        }
        boolean averaging = version >= VERSION_6 && in.get() == 1;
        int repairWindow = version >= VERSION_8 ? in.getInt() : 0;
        return new ModelSettings(kMin, kMax, type, stepExponent, stepOffset, gammaMin, mStepInterval, reg, initPoints,
                initRestarts, initMaxIterations, weightFloor, seed, f, a, kind, regime, averaging, repairWindow);
    }

    private static CovarianceType readType(ByteBuffer in) {
        int type = in.get();
        if (type < 0 || type >= CovarianceType.values().length) {
            throw new CorruptStateException("unknown covariance type code " + type, null);
        }
        return CovarianceType.values()[type];
    }

    /** A bulk copy through a double view; little-endian, so on x86 and ARM it is a plain memory copy. */
    static void putAll(ByteBuffer out, double[] values) {
        out.asDoubleBuffer().put(values);
        out.position(out.position() + Double.BYTES * values.length);
    }

    static double[] getAll(ByteBuffer in, double[] into) {
        in.asDoubleBuffer().get(into);
        in.position(in.position() + Double.BYTES * into.length);
        return into;
    }
}
