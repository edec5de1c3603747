package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.config.AssignmentsMode;
import dev.onlineem.config.OnlineEmConfig;
import dev.onlineem.em.StateCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak (Maven profile {@code soak}, not in the default run): three processor JVMs on the embedded
 * broker share one application id, reading a 6-partition input with one standby replica, while a
 * producer feeds one million good points over 50 models (mixtures of every covariance type and HMMs,
 * some with missing coordinates) with 100,000 hostile records of every kind interleaved. A random
 * instance is SIGKILLed and restarted, {@code soak.kills} times in all: mostly one at a time, sometimes
 * two at once, sometimes a second one while the first is still rejoining and restoring, and sometimes an
 * instance stays dead past the session timeout so that its tasks move to the others (standbys and task
 * migration). The same input is then processed by one uninterrupted in-process instance, the reference.
 *
 * <p>Checked with {@code read_committed}: every input has exactly one assignment or one dead letter
 * (counted by a sequence header that the processor carries to both), every assignment and every dead
 * letter's reason is byte-identical to the reference's, the last snapshot of every model on the models
 * topic is byte-identical to the reference's, and so are the models the state stores end with (their
 * changelogs read to the end; each model loaded from its state and logged points as a restored task loads
 * it, since what a commit writes depends on where the commits fell), the task model counts and the
 * unpublished marks. It ends with the line
 * {@code soak: K kills, I instances, N points, H hostile, L lost, D duplicated, models equal: true|false}.
 *
 * <p>Sizes: {@code -Dsoak.kills=100 -Dsoak.points=1000000 -Dsoak.hostile=100000 -Dsoak.seconds=420}
 * (the producer's duration; the kills are spread over it). {@code -Dsoak.assignments.mode=compact|off} runs the soak and
 * its reference in that mode: with {@code off} a good point has no output of its own, so every hostile record must have
 * one dead letter, and every anomaly (on the anomalies topic, in every mode) must come once and equal the reference's;
 * the models' bit-identity shows that every good point was learnt once.
 *
 * <p>Two more cases run the same accounting under other faults: instances frozen with SIGSTOP past their session
 * timeout and resumed as zombies ({@code zombie soak}), and the nodes of a three-node cluster SIGKILLed and restarted
 * one at a time, with and without instance kills ({@code broker-bounce soak}); one case alone:
 * {@code mvn -B -Psoak test -Dtest='SoakIntegrationTest#shouldFence*'}.
 */
@Tag("soak")
class SoakIntegrationTest {
    static final int KILLS = Integer.getInteger("soak.kills", 100);
    static final int GOOD = Integer.getInteger("soak.points", 1_000_000);
    static final int HOSTILE = Integer.getInteger("soak.hostile", 100_000);
    static final int SECONDS = Integer.getInteger("soak.seconds", 420);
    /** {@code assignments.mode} of the soak and its reference: with {@code off} only dead letters and anomalies are counted per input. */
    static final AssignmentsMode MODE = AssignmentsMode.valueOf(System.getProperty("soak.assignments.mode", "full").toUpperCase(java.util.Locale.ROOT));
    static final int INSTANCES = 3;
    static final int PARTITIONS = 6;
    static final int MODELS = 50;
    static final int INIT_POINTS = 200; // model.init.points of StreamingIntegrationTest.config
    static final String SEQ = "soak-seq";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS) // the instances' logs stay for a failed soak
    Path tmp;

    /** One model of the soak: its id, kind, covariance type, components, dimension, share of missing coordinates and family. */
    record Spec(String id, boolean hmm, String covariance, int k, int dim, double missing, boolean studentT) {
        static Spec of(int i) {
            boolean hmm = i % 5 == 4;
            return new Spec(String.format("soak-%02d", i), hmm, new String[] {"full", "diag", "spherical"}[i % 3], 2 + i % 3,
                    hmm ? 2 + i % 2 : 1 + i % 4, i % 7 == 0 ? 0.05 : 0, i % 4 == 1);
        }
    }

    static final List<Spec> SPECS = java.util.stream.IntStream.range(0, MODELS).mapToObj(Spec::of).toList();

    static Map<String, Object> settings(String bootstrap, String prefix, Path stateDir) {
        Map<String, Object> m = StreamingIntegrationTest.config(bootstrap, prefix, stateDir);
        m.put("points.topic", "soak-points"); // every run reads the same input
        m.put("num.standby.replicas", "1");
        m.put("snapshot.interval.ms", "1000");
        m.put("assignments.mode", MODE.name().toLowerCase(java.util.Locale.ROOT));
        for (Spec s : SPECS) {
            String o = "model.override." + s.id() + ".";
            m.put(o + "type", s.hmm() ? "hmm" : "mixture");
            m.put(o + "covariance.type", s.covariance());
            m.put(o + "k", String.valueOf(s.k()));
            if (s.studentT()) {
                m.put(o + "distribution", "student-t");
            }
        }
        return m;
    }

    @Test
    void shouldAccountForEveryInputOnceAndEndBitIdenticalThroughRepeatedKillsOfThreeInstances() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            soak("soak", GOOD, HOSTILE, SECONDS, broker.bootstrapServers(), Chaos::new);
        }
    }

    /**
     * Zombies: {@code soak.pauses} times, a random instance is frozen with SIGSTOP for longer than its session timeout
     * (12 to 30 s against 10 s) while points flow, so that its tasks move to the others, and then resumed with SIGCONT:
     * it comes back as a zombie with an open transaction, which must be aborted and fenced. The same accounting and
     * bit-identity as the kill soak, plus the stall of committed output each pause caused (per model, the longest wait
     * between two committed outputs across the pause) and the writes that were aborted (records seen with
     * read_uncommitted and not with read_committed). Sizes: {@code -Dsoak.pauses=4 -Dsoak.zombie.points=300000
     * -Dsoak.zombie.hostile=30000 -Dsoak.zombie.seconds=180}.
     */
    @Test
    void shouldFenceInstancesFrozenPastTheirSessionTimeoutAndEndBitIdentical() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startTemporary()) {
            soak("zombie soak", Integer.getInteger("soak.zombie.points", 300_000), Integer.getInteger("soak.zombie.hostile", 30_000),
                    Integer.getInteger("soak.zombie.seconds", 180), broker.bootstrapServers(), Freezer::new);
        }
    }

    /**
     * Brokers bounced: the soak on a three-node KRaft cluster (each node its own JVM; replication factor 3 and
     * min.insync.replicas=2 for every topic), {@code soak.bounces} times a node SIGKILLed and restarted on its log
     * directory 5 to 15 s later, one node at a time, every other time together with an instance SIGKILLed and restarted.
     * The reference run is on the same cluster once the bouncing is over. Sizes: {@code -Dsoak.bounces=6
     * -Dsoak.bounce.points=300000 -Dsoak.bounce.hostile=30000 -Dsoak.bounce.seconds=240}.
     */
    @Test
    void shouldAccountForEveryInputOnceAndEndBitIdenticalThroughBrokerBounces() throws Exception {
        try (ClusterNode.Cluster cluster = new ClusterNode.Cluster(tmp.resolve("cluster"))) {
            soak("broker-bounce soak", Integer.getInteger("soak.bounce.points", 300_000), Integer.getInteger("soak.bounce.hostile", 30_000),
                    Integer.getInteger("soak.bounce.seconds", 240), cluster.bootstrapServers(), instances -> new Bouncer(instances, cluster));
        }
    }

    /** What a soak does to its instances while the producer runs: kills, pauses. */
    interface Disruption {
        /** Runs what is due now. */
        void step();

        /** True once every planned event has happened. */
        boolean done();

        /** Brings every instance back (restarted or resumed). */
        void end() throws Exception;

        String summary();

        /** The soak line's first part, e.g. "100 kills". */
        String events();

        /** Extra lines about the run, after the outputs are accounted for. */
        default List<String> report(Tally out) {
            return List.of();
        }

        /** What this disruption's case requires beyond the accounting, given the outputs and the instances' log lines. */
        default void check(Tally out, List<String> errorLines, List<String> pauseWarnings) {
        }
    }

    private void soak(String name, int good, int hostile, int seconds, String bootstrap,
                      java.util.function.Function<List<Instance>, Disruption> disruptionOf) throws Exception {
        long started = System.nanoTime();
        Map<String, Object> soakSettings = settings(bootstrap, "soak-", tmp.resolve("unused"));
        OnlineEmConfig soak = new OnlineEmConfig(soakSettings);
        OnlineEmConfig ref = new OnlineEmConfig(settings(bootstrap, "soakref-", tmp.resolve("ref-state")));
        StreamApp.createTopics(soak, PARTITIONS);
        StreamApp.createTopics(ref, PARTITIONS);
        Input input = new Input(bootstrap, good, hostile, seconds);
        Thread producer = new Thread(input, "soak-producer");
        producer.start();

        List<Instance> instances = new ArrayList<>();
        for (int i = 0; i < INSTANCES; i++) {
            instances.add(new Instance("i" + i, soakSettings));
        }
        Disruption chaos = disruptionOf.apply(instances);
        try (Tally out = new Tally(bootstrap, soak, input)) {
            for (Instance in : instances) {
                in.start();
            }
            while (!chaos.done()) {
                out.poll();
                assertTrue(input.failure.get() == null, "producer failed: " + input.failure.get());
                chaos.step();
            }
            chaos.end();
            producer.join();
            assertTrue(input.failure.get() == null, "producer failed: " + input.failure.get());
            long fedAt = System.nanoTime();
            out.awaitAccounted(Duration.ofMinutes(10), chaos::step);
            out.awaitFinalSnapshots(input.perModel, Duration.ofMinutes(3));
            long accountedAt = System.nanoTime();
            for (Instance in : instances) {
                in.stop();
            }
            System.out.printf("%s run: %.0f s in all, %.0f s from the last input to every output; %s%n", name,
                    (accountedAt - started) / 1e9, (accountedAt - fedAt) / 1e9, chaos.summary());
            chaos.report(out).forEach(l -> System.out.println(name + " run: " + l));
            int aborted = abortedOutputs(bootstrap, soak, out.outputs());
            System.out.println(name + " run: " + aborted + " outputs written and aborted (seen read_uncommitted, not read_committed)");
            List<String> errors = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            for (Instance in : instances) {
                errors.addAll(in.logLines(" ERROR "));
                warnings.addAll(in.logLines(" WARN dev.onlineem.stream.PauseWatch "));
            }
            System.out.println(name + " run: ERROR lines in the instances' logs: " + errors.size());
            errors.stream().limit(20).forEach(l -> System.out.println(name + " run:   " + l));
            System.out.println(name + " run: pauses reported (PauseWatch's WARN lines): " + warnings.size());
            warnings.stream().limit(20).forEach(l -> System.out.println(name + " run:   " + l));

            // the reference: one uninterrupted instance over the same input
            long refStart = System.nanoTime();
            try (Tally expected = new Tally(bootstrap, ref, input); StreamApp app = StreamApp.start(ref, PARTITIONS)) {
                expected.awaitAccounted(Duration.ofMinutes(15), () -> { });
                expected.awaitFinalSnapshots(input.perModel, Duration.ofMinutes(3));
                app.close();
                System.out.printf("reference run: %.0f s%n", (System.nanoTime() - refStart) / 1e9);
                assertEquals(0, expected.lost() + expected.duplicated(), "the reference run itself lost or duplicated inputs");

                int lost = out.lost();
                int duplicated = out.duplicated();
                int differ = out.differingFrom(expected);
                int hostileAccepted = out.acceptedHostile(input);
                Map<String, String> storeDiffs = new TreeMap<>();
                // what is written at a commit depends on where the commits fell (a busy model's full state, a quiet
                // model's points), so the models and log stores are compared by the models they hold: each loaded
                // as a restored task loads it (its state decoded, its logged points replayed), then encoded
                String d = compareLoadedModels(changelogs(bootstrap, soak), changelogs(bootstrap, ref), soak.getInt(OnlineEmConfig.CHECKPOINT_POINTS_CONFIG));
                if (d != null) {
                    storeDiffs.put(OnlineEmTopology.CHECKPOINT_STORE + "+" + OnlineEmTopology.LOG_STORE, d);
                }
                d = compare(lastValues(bootstrap, changelog(soak, OnlineEmTopology.UNPUBLISHED_STORE)),
                        lastValues(bootstrap, changelog(ref, OnlineEmTopology.UNPUBLISHED_STORE)));
                if (d != null) {
                    storeDiffs.put(OnlineEmTopology.UNPUBLISHED_STORE, d);
                }
                String snapshotDiff = compare(lastValues(bootstrap, soak.modelsTopic()), lastValues(bootstrap, ref.modelsTopic()));
                boolean modelsEqual = storeDiffs.isEmpty() && snapshotDiff == null;
                System.out.printf("%s: %s, %d instances, %d points, %d hostile, %d lost, %d duplicated, models equal: %s%n",
                        name, chaos.events(), INSTANCES, good, hostile, lost, duplicated, modelsEqual);
                System.out.printf("%s: assignments.mode %s, %d assignments, %d dead letters, %d anomalies (the reference: %d, %d, %d)%n", name,
                        MODE.name().toLowerCase(java.util.Locale.ROOT), out.assignmentCount(), out.deadLetterCount(), out.anomalyCount(),
                        expected.assignmentCount(), expected.deadLetterCount(), expected.anomalyCount());
                System.out.printf("%s: %d outputs differ from the reference's, %d hostile records accepted, store differences %s, "
                        + "last snapshots %s; wall time %.0f s%n", name, differ, hostileAccepted, storeDiffs,
                        snapshotDiff == null ? "equal" : snapshotDiff, (System.nanoTime() - started) / 1e9);
                assertEquals(0, lost, "lost inputs");
                assertEquals(0, duplicated, "duplicated outputs");
                assertEquals(0, differ, "outputs that differ from the uninterrupted run's");
                assertEquals(0, hostileAccepted, "hostile records with an assignment");
                assertTrue(modelsEqual, "stores " + storeDiffs + ", last snapshots " + snapshotDiff);
                chaos.check(out, errors, warnings);
            }
        } finally {
            input.stop();
            producer.join(30_000);
            for (Instance in : instances) {
                in.kill();
            }
        }
    }

    /**
     * Outputs (assignments, dead letters and anomalies) that were written and then aborted: the records with a sequence header
     * that read_uncommitted sees beyond the {@code committed} ones that read_committed sees.
     */
    static int abortedOutputs(String bootstrap, OnlineEmConfig config, int committed) {
        int[] seen = new int[1];
        for (String topic : List.of(config.assignmentsTopic(), config.deadLetterTopic(), config.anomaliesTopic())) {
            KafkaTestSupport.readToEnd(bootstrap, topic, "read_uncommitted", r -> seen[0] += seqOf(r.headers().lastHeader(SEQ)) >= 0 ? 1 : 0);
        }
        return seen[0] - committed;
    }

    static String changelog(OnlineEmConfig config, String store) {
        return StreamApp.properties(config).get("application.id") + "-" + store + "-changelog";
    }

    /** Null when equal, else a short description of the difference. */
    static String compare(Map<String, Long> got, Map<String, Long> want) {
        if (got.equals(want)) {
            return null;
        }
        int missing = 0;
        int extra = 0;
        int differ = 0;
        for (Map.Entry<String, Long> e : want.entrySet()) {
            Long g = got.get(e.getKey());
            if (g == null) {
                missing++;
            } else if (!g.equals(e.getValue())) {
                differ++;
            }
        }
        for (String k : got.keySet()) {
            if (!want.containsKey(k)) {
                extra++;
            }
        }
        return String.format("%d keys differ, %d missing, %d extra of %d", differ, missing, extra, want.size());
    }

    /** The final contents of the models and model-log stores: {states, log}, each keyed partition/key. */
    static List<Map<String, byte[]>> changelogs(String bootstrap, OnlineEmConfig config) {
        return List.of(lastRecords(bootstrap, changelog(config, OnlineEmTopology.CHECKPOINT_STORE)),
                lastRecords(bootstrap, changelog(config, OnlineEmTopology.LOG_STORE)));
    }

    /**
     * Null when every model the two sets of stores hold loads to the same state, byte for byte, and each
     * task's model count is the same; else a short description of the difference.
     */
    static String compareLoadedModels(List<Map<String, byte[]>> got, List<Map<String, byte[]>> want, int checkpointPoints) {
        int missing = 0;
        int differ = 0;
        for (String key : want.get(0).keySet()) {
            if (!got.get(0).containsKey(key)) {
                missing++;
            } else if (!Arrays.equals(loaded(got, key, checkpointPoints), loaded(want, key, checkpointPoints))) {
                differ++;
            }
        }
        int extra = 0;
        for (String key : got.get(0).keySet()) {
            if (!want.get(0).containsKey(key)) {
                extra++;
            }
        }
        for (String key : want.get(1).keySet()) {
            if (key.endsWith("/" + ModelStates.COUNT_KEY) && !Arrays.equals(want.get(1).get(key), got.get(1).get(key))) {
                differ++;
            }
        }
        return missing + differ + extra == 0 ? null
                : String.format("%d models differ, %d missing, %d extra of %d", differ, missing, extra, want.get(0).size());
    }

    private static byte[] loaded(List<Map<String, byte[]>> stores, String key, int checkpointPoints) {
        String partition = key.substring(0, key.indexOf('/') + 1);
        String id = key.substring(partition.length());
        // the partition's log batches in the order of their keys, as a range over the store reads them
        List<byte[]> batches = new TreeMap<>(stores.get(1)).tailMap(partition + ModelStates.BATCH_PREFIX).entrySet().stream()
                .takeWhile(e -> e.getKey().startsWith(partition + ModelStates.BATCH_PREFIX)).map(Map.Entry::getValue).toList();
        return StateCodec.encode(ModelStates.read(id, k -> stores.get(0).get(partition + k), k -> stores.get(1).get(partition + k),
                batches, checkpointPoints));
    }

    /** The last value of every key of every partition of a topic, keyed partition/key (tombstones remove it), read_committed to the end. */
    static Map<String, byte[]> lastRecords(String bootstrap, String topic) {
        Map<String, byte[]> last = new HashMap<>();
        KafkaTestSupport.readToEnd(bootstrap, topic, r -> {
            String key = r.partition() + "/" + r.key();
            if (r.value() == null) {
                last.remove(key);
            } else {
                last.put(key, r.value());
            }
        });
        return last;
    }

    /** The hash of the last value of every key of every partition of a topic (tombstones remove it), read_committed to the end. */
    static Map<String, Long> lastValues(String bootstrap, String topic) {
        Map<String, Long> last = new HashMap<>();
        KafkaTestSupport.readToEnd(bootstrap, topic, r -> {
            String key = r.partition() + "/" + r.key(); // a task's stores may share keys with another's (the model count)
            if (r.value() == null) {
                last.remove(key);
            } else {
                last.put(key, hash(r.value()));
            }
        });
        return last;
    }

    /** 64-bit FNV-1a. */
    static long hash(byte[] b) {
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h = (h ^ (x & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    static int seqOf(Header h) {
        return h == null ? -1 : ByteBuffer.wrap(h.value()).getInt();
    }

    /** The paced producer: good points and hostile records, each with its sequence number in a header. */
    static final class Input implements Runnable {
        final int good;
        final int hostileCount;
        final int seconds;
        final int total;
        final boolean[] hostile;
        final Map<String, Integer> perModel = new HashMap<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final String bootstrap;
        private volatile boolean stopped;

        Input(String bootstrap, int good, int hostile, int seconds) {
            this.bootstrap = bootstrap;
            this.good = good;
            this.hostileCount = hostile;
            this.seconds = seconds;
            this.total = good + hostile;
            this.hostile = new boolean[total];
        }

        void stop() {
            stopped = true;
        }

        @Override
        public void run() {
            Random r = new Random(20261123);
            int[] seen = new int[MODELS];
            int[] hmmState = new int[MODELS];
            int weightSum = 0;
            for (int m = 0; m < MODELS; m++) {
                weightSum += 1 + m % 7;
            }
            int firstHostile = Math.min(good / 2, MODELS * 300); // every model exists, with its dimension, before the first
            long start = System.nanoTime();
            long nanosPerRecord = TimeUnit.SECONDS.toNanos(seconds) / total;
            int seq = 0;
            int hostileSent = 0;
            try (KafkaProducer<String, byte[]> p = KafkaTestSupport.producer(bootstrap)) {
                for (int i = 0; i < good && !stopped; i++) {
                    int m = i < MODELS ? i : pick(r, weightSum);
                    Spec s = SPECS.get(m);
                    String json = point(s, seen[m]++, hmmState, m, r);
                    perModel.merge(s.id(), 1, Integer::sum);
                    seq = send(p, seq, s.id(), json.getBytes(StandardCharsets.UTF_8), false);
                    if (i >= firstHostile) {
                        long due = (long) (i - firstHostile + 1) * hostileCount / (good - firstHostile);
                        while (hostileSent < due) {
                            Spec t = SPECS.get(r.nextInt(MODELS));
                            FuzzIntegrationTest.Bad b = FuzzIntegrationTest.bad(r, t.id(), t.dim());
                            seq = send(p, seq, b.key(), b.value(), true);
                            hostileSent++;
                        }
                    }
                    if (seq % 500 == 0) {
                        long ahead = start + seq * nanosPerRecord - System.nanoTime();
                        if (ahead > 0) {
                            TimeUnit.NANOSECONDS.sleep(ahead);
                        }
                    }
                }
                assertEquals(total, seq, "records sent");
            } catch (Throwable t) {
                failure.set(t);
            }
        }

        private int send(KafkaProducer<String, byte[]> p, int seq, String key, byte[] value, boolean bad) {
            hostile[seq] = bad;
            RecordHeaders h = new RecordHeaders();
            h.add(SEQ, ByteBuffer.allocate(4).putInt(seq).array());
            p.send(new ProducerRecord<>("soak-points", null, key, value, h), (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            return seq + 1;
        }

        private static int pick(Random r, int weightSum) {
            int u = r.nextInt(weightSum);
            for (int m = 0; m < MODELS; m++) {
                u -= 1 + m % 7;
                if (u < 0) {
                    return m;
                }
            }
            return MODELS - 1;
        }

        /** A point of a model: a mixture's component or a sticky HMM state, shifted and scaled per component. */
        private static String point(Spec s, int own, int[] hmmState, int m, Random r) {
            int c;
            if (s.hmm()) {
                if (r.nextDouble() < 0.02) {
                    hmmState[m] = r.nextInt(s.k());
                }
                c = hmmState[m];
            } else {
                c = r.nextInt(s.k());
            }
            StringBuilder x = new StringBuilder();
            int present = 0;
            for (int j = 0; j < s.dim(); j++) {
                boolean missing = r.nextDouble() < s.missing() && (present > 0 || j < s.dim() - 1);
                x.append(j > 0 ? "," : "");
                if (missing) {
                    x.append("null");
                } else {
                    x.append(c * 4.0 * (j % 2 == 0 ? 1 : -1) + r.nextGaussian() * (1 + 0.5 * c) + m);
                    present++;
                }
            }
            return "{\"id\":\"" + s.id() + "-" + own + "\",\"ts\":" + (KafkaTestSupport.EVENT_TIME_BASE + own * 1000L) + ",\"x\":[" + x + "]}";
        }
    }

    /**
     * Every output of one application by input sequence number: how many (assignments and dead letters
     * together) and the hash of the assignment, or of the dead letter's reason; how many anomalies and the hash of the
     * anomaly's record; the last snapshot per model. Every input must have an assignment or a dead letter, or with
     * {@code assignments.mode=off} every hostile one a dead letter (a good point then has no output of its own); an
     * anomaly is compared with the reference's.
     */
    static final class Tally implements AutoCloseable {
        final int[] count;
        final long[] hash;
        final boolean[] assigned;
        final int[] anomalies;
        final long[] anomalyHash;
        private final boolean[] hostile;
        final Map<String, Long> lastPointsSeen = new HashMap<>();
        /** Per model, when its last new output was read (System.nanoTime()), and the waits of over 2 s between two. */
        final Map<String, Long> lastArrival = new HashMap<>();
        final List<Gap> gaps = new ArrayList<>();
        private final KafkaConsumer<String, byte[]> assignments;
        private final KafkaConsumer<String, byte[]> deadLetters;
        private final KafkaConsumer<String, byte[]> models;
        private final KafkaConsumer<String, byte[]> anomalyReader;
        private int accounted;
        private int unnumbered;
        private int assignmentsRead;
        private int deadLettersRead;
        private int anomaliesRead;

        Tally(String bootstrap, OnlineEmConfig config, Input input) {
            int total = input.total;
            count = new int[total];
            hash = new long[total];
            assigned = new boolean[total];
            anomalies = new int[total];
            anomalyHash = new long[total];
            hostile = input.hostile;
            assignments = consumer(bootstrap, config.assignmentsTopic());
            deadLetters = consumer(bootstrap, config.deadLetterTopic());
            models = consumer(bootstrap, config.modelsTopic());
            anomalyReader = consumer(bootstrap, config.anomaliesTopic());
        }

        /** Whether input {@code seq} must have an output of its own: every input, or with {@code off} only a hostile one. */
        private boolean mustAccount(int seq) {
            return MODE != AssignmentsMode.OFF || hostile[seq];
        }

        private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "soak-" + UUID.randomUUID());
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
            KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            c.subscribe(List.of(topic));
            return c;
        }

        void poll() {
            for (ConsumerRecord<String, byte[]> r : assignments.poll(Duration.ofMillis(50))) {
                assignmentsRead++;
                record(seqOf(r.headers().lastHeader(SEQ)), hash(r.value()), true, r);
            }
            for (ConsumerRecord<String, byte[]> r : deadLetters.poll(Duration.ofMillis(10))) {
                deadLettersRead++;
                Header reason = r.headers().lastHeader("__streams.errors.message");
                record(seqOf(r.headers().lastHeader(SEQ)), reason == null ? 0 : hash(reason.value()), false, r);
            }
            for (ConsumerRecord<String, byte[]> r : anomalyReader.poll(Duration.ofMillis(10))) {
                anomaliesRead++;
                int seq = seqOf(r.headers().lastHeader(SEQ));
                if (seq < 0 || seq >= anomalies.length) {
                    unnumbered++;
                    extra(r, "no sequence header");
                } else if (anomalies[seq]++ == 0) {
                    anomalyHash[seq] = hash(r.value());
                } else {
                    extra(r, "second anomaly of input " + seq);
                }
            }
            for (ConsumerRecord<String, byte[]> r : models.poll(Duration.ofMillis(10))) {
                lastPointsSeen.put(r.key(), Outputs.parse(r.value()).get("pointsSeen").asLong());
            }
        }

        private void record(int seq, long h, boolean assignment, ConsumerRecord<String, byte[]> r) {
            if (seq < 0 || seq >= count.length) {
                unnumbered++;
                extra(r, "no sequence header");
                return;
            }
            if (count[seq]++ == 0) {
                if (mustAccount(seq)) {
                    accounted++;
                }
                hash[seq] = h;
                assigned[seq] = assignment;
                if (assignment) { // dead letters carry whatever key the hostile record had
                    long now = System.nanoTime();
                    Long last = lastArrival.put(r.key(), now);
                    if (last != null && now - last > 2_000_000_000L) {
                        gaps.add(new Gap(r.key(), last, now));
                    }
                }
            } else {
                extra(r, "second output of input " + seq);
            }
        }

        /** Prints an output that should not be there (at most 20), with where it is, for diagnosis. */
        private void extra(ConsumerRecord<String, byte[]> r, String why) {
            if (extras++ < 20) {
                Header reason = r.headers().lastHeader("__streams.errors.message");
                System.out.println("soak run: extra output (" + why + "): " + r.topic() + "-" + r.partition() + "@" + r.offset() + " key " + r.key()
                        + (reason == null ? "" : " reason " + new String(reason.value(), StandardCharsets.UTF_8)));
            }
        }

        private int extras;

        /** A model's wait for its next committed output: from one read to the next (System.nanoTime()). */
        record Gap(String model, long from, long to) {
        }

        /** How many inputs must have an output of their own (see {@link #mustAccount}); the producer has finished. */
        private int toAccount() {
            int n = 0;
            for (int i = 0; i < count.length; i++) {
                n += mustAccount(i) ? 1 : 0;
            }
            return n;
        }

        void awaitAccounted(Duration timeout, Runnable meanwhile) {
            long deadline = System.nanoTime() + timeout.toNanos();
            int due = toAccount();
            while (accounted < due) {
                if (System.nanoTime() > deadline) {
                    List<Integer> missing = new ArrayList<>();
                    for (int i = 0; i < count.length && missing.size() < 20; i++) {
                        if (count[i] == 0 && mustAccount(i)) {
                            missing.add(i);
                        }
                    }
                    throw new AssertionError("only " + accounted + " of " + due + " inputs accounted for after " + timeout
                            + "; the first without an output (sequence numbers): " + missing);
                }
                poll();
                meanwhile.run();
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3); // late duplicates would show here
            while (System.nanoTime() < until) {
                poll();
            }
        }

        void awaitFinalSnapshots(Map<String, Integer> perModel, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            // a model still in warm-up (fewer points than model.init.points) has no parameters to publish
            while (!perModel.entrySet().stream().filter(e -> e.getValue() >= INIT_POINTS).allMatch(e -> Objects.equals(lastPointsSeen.get(e.getKey()), (long) e.getValue()))) {
                assertTrue(System.nanoTime() < deadline, "final snapshots not published: " + lastPointsSeen + " want " + perModel);
                poll();
            }
            // the last points' anomalies were committed before their model's final snapshot, but are read by another consumer
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < until) {
                poll();
            }
        }

        int lost() {
            return toAccount() - accounted;
        }

        int duplicated() {
            int d = unnumbered;
            for (int i = 0; i < count.length; i++) {
                d += Math.max(0, count[i] - 1) + Math.max(0, anomalies[i] - 1);
            }
            return d;
        }

        /** Inputs whose output, or whose anomaly (one where the other has none, or a different one), differs from the other's. */
        int differingFrom(Tally other) {
            int d = 0;
            for (int i = 0; i < count.length; i++) {
                if (hash[i] != other.hash[i] || assigned[i] != other.assigned[i] || (anomalies[i] > 0) != (other.anomalies[i] > 0)
                        || anomalyHash[i] != other.anomalyHash[i]) {
                    d++;
                }
            }
            return d;
        }

        /** The committed outputs read that carry a sequence number (assignments, dead letters, anomalies). */
        int outputs() {
            return assignmentsRead + deadLettersRead + anomaliesRead - unnumbered;
        }

        int assignmentCount() {
            return assignmentsRead;
        }

        int deadLetterCount() {
            return deadLettersRead;
        }

        int anomalyCount() {
            return anomaliesRead;
        }

        int acceptedHostile(Input input) {
            int n = 0;
            for (int i = 0; i < count.length; i++) {
                if (input.hostile[i] && assigned[i]) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public void close() {
            assignments.close();
            deadLetters.close();
            models.close();
            anomalyReader.close();
        }
    }

    /** One processor JVM with its own state directory, restarted under the same configuration. */
    final class Instance {
        final String name;
        final Path config;
        final List<Path> logs = new ArrayList<>();
        Process process;
        long startedAt;
        long restartAt = -1; // System.nanoTime() at which a dead instance is due back, or -1

        Instance(String name, Map<String, Object> settings) {
            this.name = name;
            config = KafkaTestSupport.propertiesFile(settings, tmp.resolve(name + ".properties"), "state.dir", tmp.resolve("state-" + name).toString());
        }

        boolean alive() {
            return process != null && process.isAlive();
        }

        void start() throws Exception {
            Path log = tmp.resolve(name + "-" + logs.size() + ".log");
            logs.add(log);
            process = CrashRecoveryIntegrationTest.startChild(config, log);
            startedAt = System.nanoTime();
            restartAt = -1;
        }

        void kill() throws InterruptedException {
            if (process != null) {
                process.destroyForcibly(); // SIGKILL
                assertTrue(process.waitFor(30, TimeUnit.SECONDS), name + " did not die");
            }
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }

        /** SIGSTOP: the whole JVM frozen, as in a long GC pause or a stopped container; its sockets stay open. */
        void pause() throws Exception {
            signal("STOP");
        }

        /** SIGCONT. */
        void resume() throws Exception {
            signal("CONT");
        }

        private void signal(String name) throws Exception {
            Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).redirectErrorStream(true).start();
            String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + name + " " + process.pid() + ": " + said);
        }

        /**
         * The lines of every run of this instance that contain {@code marker} (" ERROR ", say), each prefixed with its log's
         * name; a message that ends with a colon (Kafka's "... due to:") gets its next line, the cause, appended.
         */
        List<String> logLines(String marker) {
            List<String> n = new ArrayList<>();
            for (Path log : logs) {
                try {
                    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                    for (int i = 0; i < lines.size(); i++) {
                        String line = lines.get(i);
                        if (line.contains(marker)) {
                            String cause = line.trim().endsWith(":") && i + 1 < lines.size() ? " | " + lines.get(i + 1).trim() : "";
                            String shown = line.length() > 400 ? line.substring(0, 400) + "..." : line;
                            n.add(log.getFileName() + ": " + shown + (cause.length() > 300 ? cause.substring(0, 300) + "..." : cause));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return n;
        }
    }

    /**
     * The bounce schedule: {@code soak.bounces} events spread over the producer's run, each a cluster node SIGKILLed (in
     * turn) and restarted 5 to 15 s later, every other one with an instance SIGKILLed and restarted at the same moment;
     * the next event at least 25 s after the node is back, so that one node at most is down.
     */
    static final class Bouncer implements Disruption {
        static final int BOUNCES = Integer.getInteger("soak.bounces", 6);
        final List<Instance> instances;
        final ClusterNode.Cluster cluster;
        final Random r = new Random(11);
        final List<String> done = new ArrayList<>();
        int bounces;
        int instanceKills;
        int down = -1;
        long restartAt;
        long nextAt;
        final long spacing;

        Bouncer(List<Instance> instances, ClusterNode.Cluster cluster) {
            this.instances = instances;
            this.cluster = cluster;
            int seconds = Integer.getInteger("soak.bounce.seconds", 240);
            spacing = TimeUnit.SECONDS.toNanos(Math.max(40, (seconds - 30) / Math.max(1, BOUNCES)));
            nextAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        }

        @Override
        public void step() {
            try {
                long now = System.nanoTime();
                for (Instance in : instances) {
                    if (!in.alive() && in.restartAt >= 0 && now >= in.restartAt) {
                        in.start();
                    }
                }
                if (down >= 0 && now >= restartAt) {
                    cluster.start(down);
                    down = -1;
                    nextAt = Math.max(nextAt, now + TimeUnit.SECONDS.toNanos(25));
                }
                if (down < 0 && bounces < BOUNCES && now >= nextAt) {
                    down = bounces % 3;
                    long seconds = 5 + r.nextInt(11);
                    cluster.kill(down);
                    String what = "node " + (down + 1) + " down " + seconds + " s";
                    if (bounces % 2 == 1) {
                        Instance v = instances.get(r.nextInt(instances.size()));
                        if (v.alive()) {
                            v.kill();
                            v.start();
                            instanceKills++;
                            what += " with " + v.name + " killed";
                        }
                    }
                    bounces++;
                    done.add(what);
                    restartAt = now + TimeUnit.SECONDS.toNanos(seconds);
                    nextAt = now + spacing;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean done() {
            return bounces >= BOUNCES && down < 0;
        }

        @Override
        public void end() throws Exception {
            if (down >= 0) {
                cluster.start(down);
                down = -1;
            }
            for (Instance in : instances) {
                if (!in.alive()) {
                    in.start();
                }
            }
        }

        @Override
        public String events() {
            return bounces + " broker bounces, " + instanceKills + " instance kills";
        }

        @Override
        public String summary() {
            return bounces + " bounces: " + String.join("; ", done);
        }
    }

    /**
     * The pause schedule: {@code soak.pauses} pauses spread over the producer's run, each of a random alive instance for
     * 12 to 30 s (the session timeout is 10 s), the next one starting at least 30 s after the last resume.
     */
    static final class Freezer implements Disruption {
        static final int PAUSES = Integer.getInteger("soak.pauses", 4);
        /** Transaction timeout 10 s + the broker's abort check every 10 s + 5 s for the rebalance and the restore. */
        static final double STALL_BOUND_SECONDS = 25;
        final List<Instance> instances;
        final Random r = new Random(7);
        /** Each pause: {start, end} in System.nanoTime(). */
        final List<long[]> windows = new ArrayList<>();
        final List<String> paused = new ArrayList<>();
        Instance frozen;
        long resumeAt;
        long nextAt;
        final long spacing;

        Freezer(List<Instance> instances) {
            this.instances = instances;
            int seconds = Integer.getInteger("soak.zombie.seconds", 180);
            spacing = TimeUnit.SECONDS.toNanos(Math.max(45, (seconds - 20) / Math.max(1, PAUSES)));
            nextAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); // the group forms and every model starts first
        }

        @Override
        public void step() {
            try {
                long now = System.nanoTime();
                if (frozen != null && now >= resumeAt) {
                    frozen.resume();
                    windows.get(windows.size() - 1)[1] = now;
                    frozen = null;
                    nextAt = Math.max(nextAt, now + TimeUnit.SECONDS.toNanos(30));
                }
                if (frozen == null && windows.size() < PAUSES && now >= nextAt) {
                    frozen = instances.get(r.nextInt(instances.size()));
                    long seconds = 12 + r.nextInt(19);
                    frozen.pause();
                    windows.add(new long[] {now, -1});
                    paused.add(frozen.name + " for " + seconds + " s");
                    resumeAt = now + TimeUnit.SECONDS.toNanos(seconds);
                    nextAt = now + spacing;
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public boolean done() {
            return windows.size() >= PAUSES && frozen == null;
        }

        @Override
        public void end() throws Exception {
            if (frozen != null) {
                frozen.resume();
                windows.get(windows.size() - 1)[1] = System.nanoTime();
                frozen = null;
            }
        }

        @Override
        public String events() {
            return windows.size() + " pauses past the session timeout";
        }

        @Override
        public String summary() {
            return windows.size() + " pauses: " + String.join(", ", paused);
        }

        /**
         * A pause is one WARN line that says what happened, not ERRORs that look like faults; and it stalls committed output
         * within the bound: the frozen instance's tasks move after the session timeout (10 s), but their new owner restores
         * and reads past the zombie's open transaction only once the broker aborts it: the producer's transaction timeout
         * (Kafka Streams' 10 s) after it began, found by the broker's check every 10 s
         * (transaction.abort.timed.out.transaction.cleanup.interval.ms).
         */
        @Override
        public void check(Tally out, List<String> errorLines, List<String> pauseWarnings) {
            assertEquals(List.of(), errorLines, "ERROR lines after pauses");
            assertEquals(windows.size(), pauseWarnings.size(), "one WARN line per pause: " + pauseWarnings);
            for (long[] w : windows) {
                double stall = longestStall(out, w);
                assertTrue(stall <= STALL_BOUND_SECONDS, "a pause stalled committed output " + stall + " s, more than " + STALL_BOUND_SECONDS + " s");
            }
        }

        /** The longest wait of a model for its next committed output that began during the pause or spans its start, in s. */
        static double longestStall(Tally out, long[] w) {
            double longest = 0;
            for (Tally.Gap g : out.gaps) {
                if (overlaps(g, w)) {
                    longest = Math.max(longest, (g.to() - g.from()) / 1e9);
                }
            }
            return longest;
        }

        /** A wait that began during the pause {start, end}, or that spans its start. */
        static boolean overlaps(Tally.Gap g, long[] w) {
            return g.from() <= w[1] && g.to() >= w[0];
        }

        /** Per pause, the longest wait of a model for its next committed output across it, and how many models waited over 5 s. */
        @Override
        public List<String> report(Tally out) {
            List<String> lines = new ArrayList<>();
            double worst = 0;
            for (int i = 0; i < windows.size(); i++) {
                long[] w = windows.get(i);
                double longest = longestStall(out, w);
                java.util.Set<String> waited = new java.util.TreeSet<>();
                for (Tally.Gap g : out.gaps) {
                    if (overlaps(g, w) && g.to() - g.from() > TimeUnit.SECONDS.toNanos(5)) {
                        waited.add(g.model());
                    }
                }
                worst = Math.max(worst, longest);
                lines.add(String.format(Locale.ROOT, "pause %d (%s): committed output stalled up to %.1f s; %d of %d models waited over 5 s",
                        i + 1, paused.get(i), longest, waited.size(), MODELS));
            }
            double outside = 0;
            for (Tally.Gap g : out.gaps) {
                boolean overlaps = windows.stream().anyMatch(w -> g.from() <= w[1] + TimeUnit.SECONDS.toNanos(60) && g.to() >= w[0]);
                if (!overlaps) {
                    outside = Math.max(outside, (g.to() - g.from()) / 1e9);
                }
            }
            lines.add(String.format(Locale.ROOT, "stall: at most %.1f s across a pause; at most %.1f s away from the pauses", worst, outside));
            return lines;
        }
    }

    /**
     * The kill schedule: events at random intervals spread over the producer's run. An event kills one
     * instance and restarts it at once (60%), two at once (15%), one and then a second while the first is
     * still rejoining (15%), or one that stays dead past the session timeout so its tasks move (10%).
     */
    static final class Chaos implements Disruption {
        final List<Instance> instances;
        final Random r = new Random(100);
        int kills;
        int events;
        int doubles;
        int duringRejoin;
        int longDead;
        long nextAt;
        Instance followUp; // a second kill due at nextAt while the first victim rejoins
        final long meanGapNanos;

        Chaos(List<Instance> instances) {
            this.instances = instances;
            meanGapNanos = (long) (TimeUnit.SECONDS.toNanos(SECONDS) / Math.max(1.0, KILLS / 1.35));
            nextAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(15) + gap(); // the group forms first
        }

        private long gap() {
            return (long) (meanGapNanos * (0.3 + 1.4 * r.nextDouble()));
        }

        @Override
        public boolean done() {
            return kills >= KILLS;
        }

        @Override
        public void end() throws Exception {
            restartAll();
        }

        @Override
        public String events() {
            return kills + " kills";
        }

        /** Restarts instances that are due back, and runs the next event when its time has come. */
        @Override
        public void step() {
            try {
                long now = System.nanoTime();
                for (Instance in : instances) {
                    if (!in.alive() && in.restartAt >= 0 && now >= in.restartAt) {
                        in.start();
                    }
                }
                if (kills >= KILLS || now < nextAt) {
                    return;
                }
                if (followUp != null) {
                    Instance v = followUp.alive() ? followUp : anyAlive();
                    followUp = null;
                    if (v != null) {
                        killAndRestart(v, 0);
                    }
                    nextAt = now + gap();
                    return;
                }
                Instance v = anyAlive();
                if (v == null) {
                    nextAt = now + TimeUnit.SECONDS.toNanos(1);
                    return;
                }
                events++;
                double u = r.nextDouble();
                if (u < 0.60 || kills + 1 >= KILLS) {
                    killAndRestart(v, 0);
                    nextAt = now + gap();
                } else if (u < 0.75) {
                    doubles++;
                    killAndRestart(v, 0);
                    Instance w = anyAlive();
                    if (w != null) {
                        killAndRestart(w, 0);
                    }
                    nextAt = now + gap();
                } else if (u < 0.90) {
                    duringRejoin++;
                    killAndRestart(v, 0);
                    followUp = r.nextBoolean() ? v : anyAlive(); // the rejoining one itself, or another
                    nextAt = now + TimeUnit.MILLISECONDS.toNanos(500 + r.nextInt(3000));
                } else {
                    longDead++;
                    killAndRestart(v, TimeUnit.SECONDS.toNanos(12 + r.nextInt(4)));
                    nextAt = now + gap();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private Instance anyAlive() {
            List<Instance> alive = instances.stream().filter(Instance::alive).toList();
            return alive.isEmpty() ? null : alive.get(r.nextInt(alive.size()));
        }

        private void killAndRestart(Instance v, long afterNanos) throws Exception {
            v.kill();
            kills++;
            if (afterNanos == 0) {
                v.start();
            } else {
                v.restartAt = System.nanoTime() + afterNanos;
            }
        }

        void restartAll() throws Exception {
            for (Instance in : instances) {
                if (!in.alive()) {
                    in.start();
                }
            }
        }

        @Override
        public String summary() {
            return String.format("%d kills in %d events: %d double kills, %d kills while a victim rejoined, %d instances dead past the session timeout",
                    kills, events, doubles, duringRejoin, longDead);
        }
    }

}
