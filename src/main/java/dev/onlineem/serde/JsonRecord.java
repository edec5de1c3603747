package dev.onlineem.serde;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reading one input record (a point, a tick) as UTF-8 JSON with Jackson's streaming parser, the same way
 * for every record type: size bound, UTF-8 only, no trailing content, and every failure a
 * {@link SerializationException} that says what is wrong (naming the field at fault where there is one)
 * and how the record should look. The deserialization-exception handler then dead-letters the bytes.
 */
final class JsonRecord {
    /** Reads the record's body from a parser positioned before its first token. */
    interface Body<T> {
        T read(JsonParser p) throws IOException;
    }

    private JsonRecord() {
    }

    /**
     * @param kind the record type in messages ("point", "tick")
     * @param shape how the record should look, appended to every message
     */
    static <T> T read(byte[] data, int maxRecordBytes, String kind, String shape, Body<T> body) {
        if (data.length > maxRecordBytes) {
            throw new SerializationException("record is " + data.length + " bytes, over max.record.bytes=" + maxRecordBytes);
        }
        String encoding = Json.notUtf8(data);
        if (encoding != null) {
            throw new SerializationException(encoding + "; " + shape);
        }
        try (JsonParser p = Json.mapper().getFactory().createParser(data)) {
            try {
                T value = body.read(p);
                if (p.nextToken() != null) {
                    throw bad(kind, "trailing content after the JSON object", shape);
                }
                return value;
            } catch (StreamConstraintsException e) {
                throw new SerializationException("record exceeds a JSON limit: " + e.getOriginalMessage());
            } catch (IOException e) {
                // the parser reads a field's value with its name, so the name it holds is the field at fault
                String field = p.currentName();
                String where = field == null ? "" : " in field \"" + cut(field) + "\"";
                throw new SerializationException("record is not valid JSON" + where + ": " + firstLine(e.getMessage()) + "; " + shape);
            }
        } catch (IOException e) { // creating or closing the parser over a byte array
            throw new SerializationException("record is not valid JSON: " + firstLine(e.getMessage()) + "; " + shape);
        }
    }

    static SerializationException bad(String kind, String reason, String shape) {
        return new SerializationException("bad " + kind + ": " + reason + "; " + shape);
    }

    /** At most 40 characters of s, for quoting input in a message. */
    static String cut(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() <= 80 ? line : line.substring(0, 80) + "...";
    }
}
