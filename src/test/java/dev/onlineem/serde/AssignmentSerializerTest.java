package dev.onlineem.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AssignmentSerializerTest {
    private final AssignmentSerializer fast = new AssignmentSerializer();
    private final JsonSerializer<AssignmentMessage> bound = new JsonSerializer<>();

    @Test
    void shouldWriteExactlyWhatDataBindingWritesForEveryShapeOfAssignment() {
        List<AssignmentMessage> cases = List.of(
                AssignmentMessage.warmup("m", "p1", 17L, 0, 3),
                AssignmentMessage.warmup("m", null, 17L, 0, 3),
                AssignmentMessage.provisional("m", "p2", 17L, -3.25, 0.01, 0.3, false, 0, 12),
                AssignmentMessage.cluster("sensor-\"7\"", "p\u00e9\n", -5L, 1, new double[] {0.25, 0.75, 1e-300}, -7.297236, 0.000999, 0.5,
                        true, null, 500, 512),
                AssignmentMessage.cluster("m", "gap", 1_700_000_000_000L, 0, new double[] {1.0, 0.0}, -1e300, 1.0, 0.0, false,
                        new double[] {1.5, 3.0000000000000004, -0.0}, 900, 901),
                AssignmentMessage.cluster("m", "compact", 1_700_000_000_000L, 0, new double[] {0.5, 0.5}, -2.0, 0.5, 0.1, false, null, 900, 901)
                        .compact(),
                AssignmentMessage.regime("fx-1", "bar-c", 60_000L, 1, new double[] {0.03, 0.97}, -2.5, 0.4, 0.1, true, null, 900, 901).compact(),
                AssignmentMessage.warmup("m", "p1", 17L, 0, 3).compact(),
                AssignmentMessage.warmup("m", null, 17L, 0, 3).compact(),
                AssignmentMessage.provisional("m", "p2", 17L, -3.25, 0.01, 0.3, false, 0, 12).compact(),
                AssignmentMessage.regime("fx-1", "bar-9", 60_000L, 1, new double[] {0.03, 0.97}, -2.5, 0.4, 0.1, false, null, 900, 901));
        for (AssignmentMessage a : cases) {
            assertEquals(new String(bound.serialize("t", a), StandardCharsets.UTF_8), new String(fast.serialize("t", a), StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldWriteTheCompactRecordWithTheScoresAndWithoutModelIdVectorsPointsSeenOrAFalseWarmupFlag() {
        AssignmentMessage full = AssignmentMessage.cluster("sensor-7", "evt-17", 1_732_000_000_000L, 1, new double[] {0.25, 0.75}, -3.21, 0.42,
                0.11, false, new double[] {1.5, 2.0}, 5120, 5121);
        assertEquals("{\"id\":\"evt-17\",\"ts\":1732000000000,\"cluster\":1,\"logDensity\":-3.21,\"pValue\":0.42,\"anomalyScore\":0.11,"
                + "\"anomaly\":false,\"modelVersion\":5120}", new String(fast.serialize("t", full.compact()), StandardCharsets.UTF_8));
        assertEquals("{\"id\":\"p2\",\"ts\":17,\"logDensity\":-3.25,\"pValue\":0.01,\"anomalyScore\":0.3,\"anomaly\":false,\"modelVersion\":0,"
                + "\"warmup\":true,\"provisional\":true}",
                new String(fast.serialize("t", AssignmentMessage.provisional("m", "p2", 17L, -3.25, 0.01, 0.3, false, 0, 12).compact()),
                        StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteExactlyWhatDataBindingWritesForRandomAssignmentsOnBothPaths() {
        Random r = new Random(3);
        String[] ids = {"m", "sensor-7", "a b/c:d", "quote\"d", "back\\slash", "tab\t", "\u00e9t\u00e9", "\ud83d\ude00", "del\u007f", ""};
        for (int i = 0; i < 20_000; i++) {
            double[] resp = r.nextBoolean() ? randomDoubles(r, 1 + r.nextInt(8)) : null;
            double[] imputed = r.nextInt(4) == 0 ? randomDoubles(r, 1 + r.nextInt(4)) : null;
            boolean hmm = r.nextInt(3) == 0;
            AssignmentMessage a = new AssignmentMessage(r.nextInt(4) == 0 ? null : ids[r.nextInt(ids.length)], r.nextBoolean() ? ids[r.nextInt(ids.length)] + i : null,
                    r.nextLong(), hmm || resp == null ? null : r.nextInt(8), hmm ? null : resp, hmm ? r.nextInt(5) : null, hmm ? resp : null,
                    r.nextBoolean() ? randomDouble(r) : null, r.nextBoolean() ? randomDouble(r) : null,
                    r.nextBoolean() ? randomDouble(r) : null, r.nextBoolean(), r.nextInt(3) == 0 ? Boolean.valueOf(r.nextBoolean()) : null,
                    r.nextInt(3) == 0 ? Boolean.valueOf(r.nextBoolean()) : null, imputed, r.nextLong(), r.nextInt(4) == 0 ? null : r.nextLong(),
                    r.nextInt(4) == 0 ? null : r.nextBoolean(),
                    r.nextInt(3) == 0 ? Boolean.TRUE : null);
            byte[] expected = bound.serialize("t", a);
            assertArrayEquals(expected, fast.serialize("t", a), () -> new String(expected, StandardCharsets.UTF_8));
        }
    }

    private static double[] randomDoubles(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = randomDouble(r);
        }
        return v;
    }

    /** Probabilities, log-densities, huge, tiny and subnormal magnitudes, signed zeros, integers, and now and then a non-finite value. */
    private static double randomDouble(Random r) {
        switch (r.nextInt(9)) {
            case 0: return r.nextDouble();
            case 1: return -50 * r.nextDouble();
            case 2: return Double.longBitsToDouble(r.nextLong()); // any bit pattern: NaN and infinities included
            case 3: return r.nextGaussian() * Math.pow(10, r.nextInt(600) - 300);
            case 4: return Double.MIN_VALUE * r.nextInt(1000);
            case 5: return r.nextBoolean() ? 0.0 : -0.0;
            case 6: return r.nextInt(2000) - 1000;
            case 7: return r.nextInt(50) == 0 ? Double.NaN : 1e-3 * r.nextInt(1000);
            default: return Math.exp(-700 * r.nextDouble());
        }
    }
}
