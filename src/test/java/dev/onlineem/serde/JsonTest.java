package dev.onlineem.serde;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
    private final ObjectMapper mapper = Json.mapper();

    @Test
    void shouldBindDataOnlyWithNoDefaultOrPolymorphicTyping() throws Exception {
        assertNull(mapper.getDeserializationConfig().getDefaultTyper(mapper.constructType(Object.class)));
        // the classic gadget shape stays plain data: a list of a string and a number, never an instance of the named class
        Object v = mapper.readValue("[\"java.net.URL\", \"http://example.com\"]", Object.class);
        assertInstanceOf(List.class, v);
    }

    @Test
    void shouldBoundNumberLengthStringLengthAndNesting() {
        assertThrows(JsonProcessingException.class, () -> mapper.readTree("[" + "9".repeat(Json.MAX_NUMBER_LENGTH + 1) + "]"));
        assertThrows(JsonProcessingException.class, () -> mapper.readTree("[\"" + "s".repeat(Json.MAX_STRING_LENGTH + 1) + "\"]"));
        assertThrows(JsonProcessingException.class, () -> mapper.readTree("[".repeat(Json.MAX_NESTING_DEPTH + 1) + "]".repeat(Json.MAX_NESTING_DEPTH + 1)));
        assertThrows(JsonProcessingException.class, () -> mapper.readTree("[NaN]"));
        assertThrows(JsonProcessingException.class, () -> mapper.readTree("{\"x\":1,\"x\":2}"));
    }
}
