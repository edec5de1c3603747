package dev.onlineem.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each example in {@code examples/} runs as its README says, and does what it says. */
class ExamplesTest {

    @Test
    void shouldFlagTheMachineRoomFailureInTheAnomalyFeedExample(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("scores.csv");
        // run.sh calls target/online-em.jar, which `mvn test` has not built: its score command runs in this JVM instead
        FitCommandTest.Output o = FitCommandTest.run("score", "--input", "examples/anomaly-feed/ambient_temperature_system_failure.csv",
                "--columns", "value", "--time-column", "timestamp", "--out", out.toString());
        assertEquals(0, o.exit(), o.err());
        String script = Files.readString(Path.of("examples/anomaly-feed/run.sh"));
        assertTrue(script.contains("score --input examples/anomaly-feed/ambient_temperature_system_failure.csv \\\n    --columns value "
                + "--time-column timestamp"), "run.sh runs the command tested here");
        List<String> flagged = Files.readAllLines(out, StandardCharsets.UTF_8).stream().skip(1)
                .filter(l -> l.split(",", -1)[3].equals("true")).toList();
        assertTrue(flagged.size() <= 10, "at most 10 alerts: " + flagged);
        // NAB's window of the system failure: 2013-12-15 07:00 to 2013-12-30 09:00
        assertTrue(flagged.stream().map(l -> l.substring(0, 16)).anyMatch(t -> t.compareTo("2013-12-15 07:00") >= 0
                && t.compareTo("2013-12-30 09:00") <= 0), "the failure's window is flagged: " + flagged);
    }

    @Test
    void shouldFindACalmAndAVolatileRegimeInTheUsdChfTicksOfTheMarketRegimesExample(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("regimes.csv");
        FitCommandTest.Output o = FitCommandTest.run("score", "--input", "examples/market-regimes/usdchf-30min.csv", "--ticks", "--columns", "USDCHF",
                "--time-column", "time", "--model", "hmm", "--k", "2", "-D", "ticks.bar.ms=86400000", "-D", "ticks.features=volatility,return",
                "--out", out.toString());
        assertEquals(0, o.exit(), o.err());
        String script = Files.readString(Path.of("examples/market-regimes/run.sh"));
        assertTrue(script.contains("score --input examples/market-regimes/usdchf-30min.csv --ticks --columns USDCHF \\\n"
                + "    --time-column time --model hmm --k 2 -D ticks.bar.ms=86400000 -D ticks.features=volatility,return"), "run.sh runs the command tested here");
        assertTrue(o.err().startsWith("scored 844 bars of 40560 ticks"), o.err());
        List<String[]> bars = Files.readAllLines(out, StandardCharsets.UTF_8).stream().skip(1).map(l -> l.split(",", -1))
                .filter(c -> !c[10].isEmpty()).toList();
        double[] volatility = new double[2];
        int[] days = new int[2];
        int switches = 0;
        for (int i = 0; i < bars.size(); i++) {
            int regime = Integer.parseInt(bars.get(i)[10]);
            volatility[regime] += Double.parseDouble(bars.get(i)[3]);
            days[regime]++;
            switches += i > 0 && !bars.get(i)[10].equals(bars.get(i - 1)[10]) ? 1 : 0;
        }
        // the HMM numbers its regimes by the first feature's mean: regime 1 is the volatile one
        assertTrue(volatility[1] / days[1] > 1.3 * volatility[0] / days[0], "the volatile regime's days are at least 1.3 times as volatile: "
                + volatility[0] / days[0] + " and " + volatility[1] / days[1]);
        assertTrue(days[0] > 100 && days[1] > 100, "both regimes hold: " + days[0] + " and " + days[1] + " days");
        // regimes, not day-to-day flicker (this run: 4.2 days on average)
        assertTrue(bars.size() / (switches + 1.0) >= 3, "a regime lasts 3 days or more on average: " + switches + " switches in " + bars.size() + " days");
    }

    @Test
    void shouldSegmentThePictureIntoTheFittedComponentsColours(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("segmented.png");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "examples/image-segmentation/Segment.java",
                "docs/astronaut.png", out.toString(), "4").redirectErrorStream(true).start();
        String console = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(3, TimeUnit.MINUTES), console);
        assertEquals(0, p.exitValue(), console);
        BufferedImage original = ImageIO.read(Path.of("docs/astronaut.png").toFile());
        BufferedImage seg = ImageIO.read(out.toFile());
        assertEquals(original.getWidth(), seg.getWidth());
        assertEquals(original.getHeight(), seg.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < seg.getHeight(); y++) {
            for (int x = 0; x < seg.getWidth(); x++) {
                colours.add(seg.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertTrue(colours.size() >= 2 && colours.size() <= 4, "one colour per segment, at most K = 4: " + colours.size() + "\n" + console);
        assertTrue(console.contains("in 4 segments"), console);
    }
}
