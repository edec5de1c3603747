/** Gaussian (and Student-t) mixtures: parameters and E-step, sufficient statistics and M-step, batch EM with k-means++ starts, drift repair, and the true mixtures the benchmarks draw from. */
package dev.onlineem.em.mixture;
