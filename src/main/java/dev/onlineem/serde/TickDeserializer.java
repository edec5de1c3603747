package dev.onlineem.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Parses an input tick with Jackson's streaming parser. Shape errors (not an object, a missing or
 * non-numeric price, a string ts, ...) are {@link SerializationException}s saying what is wrong and how a
 * tick should look; the deserialization-exception handler dead-letters the original bytes. Fields other
 * than symbol, price, size and ts are skipped, so feeds that carry more (exchange, conditions) are read.
 * Values (a price that is not positive, a negative size) are checked by the tick stage itself.
 */
public final class TickDeserializer implements Deserializer<Tick> {
    public static final String EXPECTED_SHAPE = "expected {\"symbol\": \"...\", \"price\": <number > 0>, \"size\": <number >= 0>, \"ts\": <epoch ms>}";
    private final int maxRecordBytes;

    public TickDeserializer(int maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public Tick deserialize(String topic, byte[] data) {
        if (data == null) {
            return null; // a tombstone: the processor dead-letters it with its reason
        }
        if (data.length > maxRecordBytes) {
            throw new SerializationException("record is " + data.length + " bytes, over max.record.bytes=" + maxRecordBytes);
        }
        String encoding = Json.notUtf8(data);
        if (encoding != null) {
            throw new SerializationException(encoding + "; " + EXPECTED_SHAPE);
        }
        try (JsonParser p = Json.mapper().getFactory().createParser(data)) {
            try {
                Tick tick = parse(p);
                if (p.nextToken() != null) {
                    throw bad("trailing content after the JSON object");
                }
                return tick;
            } catch (StreamConstraintsException e) {
                throw new SerializationException("record exceeds a JSON limit: " + e.getOriginalMessage());
            } catch (IOException e) {
                // the parser reads a field's value with its name, so the name it holds is the field at fault
                String field = p.currentName();
                String where = field == null ? "" : " in field \"" + cut(field) + "\"";
                String m = e.getMessage() == null ? "unreadable" : e.getMessage().split("\n", 2)[0];
                throw new SerializationException("record is not valid JSON" + where + ": " + cut(m) + "; " + EXPECTED_SHAPE);
            }
        } catch (IOException e) {
            throw new SerializationException("record is not valid JSON: " + cut(String.valueOf(e.getMessage())) + "; " + EXPECTED_SHAPE);
        }
    }

    private static Tick parse(JsonParser p) throws IOException {
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
                    if (v == JsonToken.VALUE_NULL) {
                        break;
                    }
                    if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        throw bad("field \"ts\" must be an integer (epoch milliseconds)");
                    }
                    ts = p.getLongValue();
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

    private static Double number(JsonToken v, JsonParser p, String field) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
            throw bad("field \"" + field + "\" must be a number");
        }
        return p.getDoubleValue();
    }

    private static SerializationException bad(String reason) {
        return new SerializationException("bad tick: " + reason + "; " + EXPECTED_SHAPE);
    }

    private static String cut(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
