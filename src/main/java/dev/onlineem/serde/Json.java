package dev.onlineem.serde;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The project's one Jackson configuration: data only. No default typing and no polymorphic types
 * anywhere; nesting depth, number length and string length are bounded so that hostile input fails
 * fast; NaN and Infinity tokens are rejected by the parser.
 */
public final class Json {
    /** Deepest nesting accepted in an input record. A point needs 2 levels. */
    public static final int MAX_NESTING_DEPTH = 16;
    public static final int MAX_NUMBER_LENGTH = 400;
    public static final int MAX_STRING_LENGTH = 64 * 1024;

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING_DEPTH)
                            .maxNumberLength(MAX_NUMBER_LENGTH)
                            .maxStringLength(MAX_STRING_LENGTH)
                            .build())
                    // Schubfach writer and FastDoubleParser: both exact (shortest round-trip text, correctly
                    // rounded parse), several times faster than the JDK 17 paths on the per-record hot path
                    .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                    .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                    .build())
            .disable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION) // {"x":[1],"x":[2]} is ambiguous, so rejected
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private Json() {
    }

    /**
     * Why these bytes cannot be UTF-8 JSON, or null. Jackson guesses UTF-16 and UTF-32 from a byte-order mark
     * or zero bytes at the start, which would read random bytes starting FF FE as UTF-16 text; records are
     * UTF-8 only (RFC 8259 for JSON exchanged between systems), so those are refused up front.
     */
    public static String notUtf8(byte[] data) {
        if (data.length >= 2 && ((data[0] & 0xFF) == 0xFE && (data[1] & 0xFF) == 0xFF || (data[0] & 0xFF) == 0xFF && (data[1] & 0xFF) == 0xFE)) {
            return "record starts with a UTF-16 byte-order mark; records are UTF-8 JSON";
        }
        if (data.length >= 1 && data[0] == 0 || data.length >= 2 && data[1] == 0) {
            return "record starts with a zero byte (UTF-16 or UTF-32 text, or binary); records are UTF-8 JSON";
        }
        return null;
    }

    /** The shared, thread-safe mapper. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
