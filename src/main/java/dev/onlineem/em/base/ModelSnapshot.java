package dev.onlineem.em.base;

/**
 * A model's parameters in the data's units, with its counters: the shape published on the models topic
 * and printed by {@code fit}. Covariances are always full d x d matrices, whatever the covariance type;
 * d is the feature dimension and {@code features} names each coordinate (x0, x0[t-1], ...).
 *
 * <p>For a mixture, {@code weights} are the mixing weights. For an HMM, the states are in the reported
 * order (ascending mean of the first feature), {@code weights} is the stationary distribution of the
 * transition matrix, and the transition matrix, initial probabilities and expected durations (in points,
 * 1 / (1 - A_ii)) are set; they are null for a mixture.
 */
public record ModelSnapshot(ModelKind kind, int dimension, String[] features, CovarianceType covarianceType, long version,
                            long pointsSeen, double[] weights, double[][] means, double[][][] covariances,
                            double avgLogLikelihood, double stepSize, double[][] transitionMatrix,
                            double[] initialProbabilities, double[] expectedDurations, double[] degreesOfFreedom) {
    /** A Gaussian mixture's snapshot. */
    public ModelSnapshot(int dimension, String[] features, CovarianceType covarianceType, long version, long pointsSeen,
                         double[] weights, double[][] means, double[][][] covariances, double avgLogLikelihood, double stepSize) {
        this(dimension, features, covarianceType, version, pointsSeen, weights, means, covariances, avgLogLikelihood, stepSize, null);
    }

    /** A mixture's snapshot; degreesOfFreedom null for Gaussian components. */
    public ModelSnapshot(int dimension, String[] features, CovarianceType covarianceType, long version, long pointsSeen,
                         double[] weights, double[][] means, double[][][] covariances, double avgLogLikelihood, double stepSize,
                         double[] degreesOfFreedom) {
        this(ModelKind.MIXTURE, dimension, features, covarianceType, version, pointsSeen, weights, means, covariances,
                avgLogLikelihood, stepSize, null, null, null, degreesOfFreedom);
    }

    /** Whether the components are Student-t (then {@link #covariances} are their scale matrices and {@link #degreesOfFreedom} is set). */
    public boolean studentT() {
        return degreesOfFreedom != null;
    }

    public int components() {
        return weights.length;
    }
}
