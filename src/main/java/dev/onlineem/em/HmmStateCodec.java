package dev.onlineem.em;

import static dev.onlineem.em.StateCodec.getAll;
import static dev.onlineem.em.StateCodec.putAll;

import java.nio.ByteBuffer;

/**
 * The body of an {@link OnlineHmmModel}'s state in {@link StateCodec}'s version 4 (tag 1), after the
 * common header and settings: dimension, phase, counters, feature history, then the warm-up buffer or
 * the online state (standardisation, initial law, transitions, emissions, filter, Cappé's auxiliary
 * statistics, the regime announcer, the anomaly scorer). Derived values are rebuilt on decode.
 */
final class HmmStateCodec {
    private HmmStateCodec() {
    }

    static byte[] encode(OnlineHmmModel m) {
        ByteBuffer out = StateCodec.header(size(m), StateCodec.TAG_HMM, m.settings);
        StateCodec.writePipeline(out, m);
        if (m.hmm == null) {
            return out.array();
        }
        GaussianHmm h = m.hmm;
        int k = h.k;
        out.putLong(m.t).putDouble(m.lastStepSize).putDouble(m.avgLogLikelihood);
        putAll(out, m.center);
        putAll(out, m.scale);
        putAll(out, h.initial);
        for (int i = 0; i < k; i++) {
            putAll(out, h.transition[i]);
        }
        putAll(out, h.emissions.weights);
        for (int c = 0; c < k; c++) {
            putAll(out, h.emissions.means[c]);
            putAll(out, h.emissions.covariances[c]);
        }
        putAll(out, m.filter);
        putAll(out, m.rhoQ);
        for (int kk = 0; kk < k; kk++) {
            SufficientStatistics s = m.rhoG[kk];
            putAll(out, s.s0);
            for (int c = 0; c < k; c++) {
                putAll(out, s.s1[c]);
                putAll(out, s.s2[c]);
            }
        }
        out.putInt(m.announced).putInt(m.candidate).putInt(m.candidateRun);
        m.scorer.writeTo(out);
        return out.array();
    }

    private static int size(OnlineHmmModel m) {
        int d = m.featureDimension;
        int size = 4 + StateCodec.SETTINGS_BYTES + StateCodec.pipelineSize(m);
        if (m.hmm == null) {
            return size;
        }
        int k = m.hmm.k;
        int cl = m.hmm.emissions.type.storedLength(d);
        size += 8 * 3 + 8 * 2 * d;               // t, step, avgLL, center, scale
        size += 8 * (k + k * k + k);             // initial, transitions, emission weights
        size += 8 * k * (d + cl);                // means, covariances
        size += 8 * k;                           // filter
        size += 8 * k * k * k;                   // rhoQ
        size += 8 * k * k * (1 + d + cl);        // rhoG
        size += 4 * 3;
        return size + m.scorer.serializedSize();
    }

    static OnlineHmmModel decode(ByteBuffer in, ModelSettings settings, byte version) {
        OnlineHmmModel m = new OnlineHmmModel(settings);
        if (!StateCodec.readPipeline(in, m, version)) {
            return m;
        }
        int d = m.featureDimension;
        int k = settings.kMin();
        m.t = in.getLong();
        m.lastStepSize = in.getDouble();
        m.avgLogLikelihood = in.getDouble();
        m.center = getAll(in, new double[d]);
        m.scale = getAll(in, new double[d]);
        GaussianHmm h = new GaussianHmm(k, d, settings.covarianceType());
        getAll(in, h.initial);
        for (int i = 0; i < k; i++) {
            getAll(in, h.transition[i]);
        }
        getAll(in, h.emissions.weights);
        for (int c = 0; c < k; c++) {
            getAll(in, h.emissions.means[c]);
            getAll(in, h.emissions.covariances[c]);
        }
        h.emissions.refreshAll();
        m.hmm = h;
        m.logScaleSum = m.observedLogScale(m.center);
        m.filter = getAll(in, new double[k]);
        m.rhoQ = getAll(in, new double[k * k * k]);
        m.rhoG = new SufficientStatistics[k];
        for (int kk = 0; kk < k; kk++) {
            SufficientStatistics s = new SufficientStatistics(k, d, settings.covarianceType());
            getAll(in, s.s0);
            for (int c = 0; c < k; c++) {
                getAll(in, s.s1[c]);
                getAll(in, s.s2[c]);
            }
            m.rhoG[kk] = s;
        }
        m.announced = in.getInt();
        m.candidate = in.getInt();
        m.candidateRun = in.getInt();
        m.scorer = AnomalyScorer.readFrom(in, settings.scoring(), version >= StateCodec.VERSION_8);
        m.allocateWork();
        return m;
    }
}
