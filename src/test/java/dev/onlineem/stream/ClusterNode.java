package dev.onlineem.stream;

import dev.onlineem.broker.EmbeddedKafkaBroker;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One node (broker and controller) of a three-node KRaft cluster ({@link EmbeddedKafkaBroker#startClusterNode}) in a
 * JVM of its own, so that a test can SIGKILL it and start it again on the same log directory. {@link Cluster} starts
 * and bounces the nodes.
 */
final class ClusterNode {
    private ClusterNode() {
    }

    /** {@code ClusterNode <node id 1..3> <log dir> <cluster id> <client ports p1,p2,p3> <controller ports c1,c2,c3>}. */
    public static void main(String[] args) throws Exception {
        EmbeddedKafkaBroker.Quorum quorum = new EmbeddedKafkaBroker.Quorum(args[2], ports(args[3]), ports(args[4]));
        EmbeddedKafkaBroker node = EmbeddedKafkaBroker.startClusterNode(Path.of(args[1]), quorum, Integer.parseInt(args[0]));
        Runtime.getRuntime().addShutdownHook(new Thread(node::stop));
        System.out.println("cluster node " + args[0] + " started");
        new CountDownLatch(1).await(); // until killed or stopped
    }

    private static int[] ports(String list) {
        return java.util.Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** Three nodes on loopback, each its own JVM, started, killed and restarted by the test. */
    static final class Cluster implements AutoCloseable {
        final Path root;
        final EmbeddedKafkaBroker.Quorum quorum = EmbeddedKafkaBroker.Quorum.onFreePorts(3);
        final Process[] nodes = new Process[3];
        final int[] starts = new int[3];

        Cluster(Path root) throws Exception {
            this.root = Files.createDirectories(root);
            for (int i = 0; i < 3; i++) {
                start(i);
            }
        }

        String bootstrapServers() {
            return quorum.bootstrapServers();
        }

        void start(int i) throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Path log = root.resolve("node" + (i + 1) + "-" + starts[i]++ + ".log");
            nodes[i] = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    ClusterNode.class.getName(), String.valueOf(i + 1), root.resolve("node" + (i + 1)).toString(), quorum.clusterId(),
                    join(quorum.ports()), join(quorum.controllerPorts())).redirectErrorStream(true).redirectOutput(log.toFile())
                    .directory(new File(".")).start();
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
            for (Process n : nodes) {
                if (n != null) {
                    n.destroy();
                }
            }
            for (Process n : nodes) {
                if (n != null && !n.waitFor(60, TimeUnit.SECONDS)) {
                    n.destroyForcibly();
                }
            }
        }

        private static String join(int[] a) {
            return java.util.Arrays.stream(a).mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(","));
        }
    }
}
