/** Component densities: each covariance structure (full, diagonal, spherical) as one strategy, Gaussian and Student-t tails, the E-step's work objects and the conditional moments of missing coordinates, special functions and information criteria. */
package dev.onlineem.em.density;
