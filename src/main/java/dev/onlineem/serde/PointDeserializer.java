package dev.onlineem.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Parses an input point: the common shape straight from its bytes ({@link PointScanner}), anything else with
 * Jackson's streaming parser (no tree, no reflection). Every failure is a
 * {@link SerializationException} whose message says what is wrong and how the record should look;
 * the deserialization-exception handler then sends the original bytes to the dead-letter topic.
 */
public final class PointDeserializer extends JsonRecordDeserializer<Point> {
    public static final String EXPECTED_SHAPE = "expected {\"id\": \"...\", \"ts\": <epoch ms>, \"x\": [numbers or null]}";
    private final int maxDimension;

    public PointDeserializer(int maxDimension, int maxRecordBytes) {
        super("point", EXPECTED_SHAPE, maxRecordBytes);
        this.maxDimension = maxDimension;
    }

    @Override
    Point scan(byte[] data) {
        return PointScanner.scan(data, maxDimension);
    }

    @Override
    Point parse(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw bad("record is not a JSON object");
        }
        String id = null;
        Long ts = null;
        double[] x = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "id":
                    id = parseId(v, p);
                    break;
                case "ts":
                    ts = parseTs(v, p);
                    break;
                case "x":
                    x = parseX(v, p);
                    break;
                default:
                    throw bad("unknown field \"" + JsonRecord.cut(name) + "\"");
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw bad("record is not a JSON object");
        }
        if (x == null) {
            throw bad("field \"x\" is missing");
        }
        return new Point(id, ts, x);
    }

    private String parseId(JsonToken v, JsonParser p) throws IOException {
        if (v == JsonToken.VALUE_STRING || v == JsonToken.VALUE_NUMBER_INT) {
            return p.getText();
        }
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        throw bad("field \"id\" must be a string");
    }

    private Long parseTs(JsonToken v, JsonParser p) throws IOException {
        Long ts = epochMillis(v, p);
        if (ts != null && ts < 0) {
            throw bad("field \"ts\" must not be negative");
        }
        return ts;
    }

    private double[] parseX(JsonToken v, JsonParser p) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            throw bad("field \"x\" must be an array of numbers (null for a missing value)");
        }
        double[] x = new double[8];
        int n = 0;
        boolean observed = false;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (n == maxDimension) {
                throw bad("\"x\" has more than max.dimension=" + maxDimension + " coordinates");
            }
            if (n == x.length) {
                x = Arrays.copyOf(x, Math.min(2 * n, maxDimension));
            }
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                double d = p.getDoubleValue();
                if (!Double.isFinite(d)) {
                    throw bad("x[" + n + "] = " + JsonRecord.cut(p.getText()) + " is not a finite double");
                }
                x[n++] = d;
                observed = true;
            } else if (t == JsonToken.VALUE_NULL) {
                x[n++] = Double.NaN;
            } else {
                throw bad("x[" + n + "] is " + describe(t) + "; only numbers and null (missing) are accepted");
            }
        }
        if (n == 0) {
            throw bad("\"x\" is empty");
        }
        if (!observed) {
            throw bad("every coordinate of \"x\" is null (missing)");
        }
        return n == x.length ? x : Arrays.copyOf(x, n);
    }

    private static String describe(JsonToken t) {
        switch (t) {
            case VALUE_STRING: return "a string";
            case VALUE_TRUE:
            case VALUE_FALSE: return "a boolean";
            case START_ARRAY: return "an array";
            case START_OBJECT: return "an object";
            default: return String.valueOf(t);
        }
    }
}
