package dev.onlineem.em;

/**
 * A model's parameters in the data's units, with its counters: the shape published on the models topic
 * and printed by {@code fit}. Covariances are always full d x d matrices, whatever the covariance type;
 * d is the feature dimension and {@code features} names each coordinate (x0, x0[t-1], ...).
 */
public record MixtureSnapshot(int dimension, String[] features, CovarianceType covarianceType, long version, long pointsSeen,
                              double[] weights, double[][] means, double[][][] covariances,
                              double avgLogLikelihood, double stepSize) {
    public int components() {
        return weights.length;
    }
}
