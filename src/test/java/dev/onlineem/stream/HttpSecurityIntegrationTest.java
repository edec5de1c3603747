package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.http.HttpApi;
import dev.onlineem.serde.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API locked down: loopback by default, a token on every path but health, HTTPS from a keystore, and the raw
 * points switched off; on a real processor and broker.
 */
@Tag("integration")
class HttpSecurityIntegrationTest {
    private static final String TOKEN = "s3cret-t0ken";
    private static final String PASSWORD = "changeit";

    @TempDir
    Path tmp;

    /** A self-signed certificate for localhost and 127.0.0.1 in a PKCS12 keystore, by the JDK's keytool. */
    private Path keystore() throws Exception {
        Path ks = tmp.resolve("http.p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-keyalg", "RSA",
                "-keysize", "2048", "-alias", "online-em", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "keytool: " + out);
        return ks;
    }

    private static HttpClient trusting(Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpResponse<String> get(HttpClient client, String url, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldListenOnLoopbackAndServeNothingButHealthWithoutTheTokenOverHttps() throws Exception {
        Path keystore = keystore();
        HttpClient client = trusting(keystore);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            Map<String, Object> settings = StreamingIntegrationTest.config(broker.bootstrapServers(), "sec-", tmp.resolve("state"));
            settings.put("http.port", String.valueOf(HttpApiIntegrationTest.freePort()));
            settings.put("http.auth.token", TOKEN);
            settings.put("http.ssl.keystore.location", keystore.toString());
            settings.put("http.ssl.keystore.password", PASSWORD);
            settings.put("http.ssl.truststore.location", keystore.toString());
            settings.put("http.ssl.truststore.password", PASSWORD);
            settings.put("http.recent.enabled", "false");
            OnlineEmConfig config = new OnlineEmConfig(settings);
            try (StreamApp app = StreamApp.start(config, 1); HttpApi api = HttpApi.start(app, config)) {
                assertTrue(api.address().getAddress().isLoopbackAddress(), "listens on " + api.address() + " without http.bind.address");
                assertEquals("127.0.0.1:" + api.port(), config.streamsProperties().get("application.server"),
                        "application.server follows the bind address");
                app.awaitRunning(Duration.ofSeconds(60));
                HttpApiIntegrationTest.produce(broker.bootstrapServers(), config.pointsTopic());
                String base = "https://localhost:" + api.port();
                String bearer = "Bearer " + TOKEN;
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (get(client, base + "/models/m-0", bearer).statusCode() != 200) {
                    assertTrue(System.nanoTime() < deadline, "model m-0 not served with the token");
                    Thread.sleep(200);
                }
                // without the token (or with a wrong one): 401 with the challenge, and nothing of the model
                for (String path : List.of("/", "/models", "/models/m-0", "/models/m-0/recent", "/metrics", "/dashboard.js", "/nothing")) {
                    for (String auth : new String[] {null, "Bearer wrong", "Basic " + base64("user:wrong"), "Bearer"}) {
                        HttpResponse<String> r = get(client, base + path, auth);
                        assertEquals(401, r.statusCode(), path + " with " + auth);
                        assertTrue(r.headers().allValues("WWW-Authenticate").stream().anyMatch(v -> v.startsWith("Basic")), path);
                        JsonNode body = Json.mapper().readTree(r.body());
                        assertEquals(List.of("error"), iterate(body), path + ": " + r.body());
                        assertTrue(!r.body().contains("m-0") && !r.body().contains("weights"), r.body());
                    }
                }
                // health answers an orchestrator without the token
                assertEquals(200, get(client, base + "/health/live", null).statusCode());
                assertEquals(200, get(client, base + "/health/ready", null).statusCode());
                // the token as bearer or as basic authentication's password (how a browser opens the dashboard)
                assertEquals(200, get(client, base + "/models", bearer).statusCode());
                assertEquals(200, get(client, base + "/", "Basic " + base64("anyone:" + TOKEN)).statusCode());
                assertTrue(get(client, base + "/metrics", bearer).body().contains("onlineem_points_total"));
                HttpResponse<String> model = get(client, base + "/models/m-0", bearer);
                assertTrue(Json.mapper().readTree(model.body()).has("weights"), model.body());
                // the raw points are switched off
                HttpResponse<String> recent = get(client, base + "/models/m-0/recent", bearer);
                assertEquals(404, recent.statusCode());
                assertTrue(recent.body().contains("http.recent.enabled=false"), recent.body());
                // HTTPS only: plain HTTP on the port gets no answer
                HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
                assertThrows(IOException.class, () -> get(plain, "http://localhost:" + api.port() + "/health/live", null));
            }
        }
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> iterate(JsonNode n) {
        java.util.List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
