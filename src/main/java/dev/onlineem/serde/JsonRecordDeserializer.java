package dev.onlineem.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * An input record type (a point, a tick) read the one way: a tombstone is null (the processor dead-letters it with
 * its reason); the common shape straight from its bytes by the type's scanner; anything else, and every error, by
 * Jackson's streaming parser through {@link JsonRecord}, so each failure is a {@link SerializationException} saying
 * what is wrong and how the record should look.
 */
abstract class JsonRecordDeserializer<T> implements Deserializer<T> {
    private final String kind;
    private final String shape;
    private final int maxRecordBytes;

    /**
     * @param kind the record type in messages ("point", "tick")
     * @param shape how the record should look, appended to every message
     */
    JsonRecordDeserializer(String kind, String shape, int maxRecordBytes) {
        this.kind = kind;
        this.shape = shape;
        this.maxRecordBytes = maxRecordBytes;
    }

    @Override
    public final T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (data.length <= maxRecordBytes) {
            T common = scan(data);
            if (common != null) {
                return common;
            }
        }
        return readWithJackson(data);
    }

    /** Jackson's path alone: every record the scanner does not take, and the reference it is tested against. */
    final T readWithJackson(byte[] data) {
        return JsonRecord.read(data, maxRecordBytes, kind, shape, this::parse);
    }

    /** The record in its common shape read straight from its bytes, or null when Jackson's path has to read it. */
    abstract T scan(byte[] data);

    /** The record from a parser positioned before its first token; every error a {@link #bad} exception. */
    abstract T parse(JsonParser p) throws IOException;

    final SerializationException bad(String reason) {
        return JsonRecord.bad(kind, reason, shape);
    }

    /** A {@code ts} field's value: epoch milliseconds, or null when the field is null. */
    final Long epochMillis(JsonToken v, JsonParser p) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        if (v != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw bad("field \"ts\" must be an integer (epoch milliseconds)");
        }
        return p.getLongValue();
    }
}
