package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code demo --exit} with its defaults, as a new user first runs it (its own JVM, the embedded broker): every
 * model ends within 1% of its generator's truth (drift-sensor after its jump), every injected anomaly is caught,
 * and the calm stream raises at most one false alarm per 10,000 points.
 */
@Tag("integration")
class DemoSummaryIntegrationTest {
    static final Pattern MODEL = Pattern.compile("^(\\S+) \\(.*\\): [\\d,]+ points$");
    static final Pattern ANOMALIES = Pattern.compile(
            "^  anomalies: (\\d+) of (\\d+) injected caught; (\\d+) other points? flagged \\(([\\d.]+) per 10,000 points;.*");
    static final Pattern GAP = Pattern.compile("^  held-out mean log-likelihood (below|above) the truth's by ([\\d.]+)%.*");

    @Test
    void shouldEndEveryModelWithinOnePercentOfItsTruthCatchingEveryInjectedAnomaly() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process demo = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.onlineem.cli.Main",
                "demo", "--exit", "--http-port", "0", "--timeout", "240").redirectErrorStream(true).start();
        List<String> console = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
            out.lines().forEach(console::add);
        }
        assertTrue(demo.waitFor(5, TimeUnit.MINUTES), "the demo did not exit");
        String all = String.join("\n", console);
        assertEquals(0, demo.exitValue(), all);

        String model = null;
        List<String> checked = new ArrayList<>();
        for (String line : console) {
            Matcher m = MODEL.matcher(line);
            if (m.matches()) {
                model = m.group(1);
                continue;
            }
            Matcher a = ANOMALIES.matcher(line);
            if (a.matches()) {
                assertEquals(a.group(2), a.group(1), model + " catches every injected anomaly:\n" + all);
                if (model.startsWith("calm-")) {
                    assertTrue(Double.parseDouble(a.group(4)) <= 1.0, model + " false alarms per 10,000:\n" + all);
                }
            }
            Matcher g = GAP.matcher(line);
            if (g.matches()) {
                double gap = g.group(1).equals("below") ? Double.parseDouble(g.group(2)) : -Double.parseDouble(g.group(2));
                assertTrue(gap <= 1.0, model + " ends " + gap + "% below its truth:\n" + all);
                checked.add(model);
            }
        }
        assertEquals(List.of("drift-sensor", "gaps-meter", "calm-feed"), checked, all);
    }
}
