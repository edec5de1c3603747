package dev.onlineem.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/** The point scanner against Jackson's path ({@link ScannerAgreement}). */
class PointScannerTest {
    private static final int MAX_DIMENSION = 6;
    private static final PointDeserializer DESERIALIZER = new PointDeserializer(MAX_DIMENSION, 4096);
    private static final ScannerAgreement<Point> AGREEMENT = new ScannerAgreement<>(
            data -> DESERIALIZER.deserialize("points", data), DESERIALIZER::readWithJackson,
            data -> data.length <= 4096 ? PointScanner.scan(data, MAX_DIMENSION) : null,
            p -> Arrays.asList(p.id(), p.ts(), Arrays.toString(Arrays.stream(p.x()).mapToLong(Double::doubleToRawLongBits).toArray())));

    @Test
    void shouldTakeTheCommonShapeAndAgreeWithJacksonOnEveryEdge() {
        String[] taken = {
            "{\"id\":\"evt-1\",\"ts\":1732000000000,\"x\":[0.42,null,17.5]}",
            " {\n\t\"x\" : [ 1 , -2.5e-3 , 1E+2 ] ,\r\"ts\" : 0 , \"id\" : null } \n",
            "{\"x\":[0],\"id\":\"\"}",
            "{\"x\":[-0.0,0.0,123456789012345678]}",
            "{\"x\":[1e-400,2.2250738585072011e-308,4.9e-324]}", // underflow to 0 and subnormals, correctly rounded
            "{\"x\":[1.7976931348623157e308],\"ts\":null}",
            "{\"x\":[0.1000000000000000055511151231257827,9007199254740993]}",
        };
        AGREEMENT.assertTaken(taken);
        String[] jacksonDecides = {
            "", " ", "{}", "[]", "null", "{\"x\":[]}", "{\"x\":[null]}", "{\"x\":[1],}", "{\"x\":[1,]}", "{,\"x\":[1]}",
            "{\"x\":[1]}x", "{\"x\":[1]}{}", "{\"x\":[1]", "{\"x\":[1}", "{\"x\":1}", "{\"x\":null}", "{\"x\":[[1]]}",
            "{\"x\":[1],\"x\":[2]}", "{\"id\":\"a\",\"id\":\"b\",\"x\":[1]}", "{\"x\":[1],\"y\":2}", "{\"\\u0078\":[1]}",
            "{\"x\":[01]}", "{\"x\":[1.]}", "{\"x\":[.5]}", "{\"x\":[+1]}", "{\"x\":[-]}", "{\"x\":[1e]}", "{\"x\":[1e+]}",
            "{\"x\":[-0]}", "{\"x\":[1x]}", "{\"x\":[nul]}", "{\"x\":[nullx]}", "{\"x\":[NaN]}", "{\"x\":[Infinity]}",
            "{\"x\":[1e400]}", "{\"x\":[-1e309]}", "{\"x\":[12345678901234567890]}", "{\"x\":[1,2,3,4,5,6,7]}",
            "{\"x\":[1],\"ts\":-5}", "{\"x\":[1],\"ts\":-0}", "{\"x\":[1],\"ts\":1.0}", "{\"x\":[1],\"ts\":1e3}",
            "{\"x\":[1],\"ts\":\"5\"}", "{\"x\":[1],\"ts\":99999999999999999999}", "{\"x\":[1],\"ts\":007}",
            "{\"x\":[1],\"id\":7}", "{\"x\":[1],\"id\":\"a\\\"b\"}", "{\"x\":[1],\"id\":\"tab\there\"}", "{\"x\":[1],\"id\":\"caf\u00e9\"}",
            "{\"x\":[1],\"id\":true}", "{\"x\":[1] /* c */}", "\ufeff{\"x\":[1]}", "{\"x\":[1],\"ts\":1}\u0000",
            "{\"x\":[" + "1".repeat(70) + ".5]}",
        };
        AGREEMENT.assertLeftToJackson(jacksonDecides);
    }

    @Test
    void shouldAgreeWithJacksonOnRandomPointsAndOnEveryMutationOfThem() {
        Random r = new Random(20261130);
        AGREEMENT.agreeOnRandomRecordsAndTheirMutations(r, () -> randomPoint(r), 20_000, "xidts");
    }

    @Test
    void shouldLeaveARecordOverTheSizeLimitToTheLimitsMessage() {
        PointDeserializer small = new PointDeserializer(MAX_DIMENSION, 16);
        byte[] data = "{\"x\":[1,2,3,4,5]}".getBytes(StandardCharsets.UTF_8);
        assertNotNull(PointScanner.scan(data, MAX_DIMENSION));
        String reason = assertThrows(SerializationException.class, () -> small.deserialize("points", data)).getMessage();
        assertTrue(reason.contains("max.record.bytes=16"), reason);
        assertNull(PointScanner.scan("{\"x\":[1,2,3,4,5,6,7]}".getBytes(StandardCharsets.UTF_8), MAX_DIMENSION));
        assertArrayEquals(new double[] {1, 2}, PointScanner.scan("{\"x\":[1,2]}".getBytes(StandardCharsets.UTF_8), 2).x());
    }

    private static String randomPoint(Random r) {
        List<String> fields = new ArrayList<>();
        if (r.nextInt(4) > 0) {
            String id = r.nextInt(10) == 0 ? "null" : "\"" + ScannerAgreement.randomPlainString(r) + "\"";
            fields.add(ScannerAgreement.field(r, "id", id));
        }
        if (r.nextInt(4) > 0) {
            fields.add(ScannerAgreement.field(r, "ts", r.nextInt(10) == 0 ? "null" : Long.toString(r.nextInt(3) == 0 ? r.nextInt(1000) : (long) (r.nextDouble() * 1e17))));
        }
        int n = 1 + r.nextInt(MAX_DIMENSION);
        StringBuilder x = new StringBuilder("[");
        int observed = r.nextInt(n);
        for (int j = 0; j < n; j++) {
            x.append(ScannerAgreement.ws(r)).append(j != observed && r.nextInt(8) == 0 ? "null" : ScannerAgreement.randomNumber(r)).append(ScannerAgreement.ws(r));
            if (j + 1 < n) {
                x.append(',');
            }
        }
        fields.add(ScannerAgreement.field(r, "x", x + "]"));
        return ScannerAgreement.object(r, fields);
    }
}
