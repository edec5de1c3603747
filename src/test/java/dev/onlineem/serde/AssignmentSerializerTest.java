package dev.onlineem.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class AssignmentSerializerTest {
    private final AssignmentSerializer fast = new AssignmentSerializer();
    private final JsonSerializer<AssignmentMessage> bound = new JsonSerializer<>();

    @Test
    void shouldWriteExactlyWhatDataBindingWritesForEveryShapeOfAssignment() {
        List<AssignmentMessage> cases = List.of(
                new AssignmentMessage("m", "p1", 17L, null, null, null, null, null, null, null, false, null, 0, 3, true),
                new AssignmentMessage("m", null, 17L, null, null, null, null, null, null, null, false, null, 0, 3, true),
                new AssignmentMessage("sensor-\"7\"", "p\u00e9\n", -5L, 1, new double[] {0.25, 0.75, 1e-300}, null, null, -7.297236, 0.000999, 0.5,
                        true, null, 500, 512, false),
                new AssignmentMessage("m", "gap", 1_700_000_000_000L, 0, new double[] {1.0, 0.0}, null, null, -1e300, 1.0, 0.0, false,
                        new double[] {1.5, 3.0000000000000004, -0.0}, 900, 901, false),
                new AssignmentMessage("fx-1", "bar-9", 60_000L, null, null, 1, new double[] {0.03, 0.97}, -2.5, 0.4, 0.1, false,
                        null, 900, 901, false));
        for (AssignmentMessage a : cases) {
            assertEquals(new String(bound.serialize("t", a), StandardCharsets.UTF_8), new String(fast.serialize("t", a), StandardCharsets.UTF_8));
        }
    }
}
