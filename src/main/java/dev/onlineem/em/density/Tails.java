package dev.onlineem.em.density;

import java.nio.ByteBuffer;

/**
 * How a mixture's components turn their Gaussian pieces (each component's squared Mahalanobis distance delta^2 and log
 * det Sigma, from its {@link Covariance}) into a density, and what else their statistics keep: one implementation per
 * {@link Distribution.Family}. {@link #of} is the one place that chooses by family. One instance per mixture: a
 * Student-t one holds each component's degrees of freedom.
 */
public abstract sealed class Tails permits GaussianTails, StudentTails {

    /** The tails of a K-component mixture in dimension d with the given distribution (a Student-t's df at their start). */
    public static Tails of(Distribution distribution, int k, int d) {
        return switch (distribution.family()) {
            case GAUSSIAN -> GaussianTails.INSTANCE;
            case STUDENT_T -> new StudentTails(distribution, k, d);
        };
    }

    public abstract Distribution distribution();

    /** A copy for another mixture of the same shape (its own degrees of freedom). */
    public abstract Tails copy();

    /**
     * Whether the statistics keep, beside s0, s1 and s2, the u-weighted weight and the degrees-of-freedom statistic
     * (the mixture's sufficient statistics): false for Gaussians, whose u is 1.
     */
    abstract boolean weighted();

    /** Free parameters each component adds to its mean and covariance (for BIC). */
    public abstract int parameters();

    /**
     * Turns the Gaussian log-densities of the E-step into this family's, and writes each component's weight u of the
     * point and its degrees-of-freedom terms (score and information) into {@code work}.
     *
     * @param logDets log det Sigma_c of the block the point's observed coordinates span: the components' own when
     *        nothing is missing. Not modified.
     * @param work holds the Gaussian log-densities and squared distances; receives the family's. Modified.
     */
    public abstract void densities(double[] logDets, EStepWork work);

    /** Sets the point's weights u to 1 and its degrees-of-freedom terms to those that keep each df where it is: a neutral point. */
    public abstract void neutral(EStepWork work);

    /** Recomputes component c's cached constants (after its df changed). */
    abstract void refresh(int c);

    /**
     * The M-step of component c's degrees of freedom from its statistics (nothing when they are fixed or Gaussian).
     *
     * @param s0 the component's weight statistic
     * @param sdf the component's degrees-of-freedom statistic: the r-weighted mean of g + I y, with y = ln nu at the
     *        point, g the score of the point's t log-density in y and I its Fisher information in y (times s0)
     * @param sdfInformation the r-weighted mean of I (times s0)
     */
    public abstract void mStepDf(int c, double s0, double sdf, double sdfInformation);

    /** The degrees-of-freedom statistic of a component of weight w whose df would stay where they are. */
    public abstract double neutralDfStatistic(int c, double w);

    /** The information statistic that goes with {@link #neutralDfStatistic}: w I at the component's df. */
    public abstract double neutralDfInformation(int c, double w);

    /** Component c's degrees of freedom (infinite for a Gaussian). */
    public abstract double df(int c);

    /** Sets component c's degrees of freedom (a Student-t's, within the bounds). */
    public abstract void setDf(int c, double df);

    /** Bytes {@link #writeTo} writes. */
    public abstract int serializedSize();

    public abstract void writeTo(ByteBuffer out);

    public abstract void readFrom(ByteBuffer in);
}
