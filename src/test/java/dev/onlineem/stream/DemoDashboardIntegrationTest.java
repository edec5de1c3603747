package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * {@code demo} as a user runs it (its own JVM, the embedded broker, the dashboard kept up): the console shows
 * the demo's lines and no log line; every endpoint answers while it runs; and headless Chromium, driven by
 * Selenium through Debian's chromedriver, draws the model that {@code /models/{id}} returns, with a flagged
 * anomaly, and leaves a screenshot in {@code target/dashboard.png}.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoDashboardIntegrationTest {
    static final Path CHROMIUM = Path.of(System.getProperty("chromium.binary", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver"));
    /** slf4j-simple's layout: "HH:mm:ss.SSS [thread] LEVEL logger - message". */
    static final Pattern LOG_LINE = Pattern.compile("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[[^]]*\\] [A-Z]+ .*");

    Process demo;
    final List<String> console = Collections.synchronizedList(new ArrayList<>());
    String base;
    Path logFile;

    private List<String> consoleLines() {
        synchronized (console) {
            return new ArrayList<>(console);
        }
    }

    @BeforeAll
    void startDemo() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.onlineem.cli.Main",
                "demo", "--points", "9000", "--bars", "300", "--http-port", "0", "--timeout", "240");
        demo = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8));
        Thread reader = new Thread(() -> out.lines().forEach(console::add), "demo-console");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        // the reader thread appends while this one reads: every read of the list is of a copy taken under its lock
        while (consoleLines().stream().noneMatch(l -> l.startsWith("The dashboard stays up at"))) {
            assertTrue(demo.isAlive(), "the demo ended:\n" + String.join("\n", consoleLines()));
            assertTrue(System.nanoTime() < deadline, "the demo did not finish its points:\n" + String.join("\n", consoleLines()));
            Thread.sleep(200);
        }
        Matcher m = Pattern.compile("^Dashboard: (http://localhost:\\d+)/ .*").matcher(console.get(0));
        assertTrue(m.matches(), "the first line names the dashboard: " + console.get(0));
        base = m.group(1);
        Matcher f = Pattern.compile("^Logs of the broker and the processor: (\\S+) .*").matcher(console.get(1));
        assertTrue(f.matches(), "the second line names the log file: " + console.get(1));
        logFile = Path.of(f.group(1));
    }

    @AfterAll
    void stopDemo() throws Exception {
        if (demo != null) {
            demo.destroy(); // SIGTERM, as Ctrl-C
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), "the demo did not stop on SIGTERM");
        }
        if (logFile != null) {
            Files.deleteIfExists(logFile);
        }
    }

    @Test
    void shouldShowOnlyTheDemosOwnLinesOnTheConsoleAndKeepKafkasLogsInTheNamedFile() throws Exception {
        List<String> logLines;
        synchronized (console) {
            logLines = console.stream().filter(l -> LOG_LINE.matcher(l).matches()).toList();
        }
        assertEquals(List.of(), logLines, "log lines on the console");
        assertTrue(Files.exists(logFile), logFile + " exists");
        List<String> errors = Files.readAllLines(logFile, StandardCharsets.UTF_8).stream().filter(l -> l.contains(" ERROR ")).toList();
        assertEquals(List.of(), errors, "ERROR lines in a clean demo's log file");
    }

    @Test
    void shouldAnswerHealthModelsModelAndMetricsWhileTheDemoRuns() throws Exception {
        JsonNode ready = HttpTestSupport.await200(base + "/health/ready", Duration.ofSeconds(30)).json();
        assertEquals("UP", ready.get("status").asText());
        assertEquals(200, HttpTestSupport.get(base + "/health/live").status());

        JsonNode list = HttpTestSupport.get(base + "/models").json();
        Set<String> ids = new TreeSet<>();
        list.get("models").forEach(m -> ids.add(m.get("model").asText()));
        assertEquals(Set.of("calm-feed", "drift-sensor", "gaps-meter", "ticks/ALPHA", "ticks/BETA"), ids, list.toString());

        JsonNode drift = HttpTestSupport.get(base + "/models/drift-sensor").json();
        assertEquals(3000, drift.get("pointsSeen").asLong());
        assertEquals(3, drift.get("components").asInt());
        double sum = 0;
        for (JsonNode w : drift.get("weights")) {
            sum += w.asDouble();
        }
        assertEquals(1.0, sum, 1e-9);
        assertTrue(drift.get("recent").get("anomalies").asLong() >= 1, "a flagged point among the recent ones: " + drift.get("recent"));
        JsonNode hmm = HttpTestSupport.get(base + "/models/ticks%2FALPHA").json();
        assertEquals("hmm", hmm.get("type").asText(), hmm.toString());

        HttpTestSupport.Reply metrics = HttpTestSupport.get(base + "/metrics");
        assertTrue(HttpTestSupport.sample(metrics.body(), "onlineem_points_total") >= 9000 + 2 * 300, "points scored");
        assertTrue(HttpTestSupport.sample(metrics.body(), "onlineem_anomalies_total") >= 1, "anomalies");
        assertNotNull(HttpTestSupport.sample(metrics.body(), "onlineem_repairs_total"), "drift repair's counter");
        assertNotNull(HttpTestSupport.sample(metrics.body(), "onlineem_repeats_total"), "the repeat rule's counter");
        if (HttpTestSupport.prometheusParserAvailable()) {
            assertTrue(HttpTestSupport.parsePrometheus(metrics.body()).size() > 50);
        }
        assertEquals(404, HttpTestSupport.get(base + "/models/nope").status());
    }

    @Test
    void shouldDrawTheServedModelAndAFlaggedAnomalyInHeadlessChromium() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no browser: " + CHROMIUM + " and " + CHROMEDRIVER + " are needed (apt-get install chromium chromium-driver; .ci/run installs them)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1300,1500");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log")).build();
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            browser.get(base + "/?model=drift-sensor");
            JsonNode served = HttpTestSupport.get(base + "/models/drift-sensor").json();
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
            wait.until(d -> served.get("version").asText().equals(d.findElement(By.id("scatter")).getAttribute("data-version"))
                    && d.findElements(By.cssSelector("#scatter path.component")).size() == served.get("components").asInt()
                    && !d.findElements(By.cssSelector("#scatter circle.anomaly")).isEmpty()
                    && d.findElements(By.cssSelector("#weights polyline")).size() == served.get("components").asInt());

            List<WebElement> comps = browser.findElements(By.cssSelector("#scatter path.component"));
            for (WebElement c : comps) {
                int k = Integer.parseInt(c.getAttribute("data-component"));
                String[] mean = c.getAttribute("data-mean").split(",");
                assertEquals(served.get("means").get(k).get(0).asDouble(), Double.parseDouble(mean[0]), 0, "component " + k + " x");
                assertEquals(served.get("means").get(k).get(1).asDouble(), Double.parseDouble(mean[1]), 0, "component " + k + " y");
                assertEquals(served.get("weights").get(k).asDouble(), Double.parseDouble(c.getAttribute("data-weight")), 0, "weight " + k);
            }
            assertTrue(browser.findElements(By.cssSelector("#scatter circle.pt")).size() > 100, "the recent points are drawn");
            assertTrue(!browser.findElements(By.cssSelector("#density circle.flag")).isEmpty(), "the flagged point on the log-density chart");
            assertEquals("drift-sensor", browser.findElement(By.id("model")).getAttribute("value"));
            Path shot = Path.of("target", "dashboard.png");
            Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), shot, StandardCopyOption.REPLACE_EXISTING);
            assertTrue(Files.size(shot) > 10_000, "screenshot " + shot);
        } finally {
            browser.quit();
        }
    }
}
