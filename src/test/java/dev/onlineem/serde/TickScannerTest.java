package dev.onlineem.serde;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The tick scanner against Jackson's path ({@link ScannerAgreement}). */
class TickScannerTest {
    private static final TickDeserializer DESERIALIZER = new TickDeserializer(4096);
    private static final ScannerAgreement<Tick> AGREEMENT = new ScannerAgreement<>(
            data -> DESERIALIZER.deserialize("ticks", data), DESERIALIZER::readWithJackson,
            data -> data.length <= 4096 ? TickScanner.scan(data) : null,
            t -> t); // a record's equals compares doubles bit for bit (Double.compare)

    @Test
    void shouldTakeTheCommonShapeAndAgreeWithJacksonOnEveryEdge() {
        String[] taken = {
            "{\"symbol\":\"EURUSD\",\"price\":1.0842,\"size\":250000,\"ts\":1767571200123}",
            " { \"ts\" : null ,\n\"price\" : 3 } ",
            "{\"price\":-0.0,\"size\":null,\"symbol\":\"\"}",
            "{\"price\":1e-400,\"size\":-2}", // values are the tick stage's to check
        };
        AGREEMENT.assertTaken(taken);
        String[] jacksonDecides = {
            "{}", "{\"size\":1}", "{\"price\":null}", "{\"price\":\"1.5\"}", "{\"price\":NaN}", "{\"price\":1e400}",
            "{\"price\":1,\"size\":-Infinity}", "{\"price\":-0}", "{\"price\":1,\"symbol\":null}", "{\"price\":1,\"symbol\":7}",
            "{\"price\":1,\"ts\":-5}", "{\"price\":1,\"ts\":1.5}", "{\"price\":1,\"price\":2}", "{\"price\":1,\"exchange\":\"X\"}",
            "{\"price\":1,\"cond\":[1,{\"a\":2}]}", "{\"price\":1}x", "{\"price\":1,}", "{\"pr\\u0069ce\":1}",
            "{\"price\":1,\"symbol\":\"caf\u00e9\"}",
        };
        AGREEMENT.assertLeftToJackson(jacksonDecides);
    }

    @Test
    void shouldAgreeWithJacksonOnRandomTicksAndOnEveryMutationOfThem() {
        Random r = new Random(11302026);
        AGREEMENT.agreeOnRandomRecordsAndTheirMutations(r, () -> randomTick(r), 10_000, "symbolpricesizets");
    }

    private static String randomTick(Random r) {
        List<String> fields = new ArrayList<>();
        fields.add(ScannerAgreement.field(r, "price", ScannerAgreement.randomNumber(r)));
        if (r.nextBoolean()) {
            fields.add(ScannerAgreement.field(r, "symbol", "\"" + ScannerAgreement.randomPlainString(r) + "\""));
        }
        if (r.nextBoolean()) {
            fields.add(ScannerAgreement.field(r, "size", r.nextInt(10) == 0 ? "null" : ScannerAgreement.randomNumber(r)));
        }
        if (r.nextBoolean()) {
            fields.add(ScannerAgreement.field(r, "ts", r.nextInt(10) == 0 ? "null" : Long.toString((long) (r.nextDouble() * 1e13))));
        }
        return ScannerAgreement.object(r, fields);
    }
}
