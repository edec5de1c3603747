package dev.onlineem.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, combined broker and controller) inside this JVM: the
 * product's embedded default and the integration tests' broker on machines without Docker.
 *
 * <p>The log directory is formatted on first use and reused afterwards, so a stopped broker started
 * again on the same directory keeps its topics, offsets and transactions. Close it (it is
 * {@link AutoCloseable}); its threads are not daemons.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private final Path logDir;
    private final boolean deleteOnClose;
    private final int port;
    private final int controllerPort;
    /** With {@link #startSecuredTemporary}: the SASL_SSL listener's TLS and users; null for a plaintext broker. */
    private final Secured secured;
    private final int internalPort;
    /** With {@link #startClusterNode}: the cluster this broker is one node of; null for a single-node broker. */
    private final Quorum quorum;
    private KafkaRaftServer server;

    /**
     * A KRaft cluster of combined broker-controller nodes on loopback: its id and, per node (node id = index + 1), the
     * client and controller ports. Every topic, the internal ones included, is replicated to every node (at most 3), with
     * {@code min.insync.replicas} one below that; unclean leader election is off.
     */
    public record Quorum(String clusterId, int[] ports, int[] controllerPorts) {
        /** A new cluster of n nodes on free ports. */
        public static Quorum onFreePorts(int n) {
            int[] ports = new int[n];
            int[] controllerPorts = new int[n];
            for (int i = 0; i < n; i++) {
                ports[i] = freePort();
                controllerPorts[i] = freePort();
            }
            return new Quorum(Uuid.randomUuid().toString(), ports, controllerPorts);
        }

        /** {@code bootstrap.servers} naming every node. */
        public String bootstrapServers() {
            StringBuilder b = new StringBuilder();
            for (int port : ports) {
                b.append(b.length() == 0 ? "" : ",").append("localhost:").append(port);
            }
            return b.toString();
        }
    }

    /**
     * A broker whose client listener is SASL_SSL with SCRAM-SHA-512 and whose authorizer is Kafka's StandardAuthorizer with
     * allow.everyone.if.no.acl.found=false: its keystore (PKCS12) and the SCRAM users to format it with, e.g.
     * {@code SCRAM-SHA-512=[name=admin,password=admin-secret]}. {@code User:admin} and the internal listener are super users.
     */
    public record Secured(Path keystore, String password, java.util.List<String> scramUsers) {
    }

    private EmbeddedKafkaBroker(Path logDir, boolean deleteOnClose, int port, int controllerPort) {
        this(logDir, deleteOnClose, port, controllerPort, null);
    }

    private EmbeddedKafkaBroker(Path logDir, boolean deleteOnClose, int port, int controllerPort, Secured secured) {
        this(logDir, deleteOnClose, port, controllerPort, secured, null);
    }

    private EmbeddedKafkaBroker(Path logDir, boolean deleteOnClose, int port, int controllerPort, Secured secured, Quorum quorum) {
        this.quorum = quorum;
        this.logDir = logDir;
        this.deleteOnClose = deleteOnClose;
        this.port = port;
        this.controllerPort = controllerPort;
        this.secured = secured;
        this.internalPort = secured == null ? 0 : freePort();
    }

    /** A secured broker ({@link Secured}) on free loopback ports with a fresh temporary directory, deleted on close. */
    public static EmbeddedKafkaBroker startSecuredTemporary(Secured secured) {
        try {
            EmbeddedKafkaBroker b = new EmbeddedKafkaBroker(Files.createTempDirectory("online-em-kafka-"), true, freePort(), freePort(), secured);
            b.start();
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a broker on free loopback ports with a fresh temporary directory, deleted on close. */
    public static EmbeddedKafkaBroker startTemporary() {
        try {
            EmbeddedKafkaBroker b = new EmbeddedKafkaBroker(Files.createTempDirectory("online-em-kafka-"), true, freePort(), freePort());
            b.start();
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts (or restarts) a broker on the given directory and ports; the directory keeps its data.
     * Port 0 picks a free port.
     */
    public static EmbeddedKafkaBroker start(Path logDir, int port, int controllerPort) {
        EmbeddedKafkaBroker b = new EmbeddedKafkaBroker(logDir, false, port == 0 ? freePort() : port,
                controllerPort == 0 ? freePort() : controllerPort);
        b.start();
        return b;
    }

    /**
     * Starts (or restarts) node {@code nodeId} (1-based) of a cluster on the given directory, which keeps its data; the
     * other nodes run elsewhere (their own JVMs, so that a test can kill one).
     */
    public static EmbeddedKafkaBroker startClusterNode(Path logDir, Quorum quorum, int nodeId) {
        EmbeddedKafkaBroker b = new EmbeddedKafkaBroker(logDir, false, quorum.ports()[nodeId - 1], quorum.controllerPorts()[nodeId - 1], null, quorum);
        b.start();
        return b;
    }

    /** Starts the broker again after {@link #stop()}, on the same directory and ports. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            Files.createDirectories(logDir);
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                format();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot format Kafka log directory " + logDir + ": " + e.getMessage(), e);
        }
        KafkaRaftServer s = new KafkaRaftServer(new KafkaConfig(brokerProperties(), false), Time.SYSTEM);
        s.startup();
        server = s;
    }

    /** Stops the broker, keeping its data; {@link #start()} brings it back. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    private void format() throws Exception {
        Formatter f = new Formatter();
        if (secured != null) {
            f.setScramArguments(secured.scramUsers());
        }
        f.setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(nodeId())
                .setClusterId(quorum == null ? Uuid.randomUuid().toString() : quorum.clusterId())
                .addDirectory(logDir.toString())
                .setMetadataLogDirectory(logDir.toString())
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                .setControllerListenerName("CONTROLLER")
                .run();
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId()));
        p.put("controller.quorum.voters", voters());
        p.put("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toString());
        p.put("metadata.log.dir", logDir.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
        p.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        if (quorum != null) {
            String replicas = String.valueOf(Math.min(3, quorum.ports().length));
            String minIsr = String.valueOf(Math.max(1, Math.min(3, quorum.ports().length) - 1));
            p.put("default.replication.factor", replicas);
            p.put("min.insync.replicas", minIsr);
            p.put("offsets.topic.replication.factor", replicas);
            p.put("offsets.topic.num.partitions", "3");
            p.put("transaction.state.log.replication.factor", replicas);
            p.put("transaction.state.log.min.isr", minIsr);
            p.put("transaction.state.log.num.partitions", "3");
            p.put("share.coordinator.state.topic.replication.factor", replicas);
            p.put("share.coordinator.state.topic.min.isr", minIsr);
            p.put("unclean.leader.election.enable", "false");
        }
        if (secured != null) {
            p.put("listeners", "SASL_SSL://localhost:" + port + ",INTERNAL://localhost:" + internalPort + ",CONTROLLER://localhost:" + controllerPort);
            p.put("advertised.listeners", "SASL_SSL://localhost:" + port + ",INTERNAL://localhost:" + internalPort);
            p.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
            p.put("inter.broker.listener.name", "INTERNAL");
            p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.put("ssl.keystore.location", secured.keystore().toString());
            p.put("ssl.keystore.password", secured.password());
            p.put("ssl.key.password", secured.password());
            p.put("ssl.keystore.type", "PKCS12");
            p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
            p.put("allow.everyone.if.no.acl.found", "false");
            p.put("super.users", "User:admin;User:ANONYMOUS"); // ANONYMOUS: the plaintext internal and controller listeners
        }
        return p;
    }

    private int nodeId() {
        if (quorum == null) {
            return 1;
        }
        for (int i = 0; i < quorum.ports().length; i++) {
            if (quorum.ports()[i] == port) {
                return i + 1;
            }
        }
        throw new IllegalStateException("port " + port + " is not a node of the cluster");
    }

    private String voters() {
        if (quorum == null) {
            return "1@localhost:" + controllerPort;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < quorum.controllerPorts().length; i++) {
            b.append(i == 0 ? "" : ",").append(i + 1).append("@localhost:").append(quorum.controllerPorts()[i]);
        }
        return b.toString();
    }

    /** {@code localhost:port}, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public Path logDir() {
        return logDir;
    }

    @Override
    public void close() {
        stop();
        if (deleteOnClose) {
            deleteRecursively(logDir);
        }
    }

    /** Deletes a directory tree, best effort. */
    public static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory left behind is not worth failing a shutdown for
        }
    }

    /** A port free on loopback now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
