package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RejectionLogTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldLogTwentyLinesAMinuteThenSummariseTheRestByReasonWhenTheMinuteEndsWithoutAnotherRejection() {
        AtomicLong now = new AtomicLong(0);
        List<String> lines = new ArrayList<>();
        DeadLetters.RejectionLog log = new DeadLetters.RejectionLog(now::get, lines::add, false);
        for (int i = 0; i < 25; i++) {
            log.rejected("points-0@" + i, "dimension 2 expected, got " + (3 + i % 2));
        }
        for (int i = 0; i < 10; i++) {
            log.rejected("points-1@" + i, "coordinate 0 is Infinity; only finite numbers or missing values are accepted");
        }
        assertEquals(DeadLetters.RejectionLog.LINES_PER_WINDOW, lines.size(), "one line per record up to the limit");
        assertTrue(lines.get(0).startsWith("rejected record points-0@0: dimension 2 expected, got 3"), lines.get(0));
        now.set(30 * SECOND);
        log.flushIfDue();
        assertEquals(20, lines.size(), "nothing before the minute is over");
        now.set(61 * SECOND);
        log.flushIfDue(); // what the daemon thread does: the summary comes without waiting for another rejection
        assertEquals(21, lines.size());
        assertEquals("15 more records dead-lettered in the last 61 s, by reason: "
                + "{coordinate N is Infinity=10, dimension N expected, got N=5}", lines.get(20));
        log.rejected("points-0@99", "every coordinate of the point is missing");
        assertEquals(22, lines.size(), "a new minute: line by line again");
        now.set(200 * SECOND);
        log.flushIfDue();
        assertEquals(22, lines.size(), "no summary when everything was logged line by line");
    }
}
