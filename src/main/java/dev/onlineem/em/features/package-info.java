/** The causal feature stage in front of a model (lags, differences, windows, time of day) and the tick stage's bars. */
package dev.onlineem.em.features;
