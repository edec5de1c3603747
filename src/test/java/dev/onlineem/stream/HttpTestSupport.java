package dev.onlineem.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.serde.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An HTTP client for the service's API in tests, and Prometheus' own text-format parser (Python's prometheus_client). */
final class HttpTestSupport {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Debian's python3 (not whatever python3 comes first on PATH), where python3-prometheus-client installs the parser. */
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private HttpTestSupport() {
    }

    record Reply(int status, String body, String contentType) {
        JsonNode json() {
            try {
                return Json.mapper().readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (HTTP " + status + "): " + body, e);
            }
        }
    }

    static Reply get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build());
    }

    static Reply send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Reply(r.statusCode(), r.body(), r.headers().firstValue("Content-Type").orElse(""));
    }

    /** GETs until the status is 200 or the deadline passes; the last reply. */
    static Reply await200(String url, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Reply last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = get(url);
                if (last.status() == 200) {
                    return last;
                }
            } catch (IOException notYet) {
                // the server is not up yet
            }
            Thread.sleep(250);
        }
        throw new AssertionError(url + " did not answer 200 within " + timeout + "; last: " + (last == null ? "no answer" : last.status() + " " + last.body()));
    }

    /** Whether Prometheus' Python client (its text-format parser) is installed. */
    static boolean prometheusParserAvailable() {
        try {
            return Files.isExecutable(PYTHON) && python("import prometheus_client.parser", "").exit == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * Parses an exposition with {@code prometheus_client.parser.text_string_to_metric_families}, the reference
     * parser of Prometheus' Python client; the families as "name type samples" lines.
     */
    static List<String> parsePrometheus(String exposition) throws Exception {
        Result r = python("import sys\n"
                + "from prometheus_client.parser import text_string_to_metric_families\n"
                + "for f in text_string_to_metric_families(sys.stdin.read()):\n"
                + "    print(f.name, f.type, len(f.samples))\n", exposition);
        if (r.exit != 0) {
            throw new AssertionError("Prometheus' parser rejected the exposition:\n" + r.output);
        }
        return List.of(r.output.split("\n"));
    }

    private record Result(int exit, String output) {
    }

    private static Result python(String script, String stdin) throws Exception {
        Process p = new ProcessBuilder(PYTHON.toString(), "-c", script).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the parser did not finish");
        }
        return new Result(p.exitValue(), out.strip());
    }

    /** The value of one sample line ({@code name{labels} value}) of an exposition, or null when absent. */
    static Double sample(String exposition, String nameAndLabels) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(nameAndLabels + " ")) {
                return Double.parseDouble(line.substring(nameAndLabels.length() + 1).trim());
            }
        }
        return null;
    }

    /** Every sample of a metric name (any labels), as its lines. */
    static List<String> samples(String exposition, String name) {
        List<String> out = new ArrayList<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                out.add(line);
            }
        }
        return out;
    }
}
