package dev.onlineem.stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.onlineem.serde.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local Docker engine as Testcontainers will meet it. Testcontainers 2.0.2 speaks Docker API 1.44
 * unless told otherwise (testcontainers/testcontainers-java#11232), which engines before Docker 25
 * refuse ("client version 1.44 is too new"), Debian 12's docker.io 20.10 among them (API 1.41).
 * {@link #pinApiVersion()} asks the engine for its API version over its socket, unversioned, and
 * where it is older than 1.44 sets docker-java's {@code api.version} to it before Testcontainers starts.
 */
final class DockerEngine {
    private DockerEngine() {
    }

    /** The engine's socket: DOCKER_HOST when it names a unix socket, else /var/run/docker.sock. */
    static Path socket() {
        String host = System.getenv("DOCKER_HOST");
        if (host != null && host.startsWith("unix://")) {
            return Path.of(host.substring("unix://".length()));
        }
        return Path.of("/var/run/docker.sock");
    }

    /** The engine's highest API version ("1.41"), or null when no engine answers on the socket. */
    static String apiVersion() {
        Path socket = socket();
        if (!Files.exists(socket)) {
            return null;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("GET /version HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(8192);
            while (ch.read(buf) > 0) {
                response.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            String text = response.toString(StandardCharsets.UTF_8);
            int body = text.indexOf("\r\n\r\n");
            if (!text.startsWith("HTTP/1.") || body < 0) {
                return null;
            }
            JsonNode v = Json.mapper().readTree(text.substring(body + 4));
            return v.hasNonNull("ApiVersion") ? v.get("ApiVersion").asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Sets {@code api.version} to the engine's where that is older than 1.44 and none was set. */
    static void pinApiVersion() {
        if (System.getProperty("api.version") != null) {
            return;
        }
        String v = apiVersion();
        if (v != null && compare(v, "1.44") < 0) {
            System.setProperty("api.version", v);
        }
    }

    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int d = Integer.compare(i < x.length ? Integer.parseInt(x[i]) : 0, i < y.length ? Integer.parseInt(y[i]) : 0);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }
}
