package dev.onlineem.em.density;

import java.nio.ByteBuffer;

/** Gaussian components: the covariance's densities as they are, every point's weight u = 1, nothing more to keep. */
final class GaussianTails extends Tails {
    static final GaussianTails INSTANCE = new GaussianTails();

    private GaussianTails() {
    }

    @Override
    public Distribution distribution() {
        return Distribution.GAUSSIAN;
    }

    @Override
    public Tails copy() {
        return this;
    }

    @Override
    boolean weighted() {
        return false;
    }

    @Override
    public int parameters() {
        return 0;
    }

    @Override
    public void densities(double[] logDets, EStepWork work) {
    }

    @Override
    public void neutral(EStepWork work) {
    }

    @Override
    void refresh(int c) {
    }

    @Override
    public void mStepDf(int c, double s0, double sdf, double sdfInformation) {
    }

    @Override
    public double neutralDfStatistic(int c, double w) {
        return 0;
    }

    @Override
    public double neutralDfInformation(int c, double w) {
        return 0;
    }

    @Override
    public double df(int c) {
        return Double.POSITIVE_INFINITY;
    }

    @Override
    public void setDf(int c, double df) {
        throw new UnsupportedOperationException("a Gaussian component has no degrees of freedom");
    }

    @Override
    public int serializedSize() {
        return 0;
    }

    @Override
    public void writeTo(ByteBuffer out) {
    }

    @Override
    public void readFrom(ByteBuffer in) {
    }
}
