/**
 * The online models, the one interface the stream layer and the commands use: {@link dev.onlineem.em.OnlineModel}
 * (created by settings, updated point by point into a {@link dev.onlineem.em.PointResult}, encoded by
 * {@link dev.onlineem.em.StateCodec}), its two kinds ({@link dev.onlineem.em.OnlineMixtureModel},
 * {@link dev.onlineem.em.OnlineHmmModel}) over the pipeline they share ({@link dev.onlineem.em.PipelineModel}: features,
 * warm-up, standardisation, scoring), and {@link dev.onlineem.em.ModelSettings}. No Kafka here.
 *
 * <p>The parts, each a package that depends only on those listed before it: {@code base} (the shared vocabulary:
 * model kinds, covariance types, the published snapshot, setting checks, the state format's layout), {@code density}
 * (component densities: covariance structures as strategies, Gaussian and Student-t tails, the E-step's work objects,
 * special functions), {@code features} (the causal feature stage and tick bars), {@code scoring} (surprise sketch,
 * anomaly scorer, provisional scorer), {@code mixture} (Gaussian mixtures, their sufficient statistics, batch EM,
 * k-means++, drift repair), {@code hmm} (Gaussian HMMs: forward filtering, Baum-Welch).
 */
package dev.onlineem.em;
