package dev.onlineem.em.base;

/** The kinds of online model behind {@code OnlineModel}: {@code model.type} in the configuration. */
public enum ModelKind {
    /** Points are independent draws from a Gaussian mixture ({@code OnlineMixtureModel}). */
    MIXTURE,
    /** Points are emissions of a hidden Markov chain of Gaussian states: regimes ({@code OnlineHmmModel}). */
    HMM;

    public String label() {
        return Labels.of(this);
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static ModelKind parse(String s) {
        return Labels.parse(ModelKind.class, s, "model type");
    }
}
