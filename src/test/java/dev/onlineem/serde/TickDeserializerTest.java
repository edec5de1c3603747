package dev.onlineem.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class TickDeserializerTest {
    private final TickDeserializer d = new TickDeserializer(1 << 20);

    private Tick read(String json) {
        return d.deserialize("ticks", json.getBytes(StandardCharsets.UTF_8));
    }

    private String reason(String json) {
        return assertThrows(SerializationException.class, () -> read(json)).getMessage();
    }

    @Test
    void shouldReadATickAndSkipFieldsItDoesNotUse() {
        Tick t = read("{\"symbol\":\"EURUSD\",\"price\":1.0842,\"size\":250000,\"ts\":1767571200123,\"exchange\":\"X\",\"cond\":[1,{\"a\":2}]}");
        assertEquals("EURUSD", t.symbol());
        assertEquals(1.0842, t.price());
        assertEquals(250000, t.size());
        assertEquals(1767571200123L, t.ts());
        Tick bare = read("{\"price\":3}");
        assertNull(bare.symbol());
        assertEquals(0, bare.size());
        assertNull(bare.ts());
    }

    @Test
    void shouldNameTheFieldAtFault() {
        assertTrue(reason("{\"symbol\":\"A\",\"price\":NaN}").contains("in field \"price\""), reason("{\"symbol\":\"A\",\"price\":NaN}"));
        assertTrue(reason("{\"price\":1,\"size\":-Infinity}").contains("in field \"size\""));
        assertTrue(reason("{\"price\":\"1.5\"}").contains("field \"price\" must be a number"));
        assertTrue(reason("{\"symbol\":\"A\"}").contains("field \"price\" is missing"));
        assertTrue(reason("{\"price\":1,\"ts\":\"now\"}").contains("field \"ts\" must be an integer"));
        assertTrue(reason("[1,2]").contains("not a JSON object"));
        assertTrue(reason("{\"price\":1} {").contains("trailing content"));
    }

    @Test
    void shouldReadUtf8OnlySoThatBytesStartingWithAByteOrderMarkAreNotReadAsUtf16() {
        byte[] utf16 = "{\"price\":3}".getBytes(StandardCharsets.UTF_16LE);
        byte[] bom = {(byte) 0xFF, (byte) 0xFE, '{', 0, '}', 0};
        for (byte[] b : new byte[][] {utf16, bom, "{\"price\":3}".getBytes(StandardCharsets.UTF_16BE)}) {
            SerializationException e = assertThrows(SerializationException.class, () -> d.deserialize("ticks", b));
            assertTrue(e.getMessage().contains("records are UTF-8 JSON"), e.getMessage());
            PointDeserializer points = new PointDeserializer(16, 1 << 20);
            e = assertThrows(SerializationException.class, () -> points.deserialize("points", b));
            assertTrue(e.getMessage().contains("records are UTF-8 JSON"), e.getMessage());
        }
    }
}
