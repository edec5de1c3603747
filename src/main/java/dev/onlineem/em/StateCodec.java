package dev.onlineem.em;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.base.ModelKind;
import dev.onlineem.em.base.StateFormat;
import dev.onlineem.em.density.Distribution;
import dev.onlineem.em.features.FeatureSettings;
import dev.onlineem.em.hmm.RegimeSettings;
import dev.onlineem.em.mixture.DriftRepair;
import dev.onlineem.em.mixture.SufficientStatistics;
import dev.onlineem.em.scoring.LikelihoodTail;
import dev.onlineem.em.scoring.ScoreSettings;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The compact, versioned binary form of an {@link OnlineModel} of any kind: settings, counters, warm-up
 * buffer, standardisation, parameters, statistics and sketch, as little-endian primitives. Derived values
 * (Cholesky factors, log-weights, work arrays) are rebuilt on decode, not stored. Decoding an encoded
 * model gives a model that behaves identically, bit for bit.
 *
 * <p>This class frames a state (magic, version, the kind's tag, the settings); the model writes the rest, each
 * part by the class that owns its fields: {@link PipelineModel#writeState} the pipeline's part and the scorer, each
 * kind its online state ({@link OnlineMixtureModel}, {@link OnlineHmmModel}: {@code writeOnlineState}).
 *
 * <p>Layout, version 17: version 16's, with the memory-bank flag (a byte) at the end of the settings and, at the end of an
 * HMM's online state, a byte (0: no fast chain: the bank is off, the model has no half-life, or it was restored from a
 * state of version 16 or older, which goes on without the bank as it did; 1: the fast chain follows), then the fast
 * chain as the main one (initial law, transitions, emissions, filter, Cappe's auxiliary statistics), the main chain's
 * weight, and the long sketch of the main chain's own surprises, which drift repair's detector reads
 * ({@link dev.onlineem.em.scoring.SurpriseSketch#writeTo}; {@link OnlineHmmModel}). Every mixture's online state is
 * version 16's.
 *
 * <p>Version 16: version 15's, with the scorer ({@link dev.onlineem.em.scoring.AnomalyScorer#writeTo}) ending with
 * its fast sketch (that of {@link dev.onlineem.em.scoring.SurpriseSketch#writeTo}) and the stream's exchangeability
 * ({@link dev.onlineem.em.scoring.SerialDependence#writeTo}: its count, then each coordinate's last value, mean, variance
 * and running squared deviation and difference). The likelihood's gate moments are written whatever the version read: a
 * scorer read from a state of version 7 or older starts its gate afresh (before version 16 it went on ungated and wrote
 * a state without them, which no build could read back). A scorer read from a state of version 15 or older starts its
 * fast sketch as a copy of its long one and its exchangeability afresh. A challenger's judgement is its block sum,
 * block means' sum and sum of squares, then the gains' sum of squares; version 15 had the gains' count (a long) and sum
 * between the last two, which are read and dropped.
 *
 * <p>Version 15: version 14's, with a mixture's challenger ({@link dev.onlineem.em.mixture.Challenger#writeTo})
 * after drift repair's window when repair is on: a byte (0: none, the model restored from a state of version 14 or
 * older, which goes on without challengers as it did; 1: the challenger follows), its schedule and judgement and, while one
 * runs, its K, parameters, statistics and their scale. Every HMM state is version 14's. The judgement: block sum, block
 * means' sum and sum of squares, the gains' count (a long), sum and sum of squares.
 *
 * <p>Version 14: version 13's, with the repeat rule's tolerance after the range rule's at the end of the settings
 * and, when it is not 0, the repeat memory (the number of remembered alerts, then their input points, oldest first) after
 * the range ({@link PipelineModel#writeState}), which is kept when either rule is on. States of version 13 and older are
 * read with the repeat rule off.
 *
 * <p>Version 13: version 12's, with the range rule's tolerance at the end of the settings and, when it is not 0
 * and the model has taken a point, the lowest and then the highest value of each input coordinate so far (+infinity and
 * -infinity for one not yet observed) after the feature stage's history ({@link PipelineModel#writeState}). States of version 12 and older are read with the rule off, so a
 * model restored from one goes on exactly as it did.
 *
 * <p>Version 12: version 11's, with an HMM's drift repair (when model.repair.window is not 0) at the end of its
 * online state: its window and change detector as a mixture's ({@link DriftRepair#writeTo}). An HMM state of version 11
 * or older starts repair afresh (an empty window); every mixture's state is version 11's.
 *
 * <p>Version 11: version 10's, with a Student-t model's statistics (each set of them) ending with su, sdf and
 * sdfInformation per component: the df's linearised score and its information, for the df's Fisher-scoring (ECME) step
 * ({@link dev.onlineem.em.density.StudentTails}). Version 10's sdf, EM's df statistic, is read and dropped, and the df
 * statistics restart at the df read with the weight of the component's points. Every Gaussian state is version 10's.
 *
 * <p>Version 10: version 9's, with the distribution at the end of the settings (the family's code, 0 gaussian
 * or 1 student-t, and the fixed degrees of freedom, 0 when estimated); a Student-t model's parameters end with each
 * component's degrees of freedom, and its statistics (each set of them) with su and sdf per component
 * ({@link SufficientStatistics#writeTo}); an HMM's online state starts with its number of states (chosen by BIC with
 * model.k.range). A Gaussian mixture's online state is version 9's. Version 9 and older are read as Gaussian, an HMM's
 * states as model.k.
 *
 * <p>Version 9: version 8's, with drift repair's periodic interval (windows) after its follow-ups left; its
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
    /** The kind's tag is its {@link ModelKind} ordinal. */
    static final byte TAG_MIXTURE = 0;
    static final byte TAG_HMM = 1;
    static final int SETTINGS_BYTES = 4 + 4 + 1 + 8 * 3 + 4 + 8 + 4 * 3 + 8 + 8
            + (4 + 1 + 4 + 1 + 1) + (8 * 3 + 4 * 2) + (1 + 8 + 4) + 1 + 1 + 4 + (1 + 8) + 8 + 8 + 1;

    private StateCodec() {
    }

    /** Thrown when bytes are not a model state this version can read. */
    public static final class CorruptStateException extends RuntimeException {
        public CorruptStateException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The header (magic, version, the kind's tag, settings) and then the model's own part ({@link PipelineModel#writeState}:
     * the pipeline's, then the kind's).
     *
     * @param model not modified
     */
    public static byte[] encode(OnlineModel model) {
        PipelineModel m = (PipelineModel) model; // the one implementation (OnlineModel is sealed)
        ByteBuffer out = ByteBuffer.allocate(4 + SETTINGS_BYTES + m.stateSize()).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC_0).put(MAGIC_1).put(StateFormat.VERSION).put((byte) m.kind().ordinal());
        writeSettings(out, m.settings);
        m.writeState(out);
        return out.array();
    }

    /** @throws CorruptStateException when the bytes are not a state of a known version */
    public static OnlineModel decode(byte[] bytes) {
        try {
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (in.get() != MAGIC_0 || in.get() != MAGIC_1) {
                throw new CorruptStateException("not a model state (bad magic)", null);
            }
            byte version = in.get();
            if (version < StateFormat.VERSION_2 || version > StateFormat.VERSION) {
                throw new CorruptStateException("model state version " + version + " is not supported (this build reads "
                        + StateFormat.VERSION_2 + " to " + StateFormat.VERSION + ")", null);
            }
            byte tag = version >= StateFormat.VERSION_4 ? in.get() : TAG_MIXTURE;
            if (tag != TAG_MIXTURE && tag != TAG_HMM) {
                throw new CorruptStateException("unknown model kind tag " + tag, null);
            }
            ModelSettings settings = readSettings(in, version);
            if (settings.kind().ordinal() != tag) {
                throw new CorruptStateException("model kind tag " + tag + " does not match the settings' model type "
                        + settings.kind().label(), null);
            }
            PipelineModel m = (PipelineModel) OnlineModel.create(settings);
            m.readState(in, version);
            if (in.hasRemaining()) {
                throw new CorruptStateException(in.remaining() + " unexpected trailing bytes in model state", null);
            }
            return m;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            throw new CorruptStateException("model state is truncated or inconsistent: " + e.getMessage(), e);
        }
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
        out.put((byte) s.distribution().family().ordinal()).putDouble(s.distribution().df());
        out.putDouble(a.rangeTolerance());
        out.putDouble(a.repeatTolerance());
        out.put((byte) (s.memoryBank() ? 1 : 0));
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
        boolean v2 = version == StateFormat.VERSION_2;
        ScoreSettings v2Scoring = v2 ? new ScoreSettings(in.getDouble(), in.getDouble(), 1, ScoreSettings.FORMER_LIKELIHOOD_HALF_LIFE, 0,
                LikelihoodTail.GAUSSIAN) : null;
        double weightFloor = in.getDouble();
        long seed = in.getLong();
        FeatureSettings f = v2 ? FeatureSettings.NONE : new FeatureSettings(in.getInt(), in.get() == 1, in.getInt(), in.get() == 1, in.get() == 1);
        ScoreSettings a = v2 ? v2Scoring : new ScoreSettings(in.getDouble(), in.getDouble(), in.getInt(), in.getDouble(), in.getInt(),
                LikelihoodTail.GAUSSIAN);
        ModelKind kind = ModelKind.MIXTURE;
        RegimeSettings regime = RegimeSettings.DEFAULT;
        if (version >= StateFormat.VERSION_4) {
            int kindCode = in.get();
            if (kindCode < 0 || kindCode >= ModelKind.values().length) {
                throw new CorruptStateException("unknown model kind code " + kindCode, null);
            }
            kind = ModelKind.values()[kindCode];
            regime = new RegimeSettings(in.getDouble(), in.getInt());
        }
        if (version >= StateFormat.VERSION_5) {
            int tailCode = in.get();
            if (tailCode < 0 || tailCode >= LikelihoodTail.values().length) {
                throw new CorruptStateException("unknown likelihood tail code " + tailCode, null);
            }
            a = a.withLikelihoodTail(LikelihoodTail.values()[tailCode]);
        }
        boolean averaging = version >= StateFormat.VERSION_6 && in.get() == 1;
        int repairWindow = version >= StateFormat.VERSION_8 ? in.getInt() : 0;
        Distribution distribution = Distribution.GAUSSIAN;
        if (version >= StateFormat.VERSION_10) {
            int familyCode = in.get();
            if (familyCode < 0 || familyCode >= Distribution.Family.values().length) {
                throw new CorruptStateException("unknown distribution code " + familyCode, null);
            }
            distribution = new Distribution(Distribution.Family.values()[familyCode], in.getDouble());
        }
        if (version >= StateFormat.VERSION_13) {
            a = a.withRangeTolerance(in.getDouble());
        }
        if (version >= StateFormat.VERSION_14) {
            a = a.withRepeatTolerance(in.getDouble());
        }
        // format 17 added an HMM's memory bank; an older state goes on without it, as it did
        boolean memoryBank = version >= StateFormat.VERSION_17 && in.get() == 1;
        return new ModelSettings(kMin, kMax, type, stepExponent, stepOffset, gammaMin, mStepInterval, reg, initPoints,
                initRestarts, initMaxIterations, weightFloor, seed, f, a, kind, regime, averaging, repairWindow, distribution,
                memoryBank);
    }

    private static CovarianceType readType(ByteBuffer in) {
        int type = in.get();
        if (type < 0 || type >= CovarianceType.values().length) {
            throw new CorruptStateException("unknown covariance type code " + type, null);
        }
        return CovarianceType.values()[type];
    }
}
