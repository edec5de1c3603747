/** From surprise to scores: the surprise sketch (p-values), the anomaly likelihood and alerts, and the provisional scorer of the warm-up. */
package dev.onlineem.em.scoring;
