package dev.onlineem.em.density;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.decomposition.chol.CholeskyDecompositionInner_DDRM;

/**
 * What a mixture's E-step ({@code GaussianMixture.eStep}) writes for one point, for whoever uses it next: each component's log-density
 * (the HMM's emissions), the point's missing pattern, and, when this work was made with moments, the point and the
 * conditional moments of its missing coordinates (the statistics' blend, the point's imputation).
 * Also the E-step's scratch. One per model (or per thread): the E-step overwrites all of it. Mutable.
 */
public final class EStepWork {
    /** log N(x_o | mu_k,o, Sigma_k,oo) per component (a Student-t component's log t), weights not included. */
    public final double[] componentLogDensities;
    /** Each component's squared Mahalanobis distance of the observed coordinates. */
    final double[] mahalanobis;
    /** log det Sigma_k,oo of the observed block, per component, when coordinates are missing. */
    public final double[] blockLogDets;
    /** Each component's weight of the point: 1 for a Gaussian, E[u | x] = (nu + p) / (nu + delta^2) for a Student-t. */
    public final double[] u;
    /** Each Student-t component's degrees-of-freedom term of the point, g + I y ({@link StudentTails}). */
    public final double[] dfTerms;
    /** Each Student-t component's Fisher information of the point in y = ln nu, I ({@link StudentTails}). */
    public final double[] dfInformation;
    public final int[] missing;
    final int[] observed;
    public int missingCount;
    int observedCount;
    /** The point of the last E-step (not a copy), when moments are kept. */
    public double[] point;
    /** The conditional moments of the missing coordinates, or null when this work keeps none. */
    public final ConditionalMoments moments;

    // scratch
    final double[] diff;
    final double[] diff2;
    final double[] v;
    final DMatrixRMaj sigmaObserved;
    final CholeskyDecompositionInner_DDRM decomposer = new CholeskyDecompositionInner_DDRM(true);

    /** Each thread's works with moments, by shape: see {@link #ofThread}. */
    private static final ThreadLocal<ThreadWorks> THREAD_WORKS = ThreadLocal.withInitial(ThreadWorks::new);

    /** A thread's works, the last one used first. */
    private static final class ThreadWorks {
        long lastKey = -1;
        EStepWork last;
        final java.util.Map<Long, EStepWork> byShape = new java.util.HashMap<>();
    }

    /** Responsibilities of the last E-step, for a caller that takes this work from {@link #ofThread}. */
    public final double[] responsibilities;

    /**
     * This thread's work with moments for a mixture of K components in d dimensions of the given family (one per shape
     * and family: a Gaussian's u stays 1, which a t's E-step overwrites), with {@link #responsibilities} of length K.
     * An online model takes it at each point instead of keeping a work of its own: the E-step overwrites all of it, so
     * sharing it between the models a thread updates one at a time changes no result, and with many models it stays in
     * the CPU's caches and out of the collector's way (100,000 models: two works a model were 40 of its 80 objects).
     */
    public static EStepWork ofThread(int k, int d, boolean studentT) {
        ThreadWorks works = THREAD_WORKS.get();
        long key = ((long) k << 32) | ((long) d << 1) | (studentT ? 1 : 0);
        if (key != works.lastKey) {
            works.last = works.byShape.computeIfAbsent(key, x -> new EStepWork(k, d, true));
            works.lastKey = key;
        }
        return works.last;
    }

    /** @param withMoments whether E-steps into this work also stage the point and its conditional moments */
    public EStepWork(int k, int d, boolean withMoments) {
        this.componentLogDensities = new double[k];
        this.mahalanobis = new double[k];
        this.blockLogDets = new double[k];
        this.u = new double[k];
        java.util.Arrays.fill(u, 1);
        this.dfTerms = new double[k];
        this.dfInformation = new double[k];
        this.missing = new int[d];
        this.observed = new int[d];
        this.moments = withMoments ? new ConditionalMoments(k, d) : null;
        this.diff = new double[d];
        this.diff2 = new double[d];
        this.v = new double[d * d];
        this.sigmaObserved = new DMatrixRMaj(d, d);
        this.responsibilities = new double[k];
    }

    /** Sorts x's coordinates into missing (NaN) and observed ones; returns the number observed. */
    public int pattern(double[] x, int d) {
        int nm = 0;
        int no = 0;
        for (int j = 0; j < d; j++) {
            if (Double.isNaN(x[j])) {
                missing[nm++] = j;
            } else {
                observed[no++] = j;
            }
        }
        missingCount = nm;
        observedCount = no;
        return no;
    }

    /** The conditional expectations x_hat per component (null without moments). */
    public double[][] expected() {
        return moments == null ? null : moments.expected;
    }
}
