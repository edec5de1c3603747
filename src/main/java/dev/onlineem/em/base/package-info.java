/** What every part of the core shares: model kinds, covariance types, the published snapshot, setting checks, enum labels, and the stored state's versions and array layout. */
package dev.onlineem.em.base;
