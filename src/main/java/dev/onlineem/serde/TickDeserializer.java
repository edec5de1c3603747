package dev.onlineem.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Parses an input tick: the common shape straight from its bytes ({@link TickScanner}), anything else with
 * Jackson's streaming parser. Shape errors (not an object, a missing or
 * non-numeric price, a string ts, ...) are {@link SerializationException}s saying what is wrong and how a
 * tick should look; the deserialization-exception handler dead-letters the original bytes. Fields other
 * than symbol, price, size and ts are skipped, so feeds that carry more (exchange, conditions) are read.
 * Values (a price that is not positive, a negative size) are checked by the tick stage itself.
 */
public final class TickDeserializer extends JsonRecordDeserializer<Tick> {
    public static final String EXPECTED_SHAPE = "expected {\"symbol\": \"...\", \"price\": <number > 0>, \"size\": <number >= 0>, \"ts\": <epoch ms>}";

    public TickDeserializer(int maxRecordBytes) {
        super("tick", EXPECTED_SHAPE, maxRecordBytes);
    }

    @Override
    Tick scan(byte[] data) {
        return TickScanner.scan(data);
    }

    @Override
    Tick parse(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw bad("record is not a JSON object");
        }
        String symbol = null;
        Double price = null;
        double size = 0;
        Long ts = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "symbol":
                    if (v != JsonToken.VALUE_STRING) {
                        throw bad("field \"symbol\" must be a string");
                    }
                    symbol = p.getText();
                    break;
                case "price":
                    price = number(v, p, "price");
                    if (price == null) {
                        throw bad("field \"price\" is null");
                    }
                    break;
                case "size":
                    Double s = number(v, p, "size");
                    size = s == null ? 0 : s;
                    break;
                case "ts":
                    ts = epochMillis(v, p);
                    break;
                default:
                    p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw bad("record is not a JSON object");
        }
        if (price == null) {
            throw bad("field \"price\" is missing");
        }
        return new Tick(symbol, price, size, ts);
    }

    private Double number(JsonToken v, JsonParser p, String field) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw bad("field \"" + field + "\" must be a number");
        }
        return p.getDoubleValue();
    }
}
