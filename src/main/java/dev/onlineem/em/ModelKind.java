package dev.onlineem.em;

/** The kinds of online model behind {@link OnlineModel}: {@code model.type} in the configuration. */
public enum ModelKind {
    /** Points are independent draws from a Gaussian mixture ({@link OnlineMixtureModel}). */
    MIXTURE,
    /** Points are emissions of a hidden Markov chain of Gaussian states: regimes ({@link OnlineHmmModel}). */
    HMM;

    public String label() {
        return Labels.of(this);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static ModelKind parse(String s) {
        return Labels.parse(ModelKind.class, s, "model type");
    }
}
