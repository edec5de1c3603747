package dev.onlineem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void shouldRejectAMalformedShapeNamingTheOption() {
        FitCommandTest.Output o = FitCommandTest.run("bench", "--shapes", "4by2");
        assertEquals(2, o.exit());
        assertTrue(o.err().contains("--shapes 4by2 is invalid"), o.err());
    }

    @Test
    void shouldFindTheLatencyIndexInInputAndAssignmentJson() {
        assertEquals(42, Workload.latencyIndex("{\"id\":\"L42\",\"ts\":1,\"x\":[1.0]}".getBytes()));
        assertEquals(7, Workload.latencyIndex("{\"model\":\"bench-1\",\"id\":\"L7\",\"ts\":1}".getBytes()));
        assertEquals(-1, Workload.latencyIndex("{\"id\":\"t7\"}".getBytes()));
    }

    @Test
    void shouldDrawEachModelsPointsIndependently() {
        // a model's consecutive points come from the same one of K = 4 components a quarter of the time, and their noise
        // is uncorrelated (the generator before this test: 99% and a lag-1 autocorrelation of 0.32)
        Workload w = new Workload(4, 2, 4, 400_000, 0, 11);
        int same = 0;
        int pairs = 0;
        double lag = 0;
        double sq = 0;
        double[] mu = new double[2];
        for (int i = 4; i < 400_000; i += 4) {
            same += w.component(i) == w.component(i - 4) ? 1 : 0;
            pairs++;
            double[] a = w.values(i);
            double[] b = w.values(i - 4);
            lag += (a[0] - b[0]) * (a[0] - b[0]);
            sq += a[0] * a[0];
            mu[0] += a[0];
        }
        double share = (double) same / pairs;
        assertTrue(Math.abs(share - 0.25) < 0.01, "consecutive points from the same component: " + share);
        // E (x_t - x_t-1)^2 = 2 Var x for independent draws
        double var = sq / pairs - (mu[0] / pairs) * (mu[0] / pairs);
        double ratio = lag / pairs / (2 * var);
        assertTrue(Math.abs(ratio - 1) < 0.02, "mean squared difference over twice the variance: " + ratio);
    }

    @Tag("integration")
    @Test
    void shouldMeasureBothTopologiesEndToEndOnTheEmbeddedBrokerInAlternatingRounds() {
        FitCommandTest.Output o = FitCommandTest.run("bench", "--shapes", "2x3", "--points", "3000", "--warmup", "600",
                "--latency-points", "200", "--rate", "400", "--no-jit-warmup", "--rounds", "2");
        assertEquals(0, o.exit(), o.err());
        assertTrue(o.out().contains("round 1: passthrough") && o.out().contains("round 2: passthrough"), o.out());
        assertTrue(Pattern.compile("throughput ratio online EM / passthrough: [\\d.]+ \\(median; rounds [\\d.]+, [\\d.]+\\)").matcher(o.out()).find(),
                o.out());
        Matcher pass = Pattern.compile("passthrough +([\\d,]+) +([\\d.]+) +([\\d.]+)").matcher(o.out());
        Matcher em = Pattern.compile("online EM +([\\d,]+) +([\\d.]+) +([\\d.]+)").matcher(o.out());
        assertTrue(pass.find() && em.find(), o.out());
        for (Matcher m : new Matcher[] {pass, em}) {
            assertTrue(Double.parseDouble(m.group(1).replace(",", "")) > 0, o.out());
            assertTrue(Double.parseDouble(m.group(2)) <= Double.parseDouble(m.group(3)), "p50 <= p99: " + o.out());
        }
        assertTrue(o.out().contains("throughput ratio online EM / passthrough"), o.out());
    }
}
