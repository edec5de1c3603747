package dev.onlineem.stream;

import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One node (broker and controller) of a three-node KRaft cluster, in a JVM of its own so that a test can SIGKILL it
 * and start it again on the same log directory: replication factor 3 and {@code min.insync.replicas=2} for every
 * topic, internal ones included, unclean leader election off. {@link Cluster} starts and bounces the nodes.
 */
final class ClusterNode {
    private ClusterNode() {
    }

    /** {@code ClusterNode <node id 1..3> <log dir> <cluster id> <client ports p1,p2,p3> <controller ports c1,c2,c3>}. */
    public static void main(String[] args) throws Exception {
        int id = Integer.parseInt(args[0]);
        Path dir = Path.of(args[1]);
        String[] ports = args[3].split(",");
        String[] controllerPorts = args[4].split(",");
        List<String> voters = new ArrayList<>();
        for (int n = 1; n <= controllerPorts.length; n++) {
            voters.add(n + "@localhost:" + controllerPorts[n - 1]);
        }
        if (!Files.exists(dir.resolve("meta.properties"))) {
            Files.createDirectories(dir);
            new Formatter().setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(id)
                    .setClusterId(args[2])
                    .addDirectory(dir.toString())
                    .setMetadataLogDirectory(dir.toString())
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
                    .setControllerListenerName("CONTROLLER")
                    .run();
        }
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(id));
        p.put("controller.quorum.voters", String.join(",", voters));
        p.put("listeners", "PLAINTEXT://localhost:" + ports[id - 1] + ",CONTROLLER://localhost:" + controllerPorts[id - 1]);
        p.put("advertised.listeners", "PLAINTEXT://localhost:" + ports[id - 1]);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dir.toString());
        p.put("metadata.log.dir", dir.toString());
        p.put("default.replication.factor", "3");
        p.put("min.insync.replicas", "2");
        p.put("offsets.topic.replication.factor", "3");
        p.put("offsets.topic.num.partitions", "3");
        p.put("transaction.state.log.replication.factor", "3");
        p.put("transaction.state.log.min.isr", "2");
        p.put("transaction.state.log.num.partitions", "3");
        p.put("share.coordinator.state.topic.replication.factor", "3");
        p.put("share.coordinator.state.topic.min.isr", "2");
        p.put("unclean.leader.election.enable", "false");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(p, false), Time.SYSTEM);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            server.awaitShutdown();
        }));
        server.startup();
        System.out.println("cluster node " + id + " started");
        server.awaitShutdown();
    }

    /** Three nodes on loopback, each its own JVM, started, killed and restarted by the test. */
    static final class Cluster implements AutoCloseable {
        final Path root;
        final String clusterId = org.apache.kafka.common.Uuid.randomUuid().toString();
        final int[] ports = new int[3];
        final int[] controllerPorts = new int[3];
        final Process[] nodes = new Process[3];
        final int[] starts = new int[3];

        Cluster(Path root) throws Exception {
            this.root = Files.createDirectories(root);
            for (int i = 0; i < 3; i++) {
                ports[i] = freePort();
                controllerPorts[i] = freePort();
            }
            for (int i = 0; i < 3; i++) {
                start(i);
            }
        }

        String bootstrapServers() {
            return "localhost:" + ports[0] + ",localhost:" + ports[1] + ",localhost:" + ports[2];
        }

        boolean alive(int i) {
            return nodes[i] != null && nodes[i].isAlive();
        }

        void start(int i) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path log = root.resolve("node" + (i + 1) + "-" + starts[i]++ + ".log");
            nodes[i] = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    ClusterNode.class.getName(), String.valueOf(i + 1), root.resolve("node" + (i + 1)).toString(), clusterId,
                    join(ports), join(controllerPorts)).redirectErrorStream(true).redirectOutput(log.toFile()).directory(new File(".")).start();
        }

        /** SIGKILL: no controlled shutdown, no flush; the node's replicas fall out of the ISR. */
        void kill(int i) throws InterruptedException {
            if (nodes[i] != null) {
                nodes[i].destroyForcibly();
                if (!nodes[i].waitFor(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("cluster node " + (i + 1) + " did not die");
                }
            }
        }

        @Override
        public void close() throws Exception {
            for (int i = 0; i < 3; i++) {
                if (nodes[i] != null) {
                    nodes[i].destroy();
                }
            }
            for (int i = 0; i < 3; i++) {
                if (nodes[i] != null && !nodes[i].waitFor(60, TimeUnit.SECONDS)) {
                    nodes[i].destroyForcibly();
                }
            }
        }

        private static String join(int[] a) {
            return a[0] + "," + a[1] + "," + a[2];
        }

        private static int freePort() throws java.io.IOException {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
    }
}
