package dev.onlineem.serde;

/**
 * An input point: {@code {"id": "evt-17", "ts": 1732000000000, "x": [0.42, null, 17.5]}}. {@code id}
 * and {@code ts} are optional (null here); a null coordinate is missing and arrives as NaN in {@code x}.
 */
public record Point(String id, Long ts, double[] x) {
}
