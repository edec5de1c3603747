package dev.onlineem.em.base;

/** Per-coordinate moments of rows whose missing coordinates are NaN. */
public final class ObservedMoments {
    private ObservedMoments() {
    }

    /**
     * Per coordinate, the mean and standard deviation of the observed values of the first n rows (a
     * constant coordinate gets |mean|, or 1): a model's standardisation, and the spread of an HMM's scale-split start.
     */
    public static void meanAndSpread(double[][] rows, int n, int d, double[] center, double[] scale) {
        for (int j = 0; j < d; j++) {
            double sum = 0;
            int cnt = 0;
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(rows[i][j])) {
                    sum += rows[i][j];
                    cnt++;
                }
            }
            double mean = cnt == 0 ? 0 : sum / cnt;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                if (!Double.isNaN(rows[i][j])) {
                    double v = rows[i][j] - mean;
                    ss += v * v;
                }
            }
            double sd = cnt > 1 ? Math.sqrt(ss / cnt) : 0;
            center[j] = mean;
            scale[j] = sd > 0 && Double.isFinite(sd) ? sd : (mean != 0 ? Math.abs(mean) : 1);
        }
    }
}
