package dev.onlineem.em;

/** The kinds of online model behind {@link OnlineModel}: {@code model.type} in the configuration. */
public enum ModelKind {
    /** Points are independent draws from a Gaussian mixture ({@link OnlineMixtureModel}). */
    MIXTURE("mixture"),
    /** Points are emissions of a hidden Markov chain of Gaussian states: regimes ({@link OnlineHmmModel}). */
    HMM("hmm");

    private final String label;

    ModelKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static ModelKind parse(String s) {
        for (ModelKind k : values()) {
            if (k.label.equalsIgnoreCase(s.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("model type '" + s + "' is not one of mixture, hmm");
    }
}
