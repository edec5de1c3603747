package dev.onlineem.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.serde.Json;
import dev.onlineem.stream.StreamApp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP side, read-only: live models, health, Prometheus metrics and the dashboard.
 *
 * <pre>
 * GET /                      the dashboard (static page, plain SVG)
 * GET /models                every model of the application: id, points seen, version, last point time
 * GET /models/{id}           its snapshot (the models topic's JSON) plus feature state and recent anomalies
 * GET /models/{id}/recent    its last points as scored and its weights over time (the dashboard's data)
 * GET /health/live           200 unless the processor has failed or stopped
 * GET /health/ready          200 only while RUNNING with every store restored
 * GET /metrics               Prometheus text format: Kafka Streams' metrics, the JVM's, and ours
 * </pre>
 *
 * A model is answered by the instance whose active task owns its key; another instance forwards the request
 * to it (the owner's {@code application.server}), so any instance serves any model.
 *
 * <p>Safe by default: it listens on 127.0.0.1 unless {@code http.bind.address} says otherwise; with {@code http.auth.token}
 * every path but {@code /health/*} needs the token (bearer, or basic authentication's password) and a request without it gets
 * 401 and nothing else; with {@code http.ssl.keystore.location} it speaks HTTPS only (and forwards over HTTPS);
 * {@code http.recent.enabled=false} switches off the one path that serves raw points. Ids go in the path
 * percent-encoded ({@code ticks%2FALPHA}). Built on the JDK's own server: a handful of requests per second from
 * an orchestrator, Prometheus and a browser need no servlet stack, and the service gains no dependency.
 */
public final class HttpApi implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    /** Set on a forwarded request, so that it is never forwarded again (ownership may move meanwhile). */
    static final String FORWARDED = "X-Online-Em-Forwarded";

    private final HttpServer server;
    private final ExecutorService executor;
    private final KafkaStreams streams;
    private final ModelQueries queries;
    private final Metrics metrics;
    private final StreamApp app;
    private final HttpClient client;
    /** The token's bytes, or null when no authentication is required. */
    private final byte[] token;
    private final boolean recentEnabled;
    private final String scheme;

    private HttpApi(StreamApp app, OnlineEmConfig config, HttpServer server, ExecutorService executor, SSLContext clientTls) {
        this.app = app;
        Password t = config.getPassword(OnlineEmConfig.HTTP_AUTH_TOKEN_CONFIG);
        this.token = t == null || t.value().isEmpty() ? null : t.value().getBytes(StandardCharsets.UTF_8);
        this.recentEnabled = config.getBoolean(OnlineEmConfig.HTTP_RECENT_ENABLED_CONFIG);
        this.scheme = clientTls == null ? "http" : "https";
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2));
        this.client = (clientTls == null ? b : b.sslContext(clientTls)).build();
        this.streams = app.streams();
        this.server = server;
        this.executor = executor;
        HostInfo self = HostInfo.buildFromEndpoint(String.valueOf(config.streamsProperties().get(StreamsConfig.APPLICATION_SERVER_CONFIG)));
        this.queries = new ModelQueries(streams, app.liveView(), self, config.getInt(OnlineEmConfig.CHECKPOINT_POINTS_CONFIG));
        this.metrics = new Metrics(streams, app.liveView(), app.restoreTracker());
    }

    /** Starts the server of a processor started with {@code http.port} set, on that port. */
    public static HttpApi start(StreamApp app, OnlineEmConfig config) throws IOException {
        if (app.liveView() == null) {
            throw new IllegalStateException("the processor was started without http.port");
        }
        InetSocketAddress address = new InetSocketAddress(config.getString(OnlineEmConfig.HTTP_BIND_ADDRESS_CONFIG), config.httpPort());
        String keystore = config.getString(OnlineEmConfig.HTTP_SSL_KEYSTORE_LOCATION_CONFIG);
        HttpServer server;
        SSLContext clientTls = null;
        if (keystore == null || keystore.isBlank()) {
            server = HttpServer.create(address, 64);
        } else {
            HttpsServer https = HttpsServer.create(address, 64);
            https.setHttpsConfigurator(new HttpsConfigurator(serverTls(config)));
            server = https;
            clientTls = clientTls(config);
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "online-em-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        HttpApi api = new HttpApi(app, config, server, executor, clientTls);
        server.createContext("/", api::handle);
        server.start();
        return api;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The address the server listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private static char[] chars(Password p) {
        return p == null ? null : p.value().toCharArray();
    }

    /** The server's key and certificate from http.ssl.keystore.*; a setting that does not open names itself. */
    private static SSLContext serverTls(OnlineEmConfig config) {
        String location = config.getString(OnlineEmConfig.HTTP_SSL_KEYSTORE_LOCATION_CONFIG);
        char[] password = chars(config.getPassword(OnlineEmConfig.HTTP_SSL_KEYSTORE_PASSWORD_CONFIG));
        char[] keyPassword = chars(config.getPassword(OnlineEmConfig.HTTP_SSL_KEY_PASSWORD_CONFIG));
        try {
            KeyStore ks = load(location, config.getString(OnlineEmConfig.HTTP_SSL_KEYSTORE_TYPE_CONFIG), password);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, keyPassword != null ? keyPassword : password);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(OnlineEmConfig.HTTP_SSL_KEYSTORE_LOCATION_CONFIG + " = " + location + " cannot be used: " + e.getMessage()
                    + " (check the file, " + OnlineEmConfig.HTTP_SSL_KEYSTORE_PASSWORD_CONFIG + " and " + OnlineEmConfig.HTTP_SSL_KEYSTORE_TYPE_CONFIG + ")", e);
        }
    }

    /** What a forwarding instance trusts: http.ssl.truststore.*, or the JVM's default. */
    private static SSLContext clientTls(OnlineEmConfig config) {
        String location = config.getString(OnlineEmConfig.HTTP_SSL_TRUSTSTORE_LOCATION_CONFIG);
        try {
            if (location == null || location.isBlank()) {
                return SSLContext.getDefault();
            }
            KeyStore ts = load(location, config.getString(OnlineEmConfig.HTTP_SSL_TRUSTSTORE_TYPE_CONFIG),
                    chars(config.getPassword(OnlineEmConfig.HTTP_SSL_TRUSTSTORE_PASSWORD_CONFIG)));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(OnlineEmConfig.HTTP_SSL_TRUSTSTORE_LOCATION_CONFIG + " = " + location + " cannot be used: " + e.getMessage()
                    + " (check the file, " + OnlineEmConfig.HTTP_SSL_TRUSTSTORE_PASSWORD_CONFIG + " and " + OnlineEmConfig.HTTP_SSL_TRUSTSTORE_TYPE_CONFIG + ")", e);
        }
    }

    private static KeyStore load(String location, String type, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            ks.load(in, password);
        }
        return ks;
    }

    /**
     * Whether the request carries the token: {@code Authorization: Bearer <token>}, or basic authentication whose password is
     * the token. Compared in constant time.
     */
    private boolean authorised(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null) {
            return false;
        }
        byte[] given = null;
        if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = h.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        } else if (h.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String userPassword = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = userPassword.indexOf(':');
                given = colon < 0 ? null : userPassword.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                given = null;
            }
        }
        return given != null && MessageDigest.isEqual(given, token);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, error("method " + method + " not allowed: this API is read-only (GET, HEAD)"));
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            if (token != null && !path.startsWith("/health/") && !authorised(ex)) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"online-em\"");
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"online-em\", charset=\"UTF-8\"");
                send(ex, 401, error("authentication required: send 'Authorization: Bearer <http.auth.token>' (or basic authentication "
                        + "with the token as password)"));
                return;
            }
            boolean forwarded = ex.getRequestHeaders().containsKey(FORWARDED);
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            try {
                route(ex, path, query, forwarded);
            } catch (ModelQueries.NotAvailable e) {
                send(ex, 503, error(e.getMessage()));
            } catch (InvalidStateStoreException e) {
                send(ex, 503, error("the stores are not queryable now (" + streams.state() + ", " + e.getMessage() + "); retry shortly"));
            } catch (IllegalArgumentException e) {
                send(ex, 400, error(e.getMessage()));
            } catch (RuntimeException e) {
                log.warn("HTTP {} {} failed", method, path, e);
                send(ex, 500, error(e.getClass().getSimpleName() + ": " + e.getMessage()));
            }
        }
    }

    private void route(HttpExchange ex, String path, Map<String, String> query, boolean forwarded) throws IOException {
        switch (path) {
            case "/", "/index.html" -> resource(ex, "index.html", "text/html; charset=utf-8");
            case "/dashboard.js" -> resource(ex, "dashboard.js", "text/javascript; charset=utf-8");
            case "/dashboard.css" -> resource(ex, "dashboard.css", "text/css; charset=utf-8");
            case "/health/live" -> live(ex);
            case "/health/ready" -> ready(ex);
            case "/metrics" -> sendText(ex, 200, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8");
            case "/models", "/models/" -> send(ex, 200, queries.list(forwarded || "local".equals(query.get("scope")), this::fetch));
            default -> {
                if (!path.startsWith("/models/")) {
                    send(ex, 404, error("no such path: " + path + "; try /models, /models/{id}, /models/{id}/recent, /health/live, "
                            + "/health/ready, /metrics or / for the dashboard"));
                    return;
                }
                String[] parts = path.substring("/models/".length()).split("/", -1);
                if (parts.length > 2 || parts.length == 2 && !parts[1].equals("recent") || parts[0].isEmpty()) {
                    send(ex, 404, error("no such path: " + path + "; a model is /models/{id} or /models/{id}/recent, "
                            + "with a '/' inside an id written %2F"));
                    return;
                }
                String id = decode(parts[0]);
                boolean recent = parts.length == 2;
                if (recent && !recentEnabled) {
                    send(ex, 404, error("recent points are switched off on this service (http.recent.enabled=false)"));
                    return;
                }
                ModelQueries.Answer a = queries.model(id, recent, forwarded, this::fetch);
                send(ex, a.status(), a.body());
            }
        }
    }

    /** GETs a path of another instance, marked as forwarded; the answer's status and body. */
    private ModelQueries.Answer fetch(HostInfo host, String pathAndQuery) {
        URI uri = URI.create(scheme + "://" + host.host() + ":" + host.port() + pathAndQuery);
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).header(FORWARDED, "1").GET();
            if (token != null) {
                request.header("Authorization", "Bearer " + new String(token, StandardCharsets.UTF_8));
            }
            HttpResponse<String> r = client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new ModelQueries.Answer(r.statusCode(), Json.mapper().readTree(r.body()));
        } catch (IOException e) {
            return new ModelQueries.Answer(502, error("the owner " + host.host() + ":" + host.port() + " did not answer: " + e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ModelQueries.Answer(503, error("interrupted"));
        }
    }

    static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String segment) {
        try {
            return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the model id in the path is not valid percent-encoding: " + segment);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw != null) {
            for (String kv : raw.split("&")) {
                int i = kv.indexOf('=');
                if (i > 0) {
                    m.put(decode(kv.substring(0, i)), decode(kv.substring(i + 1)));
                }
            }
        }
        return m;
    }

    private void live(HttpExchange ex) throws IOException {
        KafkaStreams.State s = streams.state();
        boolean alive = s != KafkaStreams.State.ERROR && s != KafkaStreams.State.PENDING_ERROR && s != KafkaStreams.State.NOT_RUNNING
                && s != KafkaStreams.State.PENDING_SHUTDOWN;
        ObjectNode body = Json.mapper().createObjectNode().put("status", alive ? "UP" : "DOWN").put("state", s.name());
        send(ex, alive ? 200 : 503, body);
    }

    private void ready(HttpExchange ex) throws IOException {
        KafkaStreams.State s = streams.state();
        int restoring = app.restoreTracker().restoring();
        boolean ready = s == KafkaStreams.State.RUNNING && restoring == 0;
        ObjectNode body = Json.mapper().createObjectNode().put("status", ready ? "UP" : "DOWN").put("state", s.name())
                .put("restoringPartitions", restoring).put("recordsToRestore", app.restoreTracker().remaining());
        if (!ready) {
            body.put("reason", s != KafkaStreams.State.RUNNING ? "the processor is " + s + ", not RUNNING"
                    : restoring + " store partition(s) still restoring from their changelogs");
        }
        send(ex, ready ? 200 : 503, body);
    }

    private void resource(HttpExchange ex, String name, String type) throws IOException {
        try (InputStream in = HttpApi.class.getResourceAsStream("/dashboard/" + name)) {
            if (in == null) {
                send(ex, 404, error("the dashboard is not in this build: /dashboard/" + name + " is missing from the jar"));
                return;
            }
            byte[] b = in.readAllBytes();
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-cache");
            write(ex, 200, b);
        }
    }

    static ObjectNode error(String message) {
        return Json.mapper().createObjectNode().put("error", message);
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        write(ex, status, Json.mapper().writeValueAsBytes(body));
    }

    private static void sendText(HttpExchange ex, int status, String body, String type) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        write(ex, status, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void write(HttpExchange ex, int status, byte[] body) throws IOException {
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        metrics.close();
    }
}
