package dev.onlineem.em.mixture;

import java.util.Arrays;
import java.util.Random;

/**
 * k-means++ seeding (Arthur &amp; Vassilvitskii 2007) followed by a few Lloyd iterations. Distances use
 * the observed coordinates of each row only, so rows with missing values (NaN) take part.
 */
final class KMeansPlusPlus {
    private KMeansPlusPlus() {
    }

    /**
     * @param data rows to cluster. Not modified.
     * @return the cluster of every row after {@code lloydIterations} refinements of the seeded centres
     */
    static int[] cluster(double[][] data, int k, int lloydIterations, Random random) {
        int n = data.length;
        int d = data[0].length;
        double[][] centres = new double[k][];
        centres[0] = filled(data[random.nextInt(n)]);
        double[] dist = new double[n];
        for (int i = 0; i < n; i++) {
            dist[i] = distance(data[i], centres[0]);
        }
        for (int c = 1; c < k; c++) {
            double total = 0;
            for (double v : dist) {
                total += v;
            }
            int pick = n - 1;
            if (total > 0) {
                double u = random.nextDouble() * total;
                for (int i = 0; i < n; i++) {
                    u -= dist[i];
                    if (u <= 0) {
                        pick = i;
                        break;
                    }
                }
            } else {
                pick = random.nextInt(n);
            }
            centres[c] = filled(data[pick]);
            for (int i = 0; i < n; i++) {
                dist[i] = Math.min(dist[i], distance(data[i], centres[c]));
            }
        }
        int[] labels = new int[n];
        double[][] sums = new double[k][d];
        double[][] counts = new double[k][d];
        for (int it = 0; it <= lloydIterations; it++) {
            for (int i = 0; i < n; i++) {
                labels[i] = nearest(data[i], centres);
            }
            if (it == lloydIterations) {
                break;
            }
            for (int c = 0; c < k; c++) {
                Arrays.fill(sums[c], 0);
                Arrays.fill(counts[c], 0);
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    if (!Double.isNaN(data[i][j])) {
                        sums[labels[i]][j] += data[i][j];
                        counts[labels[i]][j]++;
                    }
                }
            }
            for (int c = 0; c < k; c++) {
                for (int j = 0; j < d; j++) {
                    if (counts[c][j] > 0) {
                        centres[c][j] = sums[c][j] / counts[c][j];
                    }
                }
            }
        }
        return labels;
    }

    private static double[] filled(double[] row) {
        double[] c = row.clone();
        for (int j = 0; j < c.length; j++) {
            if (Double.isNaN(c[j])) {
                c[j] = 0; // the centre of standardised data
            }
        }
        return c;
    }

    private static int nearest(double[] row, double[][] centres) {
        int best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centres.length; c++) {
            double dd = distance(row, centres[c]);
            if (dd < bestD) {
                bestD = dd;
                best = c;
            }
        }
        return best;
    }

    private static double distance(double[] row, double[] centre) {
        double s = 0;
        for (int j = 0; j < row.length; j++) {
            if (!Double.isNaN(row[j])) {
                double z = row[j] - centre[j];
                s += z * z;
            }
        }
        return s;
    }
}
