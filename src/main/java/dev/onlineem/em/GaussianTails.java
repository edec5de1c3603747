package dev.onlineem.em;

import java.nio.ByteBuffer;

/** Gaussian components: the covariance's densities as they are, every point's weight u = 1, nothing more to keep. */
final class GaussianTails extends Tails {
    static final GaussianTails INSTANCE = new GaussianTails();

    private GaussianTails() {
    }

    @Override
    Distribution distribution() {
        return Distribution.GAUSSIAN;
    }

    @Override
    Tails copy() {
        return this;
    }

    @Override
    boolean weighted() {
        return false;
    }

    @Override
    int parameters() {
        return 0;
    }

    @Override
    void densities(double[] logDets, EStepWork work) {
    }

    @Override
    void neutral(EStepWork work) {
    }

    @Override
    void refresh(int c) {
    }

    @Override
    void mStepDf(int c, double s0, double sdf) {
    }

    @Override
    double neutralDfStatistic(int c, double w) {
        return 0;
    }

    @Override
    double df(int c) {
        return Double.POSITIVE_INFINITY;
    }

    @Override
    void setDf(int c, double df) {
        throw new UnsupportedOperationException("a Gaussian component has no degrees of freedom");
    }

    @Override
    int serializedSize() {
        return 0;
    }

    @Override
    void writeTo(ByteBuffer out) {
    }

    @Override
    void readFrom(ByteBuffer in) {
    }
}
