/** Hidden Markov models with mixture-component emissions: forward filtering shared by batch and online, Baum-Welch, regime settings. */
package dev.onlineem.em.hmm;
