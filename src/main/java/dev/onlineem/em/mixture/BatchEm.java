package dev.onlineem.em.mixture;

import dev.onlineem.em.base.CovarianceType;
import dev.onlineem.em.density.Covariance;
import dev.onlineem.em.density.Distribution;
import dev.onlineem.em.density.EStepWork;
import dev.onlineem.em.density.InformationCriteria;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Batch EM to convergence with k-means++ starts, keeping the best of several restarts; optionally the
 * number of components is chosen by BIC. This is what a model's warm-up buffer runs, and what
 * {@code fit --batch} runs on a whole file.
 */
public final class BatchEm {
    /** Convergence: stop when the mean log-likelihood per point improves by less than this. */
    public static final double DEFAULT_TOLERANCE = 1e-10;
    /**
     * A model's warm-up fit stops when an iteration gains less than this many nats a point (drift repair's shadows too).
     * The fit only starts online EM, whose first steps (about 1/n of a point each) move the parameters far more than
     * the iterations from 1e-6 to 1e-10 do: on 200 points of a K=4, d=2 mixture those were 45 of a start's 110
     * iterations (on 20 points 5.5 of 15.5), and the model's held-out log-likelihood after 10 more points moved by
     * 1e-4 nats (docs/benchmarks.md).
     */
    public static final double WARMUP_TOLERANCE = 1e-6;
    /** A warm-up's starts run this many iterations before the best goes on alone ({@link #withShortRuns}). */
    public static final int WARMUP_SHORT_RUN = 5;
    /** mclust's default (emControl tol[1]): stop when |L - L_prev| / (1 + |L|) falls below it, L the total log-likelihood. */
    public static final double MCLUST_TOLERANCE = 1e-5;
    private static final int LLOYD_ITERATIONS = 10;
    /**
     * From this many rows the E-step runs over {@link #CHUNKS} fixed slices of the rows in parallel, each with its
     * own copy of the parameters and its own statistics, summed in slice order: the result depends on the
     * data alone, not on the number of cores or on thread timing. Below it (every warm-up buffer) one thread.
     */
    static final int PARALLEL_MIN_ROWS = 50_000;
    static final int CHUNKS = 8;

    private final CovarianceType type;
    private final Distribution distribution;
    private final double regularization;
    private final int restarts;
    private final int maxIterations;
    private final double tolerance;
    private final boolean relative;
    /** Student-t degrees of freedom held where they start (NaN: estimated as usual), and where fresh fits start them. */
    private final double heldDf;
    /** EM iterations of every start before only the best goes on (0: each start runs to convergence). */
    private final int shortRun;

    /**
     * @param regularization added to every covariance diagonal (in the units of the data given to {@link #fit})
     * @param restarts independent k-means++ starts; the best final log-likelihood wins
     * @param maxIterations EM iterations per start
     * @param tolerance stop when the mean log-likelihood per point improves by less than this
     */
    public BatchEm(CovarianceType type, double regularization, int restarts, int maxIterations, double tolerance) {
        this(type, regularization, restarts, maxIterations, tolerance, false);
    }

    /**
     * @param relative whether {@code tolerance} is mclust's relative one, |L - L_prev| / (1 + |L|) with L the total
     *        log-likelihood, rather than a change of the mean log-likelihood per point
     */
    public BatchEm(CovarianceType type, double regularization, int restarts, int maxIterations, double tolerance, boolean relative) {
        this(type, Distribution.GAUSSIAN, regularization, restarts, maxIterations, tolerance, relative);
    }

    private BatchEm(CovarianceType type, Distribution distribution, double regularization, int restarts, int maxIterations,
                    double tolerance, boolean relative) {
        this(type, distribution, regularization, restarts, maxIterations, tolerance, relative, Double.NaN);
    }

    private BatchEm(CovarianceType type, Distribution distribution, double regularization, int restarts, int maxIterations,
                    double tolerance, boolean relative, double heldDf) {
        this(type, distribution, regularization, restarts, maxIterations, tolerance, relative, heldDf, 0);
    }

    private BatchEm(CovarianceType type, Distribution distribution, double regularization, int restarts, int maxIterations,
                    double tolerance, boolean relative, double heldDf, int shortRun) {
        if (restarts < 1 || maxIterations < 1) {
            throw new IllegalArgumentException("restarts and maxIterations must be at least 1");
        }
        this.type = type;
        this.distribution = distribution;
        this.regularization = regularization;
        this.restarts = restarts;
        this.maxIterations = maxIterations;
        this.tolerance = tolerance;
        this.relative = relative;
        this.heldDf = heldDf;
        this.shortRun = shortRun;
    }

    /**
     * This batch EM choosing among its starts by short runs (Biernacki, Celeux and Govaert 2003, "emEM"): every start
     * runs {@code iterations} EM iterations, and only the one with the best log-likelihood then goes on to convergence.
     * A model's warm-up: on 20 points of a K=4, d=2 mixture three starts took 102 us instead of 142 (tolerance 1e-6)
     * and left the model 0.012 nats a point better on held-out points; on ADBench's 200-point warm-ups optdigits' ROC-AUC
     * rose from 0.449 to 0.517, the other sets within 0.001 (docs/benchmarks.md).
     */
    public BatchEm withShortRuns(int iterations) {
        return new BatchEm(type, distribution, regularization, restarts, maxIterations, tolerance, relative, heldDf, iterations);
    }

    /** This batch EM for components of the given family (Gaussian by default). */
    public BatchEm withDistribution(Distribution d) {
        return new BatchEm(type, d, regularization, restarts, maxIterations, tolerance, relative, heldDf, shortRun);
    }

    /**
     * This batch EM with Student-t degrees of freedom held where they start: those of the mixture given to {@link #iterate},
     * and {@code df} for fresh fits. Drift repair's shadows: the df move slowly under EM, and a shadow fit that lets them
     * move runs out its iterations (K=8, d=16: 17 us a point of the model's time, against 1.3 us for Gaussians).
     */
    BatchEm holdingDf(double df) {
        return new BatchEm(type, distribution, regularization, restarts, maxIterations, tolerance, relative, df, shortRun);
    }

    /** The statistics' memory for the M-step: none when the df are held (they stay), unbounded otherwise. */
    private double dfMemory() {
        return Double.isNaN(heldDf) ? Double.POSITIVE_INFINITY : 0;
    }

    /** The result of a batch fit: parameters, the statistics they came from, and the likelihood trace. */
    public static final class Fit {
        public final GaussianMixture mixture;
        public final SufficientStatistics statistics;
        /** Total log-likelihood of the data under {@link #mixture}. */
        public final double logLikelihood;
        /** Total log-likelihood before each M-step, one entry per iteration. */
        public final double[] trace;
        public final int n;
        /** EM iterations of each start, in order (this fit's own count alone when it did not come from {@link #fit}). */
        public final int[] iterationsPerStart;

        Fit(GaussianMixture mixture, SufficientStatistics statistics, double logLikelihood, double[] trace, int n) {
            this(mixture, statistics, logLikelihood, trace, n, new int[] {trace.length});
        }

        private Fit(GaussianMixture mixture, SufficientStatistics statistics, double logLikelihood, double[] trace, int n, int[] iterationsPerStart) {
            this.mixture = mixture;
            this.statistics = statistics;
            this.logLikelihood = logLikelihood;
            this.trace = trace;
            this.n = n;
            this.iterationsPerStart = iterationsPerStart;
        }

        Fit withIterationsPerStart(int[] its) {
            return new Fit(mixture, statistics, logLikelihood, trace, n, its);
        }

        /** -2 log L + p ln n, lower is better. */
        public double bic() {
            return InformationCriteria.bic(logLikelihood, freeParameters(mixture), n);
        }

        /** -2 log L + 2 p. */
        public double aic() {
            return InformationCriteria.aic(logLikelihood, freeParameters(mixture));
        }
    }

    /** Free parameters of a K-component Gaussian mixture in dimension d: (K-1) + K d + K * covariance parameters. */
    public static int freeParameters(int k, int d, CovarianceType type) {
        return (k - 1) + k * d + k * Covariance.of(type, d).parameters();
    }

    /** Free parameters of the mixture: {@link #freeParameters(int, int, CovarianceType)}, plus K estimated degrees of freedom for Student-t. */
    static int freeParameters(GaussianMixture g) {
        return freeParameters(g.k, g.d, g.type) + g.k * g.tails.parameters();
    }

    /**
     * Fits K components to {@code data} (rows may hold NaN for missing coordinates).
     *
     * @param data not modified
     * @param random source of the k-means++ seeding. Modified (advanced).
     */
    public Fit fit(double[][] data, int k, Random random) {
        if (data.length < k) {
            throw new IllegalArgumentException("cannot fit " + k + " components to " + data.length + " points");
        }
        Fit best = null;
        int bestStart = 0;
        int[] its = new int[restarts];
        boolean shortRuns = shortRun > 0 && restarts > 1;
        for (int r = 0; r < restarts; r++) {
            Fit f = fitOnce(data, k, random, shortRuns ? shortRun : maxIterations);
            its[r] = f.trace.length;
            if (best == null || f.logLikelihood > best.logLikelihood) {
                best = f;
                bestStart = r;
            }
        }
        if (shortRuns && best.trace.length == shortRun && shortRun < maxIterations) {
            // the best short run goes on where it stopped (a run that converged within its short run is done)
            Fit rest = iterate(data, best.mixture, maxIterations - shortRun);
            double[] trace = Arrays.copyOf(best.trace, shortRun + rest.trace.length);
            System.arraycopy(rest.trace, 0, trace, shortRun, rest.trace.length);
            best = new Fit(rest.mixture, rest.statistics, rest.logLikelihood, trace, rest.n);
            its[bestStart] = trace.length;
        }
        return best.withIterationsPerStart(its);
    }

    /** Fits every K in kMin..kMax and returns the fit with the lowest BIC. */
    public Fit fitBestBic(double[][] data, int kMin, int kMax, Random random) {
        Fit best = null;
        for (int k = kMin; k <= Math.min(kMax, data.length); k++) {
            Fit f = fit(data, k, random);
            if (best == null || f.bic() < best.bic()) {
                best = f;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("cannot fit " + kMin + " components to " + data.length + " points");
        }
        return best;
    }

    /** Batch EM from the given starting parameters, without restarts. {@code start} is modified in place. */
    public Fit iterate(double[][] data, GaussianMixture start) {
        return iterate(data, start, maxIterations);
    }

    private Fit iterate(double[][] data, GaussianMixture start, int maxIterations) {
        int n = data.length;
        SufficientStatistics stats = SufficientStatistics.of(start);
        double[] trace = new double[Math.min(maxIterations, 32)]; // grown as iterations come: most fits stop early
        double previous = Double.NEGATIVE_INFINITY;
        // one work for every iteration's E-step on this thread (the E-step overwrites it): a model's warm-up fit is small
        // and runs often, so allocating it per iteration was most of what the fit allocated
        EStepWork work = n < PARALLEL_MIN_ROWS ? start.newWork(true) : null;
        int it = 0;
        for (; it < maxIterations; it++) {
            // E-step: s = (1/n) sum_i T(x_i) under the current theta, and the log-likelihood L
            double ll = eStep(data, start, stats, work);
            if (it == trace.length) {
                trace = Arrays.copyOf(trace, Math.min(maxIterations, 2 * trace.length));
            }
            trace[it] = ll;
            reviveEmptyComponents(stats, data, start);
            stats.mStep(start, regularization, dfMemory());
            if (converged(ll, previous, n)) {
                it++;
                break;
            }
            previous = ll;
        }
        return new Fit(start, stats, logLikelihood(data, start), Arrays.copyOf(trace, it), n);
    }

    private boolean converged(double ll, double previous, int n) {
        return relative ? Math.abs(ll - previous) / (1 + Math.abs(ll)) < tolerance : Math.abs(ll - previous) / n < tolerance;
    }

    /**
     * The statistics of every row under {@code mixture} into {@code stats} (cleared first); returns the total
     * log-likelihood. In {@link #CHUNKS} parallel slices from {@link #PARALLEL_MIN_ROWS} rows.
     *
     * @param mixture not modified (its work arrays aside)
     * @param stats receives the statistics. Modified.
     * @param work the E-step's work below {@link #PARALLEL_MIN_ROWS} rows (each parallel slice makes its own). Overwritten.
     */
    private static double eStep(double[][] data, GaussianMixture mixture, SufficientStatistics stats, EStepWork work) {
        stats.clear();
        int n = data.length;
        if (n < PARALLEL_MIN_ROWS) {
            return eStepSlice(data, 0, n, mixture, stats, work);
        }
        SufficientStatistics[] parts = new SufficientStatistics[CHUNKS];
        double[] lls = new double[CHUNKS];
        IntStream.range(0, CHUNKS).parallel().forEach(c -> {
            parts[c] = SufficientStatistics.of(mixture);
            GaussianMixture copy = mixture.copy();
            lls[c] = eStepSlice(data, (int) ((long) n * c / CHUNKS), (int) ((long) n * (c + 1) / CHUNKS), copy, parts[c], copy.newWork(true));
        });
        double ll = 0;
        for (int c = 0; c < CHUNKS; c++) {
            stats.addScaled(parts[c], 1);
            ll += lls[c];
        }
        return ll;
    }

    private static double eStepSlice(double[][] data, int from, int to, GaussianMixture mixture, SufficientStatistics stats, EStepWork work) {
        double[] resp = new double[mixture.k];
        double gain = 1.0 / data.length;
        double ll = 0;
        for (int i = from; i < to; i++) {
            ll += mixture.eStep(data[i], resp, work);
            stats.blend(1, gain, resp, work);
        }
        return ll;
    }

    /** The total log-likelihood of the rows under the mixture, in parallel slices as {@link #eStep}. @param mixture not modified */
    public static double logLikelihood(double[][] data, GaussianMixture mixture) {
        if (data.length < PARALLEL_MIN_ROWS) {
            // one slice, on this thread and in the same order, without the copy of the parameters a parallel slice needs:
            // every start of a model's warm-up fit ends here
            EStepWork work = mixture.newWork(false);
            double[] resp = new double[mixture.k];
            double total = 0;
            for (double[] row : data) {
                total += mixture.eStep(row, resp, work);
            }
            return total;
        }
        return sumOverSlices(data.length, () -> {
            GaussianMixture g = mixture.copy();
            double[] resp = new double[g.k];
            return i -> g.eStep(data[i], resp);
        });
    }

    /** A per-row term, one instance per slice (so it may keep work arrays of its own). */
    public interface RowTerm {
        double of(int row);
    }

    /**
     * sum_i term(i) over rows 0..n-1: one slice on the caller's thread below {@link #PARALLEL_MIN_ROWS}, else
     * {@link #CHUNKS} fixed slices in parallel, each with the term {@code perSlice} makes for it, summed in slice
     * order, so the sum depends on n alone, not on the cores.
     */
    public static double sumOverSlices(int n, java.util.function.Supplier<RowTerm> perSlice) {
        int slices = n < PARALLEL_MIN_ROWS ? 1 : CHUNKS;
        double[] sums = new double[slices];
        IntStream.range(0, slices).parallel().forEach(c -> {
            RowTerm term = perSlice.get();
            double s = 0;
            for (int i = (int) ((long) n * c / slices); i < (int) ((long) n * (c + 1) / slices); i++) {
                s += term.of(i);
            }
            sums[c] = s;
        });
        double total = 0;
        for (double v : sums) {
            total += v;
        }
        return total;
    }

    private Fit fitOnce(double[][] data, int k, Random random, int maxIterations) {
        int d = data[0].length;
        // fat tails: a few far points would draw k-means++'s seeds (D^2 weighting) and hold components of their own, and
        // inflate the first covariances, so t components are seeded, and their first moments taken, on the points with each
        // coordinate clipped to its quartiles +- 3 IQR; EM then runs on the points themselves
        double[][] seeding = distribution.studentT() ? clipped(data) : data;
        int[] labels = KMeansPlusPlus.cluster(seeding, k, LLOYD_ITERATIONS, random);
        GaussianMixture mixture = new GaussianMixture(k, d, type, distribution);
        if (distribution.studentT() && !Double.isNaN(heldDf)) {
            for (int c = 0; c < k; c++) {
                mixture.tails.setDf(c, heldDf);
            }
        }
        SufficientStatistics stats = SufficientStatistics.of(mixture);
        double[] resp = new double[k];
        EStepWork work = mixture.newWork(true);
        double[] filled = new double[d];
        for (int i = 0; i < data.length; i++) {
            for (int j = 0; j < d; j++) {
                filled[j] = Double.isNaN(seeding[i][j]) ? 0 : seeding[i][j];
            }
            // the E-step only stages x_hat for blend(); the hard k-means labels replace its responsibilities (and
            // Student-t components weigh every point alike, their df where they start)
            mixture.eStep(filled, resp, work);
            mixture.tails.neutral(work);
            Arrays.fill(resp, 0);
            resp[labels[i]] = 1;
            stats.blend(1, 1.0 / data.length, resp, work);
        }
        reviveEmptyComponents(stats, data, mixture);
        stats.mStep(mixture, regularization, dfMemory());
        return iterate(data, mixture, maxIterations);
    }

    /** The rows with each coordinate clipped to [q1 - 3 IQR, q3 + 3 IQR] of its observed values (NaN kept). */
    static double[][] clipped(double[][] data) {
        int n = data.length;
        int d = data[0].length;
        double[][] out = new double[n][];
        for (int i = 0; i < n; i++) {
            out[i] = data[i].clone();
        }
        double[] column = new double[n];
        for (int j = 0; j < d; j++) {
            int m = 0;
            for (double[] row : data) {
                if (!Double.isNaN(row[j])) {
                    column[m++] = row[j];
                }
            }
            if (m < 4) {
                continue;
            }
            Arrays.sort(column, 0, m);
            double q1 = column[m / 4];
            double q3 = column[(3 * m) / 4];
            double lo = q1 - 3 * (q3 - q1);
            double hi = q3 + 3 * (q3 - q1);
            for (double[] row : out) {
                if (!Double.isNaN(row[j])) {
                    row[j] = Math.min(Math.max(row[j], lo), hi);
                }
            }
        }
        return out;
    }

    /** A component with (almost) no weight gets a tiny weight at a data point rather than a 0/0 mean. */
    private void reviveEmptyComponents(SufficientStatistics stats, double[][] data, GaussianMixture mixture) {
        for (int c = 0; c < stats.k; c++) {
            if (stats.s0[c] < 1e-12) {
                double[] row = data[(c * 7919) % data.length];
                double w = 1e-6;
                stats.s0[c] = w;
                if (stats.su != null) {
                    stats.su[c] = w;
                    stats.setNeutralDf(c, mixture.tails, c, w);
                }
                double sq = 0;
                for (int j = 0; j < stats.d; j++) {
                    double v = Double.isNaN(row[j]) ? 0 : row[j];
                    stats.s1[c][j] = w * v;
                    sq += v * v;
                }
                double[] m2 = stats.s2[c];
                Arrays.fill(m2, 0);
                stats.covariance.reviveSecondMoment(m2, w, stats.s1[c], sq);
            }
        }
    }
}
