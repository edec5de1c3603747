package dev.onlineem.em.scoring;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Whether a model's stream looks exchangeable (its order carries nothing: i.i.d. records, a shuffled table) or serially
 * dependent (a sensor, a price, a count over time), from the von Neumann ratio of its standardised points,
 * exponentially weighted:
 * <pre>
 *   eta = E||z_t - z_{t-1}||^2 / (2 E||z_t - m||^2)
 * </pre>
 * which is 1 for exchangeable points whatever their distribution, 1 - rho for a first-order autoregression, and near 0
 * for a smooth or slowly moving signal. It is computed per coordinate and averaged over the coordinates that have varied,
 * so that each counts alike whatever its scale (a pixel that rarely lights up beside ones that vary all the time). Each
 * deviation from the coordinate's running mean is winsorised at {@value #CLIP} of its running spreads and each
 * difference at {@value #CLIP} times sqrt(2) of them, so that one absurd spike in a smooth signal (which adds two large
 * differences and one large deviation) cannot make it look exchangeable. Missing coordinates are left out.
 *
 * <p>{@link #exchangeableWeight} maps the ratio to the weight of the scorer's fast calibration ({@link AnomalyScorer}):
 * 0 at or below {@value #DEPENDENT_AT_MOST}, 1 at or above {@value #EXCHANGEABLE_AT_LEAST}, linear between; 0 for the
 * first {@value #MIN_POINTS} points. On NAB the weight stays 0 on 22 of the 58 files (the daily artificial signals,
 * traffic travel times, ad exchanges, machine temperatures) and averages over 0.5 on 21 (noisy CPU, network and latency
 * loads, art_noisy), recomputed from each file's values; ADBench's sets, streamed in a random order, sit at 1.
 *
 * <p>Deterministic and serialisable bit for bit; allocates nothing per point.
 */
public final class SerialDependence {
    /** Memory of the ratio's running moments, in points. */
    static final double HALF_LIFE = 500;
    /** Points seen before the ratio speaks. */
    static final int MIN_POINTS = 50;
    /** At or below this ratio the stream is taken as serially dependent (lag-1 autocorrelation 0.5 and more). */
    static final double DEPENDENT_AT_MOST = 0.5;
    /** At or above this ratio the stream is taken as exchangeable (lag-1 autocorrelation 0.2 and less). */
    static final double EXCHANGEABLE_AT_LEAST = 0.8;
    /** Winsorising bound of a deviation, in running spreads. */
    static final double CLIP = 10;

    private static final double CLIP2 = CLIP * CLIP;
    private static final double RATE_FLOOR = 1 - Math.pow(2, -1 / HALF_LIFE);

    private final double[] previous;
    private final double[] mean;
    private final double[] variance;
    private final double[] deviations;   // per coordinate: running mean of its winsorised (z_j - m_j)^2
    private final double[] differences;  // per coordinate: running mean of its winsorised (z_j - z_{t-1,j})^2
    private long count;

    public SerialDependence(int dimension) {
        previous = new double[dimension];
        mean = new double[dimension];
        variance = new double[dimension];
        deviations = new double[dimension];
        differences = new double[dimension];
        Arrays.fill(previous, Double.NaN);
    }

    /**
     * The von Neumann ratio so far: the mean over the coordinates that have varied of each one's ratio (so that each
     * counts alike whatever its scale); 0 (dependent) while none has, as on a constant stream.
     */
    public double ratio() {
        double sum = 0;
        int n = 0;
        for (int j = 0; j < mean.length; j++) {
            if (deviations[j] > 0) {
                sum += differences[j] / (2 * deviations[j]);
                n++;
            }
        }
        return n == 0 ? 0 : sum / n;
    }

    /** The weight of the scorer's fast calibration, in [0, 1]: how exchangeable the stream has looked so far. */
    public double exchangeableWeight() {
        if (count < MIN_POINTS) {
            return 0;
        }
        double w = (ratio() - DEPENDENT_AT_MOST) / (EXCHANGEABLE_AT_LEAST - DEPENDENT_AT_MOST);
        return Math.max(0, Math.min(1, w));
    }

    /** Learns one standardised point. @param z not modified; NaN marks a missing coordinate */
    public void observe(double[] z) {
        double rate = Math.max(1.0 / (count + 1), RATE_FLOOR);
        for (int j = 0; j < mean.length; j++) {
            double v = z[j];
            if (Double.isNaN(v)) {
                previous[j] = Double.NaN;
                continue;
            }
            // winsorised at CLIP spreads (squares compared, so the root is taken only for a point that is clipped); no bound
            // while the coordinate has not varied (its first values equal: a quantised load), or it never would
            double d = v - mean[j];
            double bound2 = CLIP2 * variance[j];
            if (variance[j] > 0 && d * d > bound2) {
                d = Math.copySign(Math.sqrt(bound2), d);
            }
            if (!Double.isNaN(previous[j])) {
                double e = v - previous[j];
                if (variance[j] > 0 && e * e > 2 * bound2) {
                    e = Math.copySign(Math.sqrt(2 * bound2), e);
                }
                deviations[j] += rate * (d * d - deviations[j]);
                differences[j] += rate * (e * e - differences[j]);
            }
            mean[j] += rate * d;
            variance[j] = (1 - rate) * (variance[j] + rate * d * d);
            previous[j] = v;
        }
        count++;
    }

    public int serializedSize() {
        return 8 * (5 * mean.length + 1);
    }

    public void writeTo(ByteBuffer out) {
        out.putLong(count);
        for (int j = 0; j < mean.length; j++) {
            out.putDouble(previous[j]).putDouble(mean[j]).putDouble(variance[j]).putDouble(deviations[j]).putDouble(differences[j]);
        }
    }

    public static SerialDependence readFrom(ByteBuffer in, int dimension) {
        SerialDependence s = new SerialDependence(dimension);
        s.count = in.getLong();
        for (int j = 0; j < dimension; j++) {
            s.previous[j] = in.getDouble();
            s.mean[j] = in.getDouble();
            s.variance[j] = in.getDouble();
            s.deviations[j] = in.getDouble();
            s.differences[j] = in.getDouble();
        }
        return s;
    }
}
