package dev.onlineem.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onlineem.broker.EmbeddedKafkaBroker;
import dev.onlineem.cli.Main;
import dev.onlineem.config.OnlineEmConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service on a secured cluster: a SASL_SSL listener (SCRAM-SHA-512, a certificate made here), Kafka's StandardAuthorizer
 * with no access where no ACL says so, the service's principal holding exactly the ACLs the README lists for
 * {@code topics.create=false}; it scores every point, a principal without ACLs is refused, and a service denied WRITE on its
 * models topic stops rather than retry for ever.
 */
@Tag("integration")
class SecuredClusterIntegrationTest {
    private static final String PASSWORD = "changeit";
    private static final String APP = "sec-app";
    private static final int POINTS = 300;

    @TempDir
    Path tmp;

    private static Properties client(EmbeddedKafkaBroker broker, Path truststore, String user, String password) {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", "SCRAM-SHA-512");
        p.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";");
        p.put("ssl.truststore.location", truststore.toString());
        p.put("ssl.truststore.password", PASSWORD);
        p.put("ssl.truststore.type", "PKCS12");
        return p;
    }

    /**
     * The service's ACLs with topics.create=false, as the README lists them for kafka-acls.sh: READ on its input topics, WRITE on
     * its output topics, DESCRIBE and DESCRIBE_CONFIGS on all of them (to check them at start); its own internal topics (the
     * state changelog, named after the application id) to create and use; its group; its transactional ids (exactly-once).
     */
    static List<AclBinding> serviceAcls(String principal, String app) {
        List<AclBinding> acls = new ArrayList<>();
        for (String t : List.of("sec-points", "sec-ticks", "sec-assignments", "sec-anomalies", "sec-regimes", "sec-models", "sec-dlq")) {
            ResourcePattern topic = new ResourcePattern(ResourceType.TOPIC, t, PatternType.LITERAL);
            acls.add(allow(topic, principal, t.equals("sec-points") || t.equals("sec-ticks") ? AclOperation.READ : AclOperation.WRITE));
            acls.add(allow(topic, principal, AclOperation.DESCRIBE));
            acls.add(allow(topic, principal, AclOperation.DESCRIBE_CONFIGS));
        }
        ResourcePattern internal = new ResourcePattern(ResourceType.TOPIC, app, PatternType.PREFIXED);
        for (AclOperation op : List.of(AclOperation.CREATE, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS)) {
            acls.add(allow(internal, principal, op));
        }
        acls.add(allow(new ResourcePattern(ResourceType.GROUP, app, PatternType.LITERAL), principal, AclOperation.READ));
        ResourcePattern transactions = new ResourcePattern(ResourceType.TRANSACTIONAL_ID, app, PatternType.PREFIXED);
        acls.add(allow(transactions, principal, AclOperation.WRITE));
        acls.add(allow(transactions, principal, AclOperation.DESCRIBE));
        return acls;
    }

    private static AclBinding allow(ResourcePattern r, String principal, AclOperation op) {
        return new AclBinding(r, new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
    }

    private Map<String, Object> serviceSettings(EmbeddedKafkaBroker broker, Path truststore, String user, String password, String app) {
        // the integration tests' settings, topics sec-points, sec-assignments, ..., sec-dlq
        Map<String, Object> m = StreamingIntegrationTest.config(broker.bootstrapServers(), "sec-", tmp.resolve("state-" + app));
        client(broker, truststore, user, password).forEach((k, v) -> m.put(String.valueOf(k), v));
        m.put("application.id", app);
        m.put("topics.create", "false");
        m.put("model.init.points", "20");
        m.put("snapshot.every.points", "50");
        return m;
    }

    @Test
    void shouldScoreOnASecuredClusterWithItsAclsAndRefuseThoseWithout() throws Exception {
        Path keystore = tmp.resolve("broker.p12");
        Process kt = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-genkeypair", "-keyalg", "RSA",
                "-keysize", "2048", "-alias", "broker", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        String ktOut = new String(kt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, kt.waitFor(), ktOut);
        List<String> users = List.of("SCRAM-SHA-512=[name=admin,password=admin-secret]", "SCRAM-SHA-512=[name=em-service,password=svc-secret]",
                "SCRAM-SHA-512=[name=em-nowrite,password=deny-secret]", "SCRAM-SHA-512=[name=em-nogroup,password=deny-secret]",
                "SCRAM-SHA-512=[name=em-notxn,password=deny-secret]", "SCRAM-SHA-512=[name=intruder,password=bad-secret]",
                "SCRAM-SHA-512=[name=em-producer,password=prod-secret]");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.startSecuredTemporary(new EmbeddedKafkaBroker.Secured(keystore, PASSWORD, users));
             Admin admin = Admin.create(client(broker, keystore, "admin", "admin-secret"))) {
            // the administrator's topics and the service's ACLs; em-nowrite has the same but is denied WRITE on the models topic
            List<NewTopic> topics = new ArrayList<>();
            for (String t : List.of("sec-points", "sec-ticks", "sec-assignments", "sec-anomalies", "sec-regimes")) {
                topics.add(new NewTopic(t, 1, (short) 1));
            }
            topics.add(new NewTopic("sec-models", 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
            topics.add(new NewTopic("sec-dlq", 1, (short) 1).configs(Map.of("max.message.bytes", "1310720")));
            admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
            List<AclBinding> acls = new ArrayList<>(serviceAcls("User:em-service", APP));
            for (Denial d : DENIALS) {
                acls.addAll(serviceAcls("User:" + d.user(), APP + "-" + d.user()));
                acls.add(d.deny());
            }
            // a producer that may only write points
            acls.add(allow(new ResourcePattern(ResourceType.TOPIC, "sec-points", PatternType.LITERAL), "User:em-producer", AclOperation.WRITE));
            admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);

            // the service scores every point
            OnlineEmConfig config = new OnlineEmConfig(serviceSettings(broker, keystore, "em-service", "svc-secret", APP));
            Properties producer = client(broker, keystore, "admin", "admin-secret");
            producer.put("key.serializer", ByteArraySerializer.class.getName());
            producer.put("value.serializer", ByteArraySerializer.class.getName());
            Random r = new Random(3);
            try (StreamApp app = StreamApp.start(config, 1)) {
                app.awaitRunning(Duration.ofSeconds(90));
                // produce --config: the client settings of a properties file reach a secured cluster
                StringBuilder csv = new StringBuilder("a,b\n");
                for (int i = 0; i < POINTS; i++) {
                    csv.append((i % 2) * 5 + r.nextGaussian()).append(',').append(r.nextGaussian()).append('\n');
                }
                Path data = Files.writeString(tmp.resolve("points.csv"), csv);
                Properties file = client(broker, keystore, "em-producer", "prod-secret");
                file.put("points.topic", "sec-points");
                Path clientFile = tmp.resolve("producer.properties");
                try (var w = Files.newBufferedWriter(clientFile)) {
                    file.store(w, null);
                }
                assertEquals(0, Main.commandLine().execute("produce", "--config", clientFile.toString(), "--input", data.toString(), "--model", "m-0"));
                assertEquals(POINTS, countCommitted(broker, keystore, "sec-assignments", POINTS, Duration.ofMinutes(2)), "one assignment a point");
            }

            // a principal without ACLs reads nothing
            Properties intruder = client(broker, keystore, "intruder", "bad-secret");
            intruder.put("key.deserializer", ByteArrayDeserializer.class.getName());
            intruder.put("value.deserializer", ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(intruder)) {
                c.assign(List.of(new TopicPartition("sec-assignments", 0)));
                c.seekToBeginning(c.assignment());
                assertThrows(AuthorizationException.class, () -> c.poll(Duration.ofSeconds(10)));
            }

            // each missing permission stops the service within 30 s, its ERROR line naming principal, resource and operation,
            // and no refusal is counted as rejected input
            long deadLettersBefore = DeadLetterCounts.get().total();
            for (Denial d : DENIALS) {
                OnlineEmConfig denied = new OnlineEmConfig(serviceSettings(broker, keystore, d.user(), "deny-secret", APP + "-" + d.user()));
                long t0 = System.nanoTime();
                try (StreamApp app = StreamApp.start(denied, 1)) {
                    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producer)) {
                        for (int i = 0; i < 60; i++) {
                            p.send(new ProducerRecord<>("sec-points", "n-0".getBytes(StandardCharsets.UTF_8),
                                    ("{\"x\":[" + r.nextGaussian() + "," + r.nextGaussian() + "]}").getBytes(StandardCharsets.UTF_8)));
                        }
                    }
                    long deadline = t0 + Duration.ofSeconds(30).toNanos();
                    while (app.streams().state() != KafkaStreams.State.ERROR) {
                        assertTrue(System.nanoTime() < deadline, d + ": the service did not stop within 30 s: " + app.streams().state());
                        Thread.sleep(100);
                    }
                    String line = app.refusal();
                    System.out.printf("secured cluster: %s stopped after %.1f s: %s%n", d, (System.nanoTime() - t0) / 1e9, line);
                    assertTrue(line != null && line.contains("User:" + d.user()) && line.contains(d.denied().name()) && line.contains(d.resource()),
                            d + ": the ERROR line names principal, resource and operation: " + line);
                }
            }
            assertEquals(deadLettersBefore, DeadLetterCounts.get().total(), "a refused permission is not counted as rejected input");
        }
    }

    /** A principal with the service's ACLs but one: denied the operation on the resource. */
    record Denial(String user, ResourceType type, String resource, AclOperation denied) {
        AclBinding deny() {
            // transactional ids are the application id followed by the instance and thread
            PatternType pattern = type == ResourceType.TRANSACTIONAL_ID ? PatternType.PREFIXED : PatternType.LITERAL;
            return new AclBinding(new ResourcePattern(type, resource, pattern), new AccessControlEntry("User:" + user, "*", denied, AclPermissionType.DENY));
        }
    }

    private static final List<Denial> DENIALS = List.of(
            new Denial("em-nowrite", ResourceType.TOPIC, "sec-models", AclOperation.WRITE),
            new Denial("em-nogroup", ResourceType.GROUP, APP + "-em-nogroup", AclOperation.READ),
            new Denial("em-notxn", ResourceType.TRANSACTIONAL_ID, APP + "-em-notxn", AclOperation.WRITE));

    /** Counts committed records of the topic until there are {@code expected} or the time is up. */
    private static int countCommitted(EmbeddedKafkaBroker broker, Path truststore, String topic, int expected, Duration timeout) {
        Properties p = client(broker, truststore, "admin", "admin-secret");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        p.put("isolation.level", "read_committed");
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
            c.assign(List.of(new TopicPartition(topic, 0)));
            c.seekToBeginning(c.assignment());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (n < expected && System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                n += records.count();
            }
        }
        return n;
    }
}
