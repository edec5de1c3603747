package dev.onlineem.em.scoring;

import dev.onlineem.em.density.SpecialFunctions;
import java.util.Arrays;

/**
 * Scores during warm-up, from the {@value #MIN_POINTS}th point to the {@value #MAX_POINTS}th, while the full model waits for its
 * {@code init.points}: one robust Gaussian per coordinate of the feature vector, location the median and scale
 * 1.4826 MAD of the buffered values (their standard deviation when the MAD is 0), and the Student-t predictive
 * of n buffered values (scale times sqrt(1 + 1/n), with the MAD's share of n - 1 degrees of freedom), so that a handful of points does
 * not claim the tails of a Gaussian it has not seen.
 *
 * <ul>
 *   <li>{@code logDensity}: the sum over the observed coordinates of the t log-density, in the data's units;</li>
 *   <li>{@code pValue}: Bonferroni over the observed coordinates, {@code min(1, m min_j p_j)}, p_j the t's two-sided
 *       tail; {@code anomalyScore} from it as the full model's ({@link AnomalyScorer#scoreOf});</li>
 *   <li>{@code anomaly}: pValue below {@code anomaly.alpha}, with the model's alert suppression.</li>
 * </ul>
 *
 * Holds work arrays only; the one piece of state (the points left to suppress) is the model's.
 */
public final class ProvisionalScorer {
    /** Buffered points before the provisional model scores. */
    public static final int MIN_POINTS = 10;
    /**
     * Buffered points past which it no longer scores: each score sorts the buffered values, so a warm-up of a whole
     * file ({@code fit --batch}, 1,000,000 rows) would cost O(n^2 log n); a longer warm-up's later points go unscored.
     */
    public static final int MAX_POINTS = 500;
    /** Normal consistency of the median absolute deviation. */
    private static final double MAD_TO_SD = 1.4826;
    /**
     * The MAD's asymptotic efficiency against the standard deviation for Gaussian data. With m - 1 degrees of freedom
     * the provisional p-values of Gaussian points fell below 0.001 2.4 times too often (5.7 times before the 40th
     * point); with this share, see ProvisionalScorerTest.
     */
    static final double MAD_EFFICIENCY = 0.37;

    private final double[] values;

    private boolean scored;
    private double logDensity;
    private double pValue;

    public ProvisionalScorer(int capacity) {
        this.values = new double[capacity];
    }

    /**
     * Scores f against the first n rows of the buffer: returns log10 of the p-value, or 0 (p = 1) when too few values
     * were observed ({@link #scored} false); {@link #logDensity} and {@link #pValue} hold the last scored point's.
     *
     * @param f the feature vector to score. Not modified.
     * @param buffer the buffered feature vectors. Not modified.
     */
    public double score(double[] f, double[][] buffer, int n) {
        scored = false;
        double logDensity = 0;
        double minP = 1;
        int observed = 0;
        for (int j = 0; j < f.length; j++) {
            if (Double.isNaN(f[j])) {
                continue;
            }
            int m = 0;
            for (int i = 0; i < n; i++) {
                double v = buffer[i][j];
                if (!Double.isNaN(v)) {
                    values[m++] = v;
                }
            }
            if (m < MIN_POINTS) {
                continue;
            }
            double center = median(values, m);
            double scale = spread(values, m, center);
            // the t predictive of m values, scale s sqrt(1 + 1/m); the MAD's degrees of freedom are its efficiency's share of
            // the standard deviation's m - 1: Var(MAD^2) / sigma^4 is about 5.4 / m against 2 / (m - 1)
            double nu = Math.max(1, MAD_EFFICIENCY * (m - 1));
            double s = scale * Math.sqrt(1 + 1.0 / m);
            double t = (f[j] - center) / s;
            logDensity += SpecialFunctions.logStudentDensity(t, nu) - Math.log(s);
            minP = Math.min(minP, SpecialFunctions.studentTwoSidedTail(t, nu));
            observed++;
        }
        if (observed == 0) {
            return 0;
        }
        double p = Math.max(Math.min(1, observed * minP), Double.MIN_NORMAL);
        scored = true;
        this.logDensity = logDensity;
        this.pValue = p;
        return Math.log10(p);
    }

    /** Whether the last {@link #score} call had enough observed values to score the point. */
    public boolean scored() {
        return scored;
    }

    /** The last scored point's log-density under the provisional model. */
    public double logDensity() {
        return logDensity;
    }

    /** The last scored point's p-value (Bonferroni over its observed coordinates). */
    public double pValue() {
        return pValue;
    }

    /** The median of the first m values (sorts them). */
    private static double median(double[] v, int m) {
        Arrays.sort(v, 0, m);
        return m % 2 == 1 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
    }

    /** 1.4826 MAD of the first m values about center; their standard deviation when the MAD is 0; a relative floor. */
    private static double spread(double[] v, int m, double center) {
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < m; i++) {
            double dev = v[i] - center;
            sum += dev;
            sumSq += dev * dev;
            v[i] = Math.abs(dev);
        }
        double mad = MAD_TO_SD * median(v, m);
        if (mad > 0) {
            return mad;
        }
        double mean = sum / m;
        double sd = Math.sqrt(Math.max(0, sumSq / m - mean * mean));
        return sd > 0 ? sd : 1e-9 * Math.max(1, Math.abs(center));
    }
}
