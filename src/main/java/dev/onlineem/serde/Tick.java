package dev.onlineem.serde;

/**
 * An input tick: {@code {"symbol": "EURUSD", "price": 1.0842, "size": 250000, "ts": 1732000000000}}, key =
 * the symbol. {@code symbol} is optional (the key names it) and must equal the key when given; {@code size}
 * is optional (0, for quotes without size); {@code ts} is optional (null here: the record's timestamp).
 */
public record Tick(String symbol, double price, double size, Long ts) {
}
