package dev.onlineem.stream;

import dev.onlineem.config.OnlineEmConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.LoggerFactory;

/** Starts and stops the processor: creates missing topics, runs {@link OnlineEmTopology} in a {@link KafkaStreams}. */
public final class StreamApp implements AutoCloseable {
    private final KafkaStreams streams;
    private final LiveView live;
    private final RestoreTracker restore;
    /** Says in one WARN line when this JVM was stopped past its session timeout (see {@link PauseWatch}). */
    private final PauseWatch pauses;
    /** Counted down when the processor enters ERROR (a refused permission stops it). */
    private final java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);
    /** The refused permission that stopped the processor, as its ERROR line says it; null while none has. */
    private final java.util.concurrent.atomic.AtomicReference<String> refusal = new java.util.concurrent.atomic.AtomicReference<>();

    private StreamApp(KafkaStreams streams, LiveView live, RestoreTracker restore, PauseWatch pauses) {
        this.streams = streams;
        this.pauses = pauses;
        this.live = live;
        this.restore = restore;
    }

    /**
     * Creates the topology's topics where they are missing, then starts the processor; with {@code http.port}
     * set, its processors also report to a {@link LiveView} for the HTTP server.
     */
    public static StreamApp start(OnlineEmConfig config, int partitions) {
        createTopics(config, partitions);
        // with http.recent.enabled=false no raw point is served, so none is kept beyond the last one per model
        LiveView live = config.httpPort() > 0 ? new LiveView(config.getBoolean(OnlineEmConfig.HTTP_RECENT_ENABLED_CONFIG)
                ? config.getInt(OnlineEmConfig.HTTP_RECENT_POINTS_CONFIG) : 1,
                config.getInt(OnlineEmConfig.HTTP_RECENT_MODELS_CONFIG), config.getInt(OnlineEmConfig.HTTP_HISTORY_EVERY_POINTS_CONFIG)) : null;
        RestoreTracker restore = new RestoreTracker();
        Properties properties = properties(config);
        UncheckpointedState.wipe(properties);
        KafkaStreams s = new KafkaStreams(OnlineEmTopology.build(config, live), properties);
        // a failed stream thread is replaced rather than taking the application down, but a permission the cluster refuses
        // stops this instance with the permission named: a new thread would be refused again, for ever
        StreamApp app = new StreamApp(s, live, restore, PauseWatch.start(properties));
        s.setUncaughtExceptionHandler(e -> onUncaught(e, properties, app.refusal));
        s.setGlobalStateRestoreListener(restore);
        s.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.ERROR) {
                app.failed.countDown();
            }
        });
        s.start();
        return app;
    }

    /** What a stream thread's uncaught exception does: REPLACE_THREAD, or SHUTDOWN_CLIENT with one ERROR line for a refused permission. */
    static StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onUncaught(Throwable e, Properties properties,
            java.util.concurrent.atomic.AtomicReference<String> refusal) {
        org.apache.kafka.common.errors.AuthorizationException denied = AuthorizationFailure.find(e);
        if (denied == null) {
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        }
        String line = AuthorizationFailure.describe(denied, null, properties);
        refusal.compareAndSet(null, line);
        LoggerFactory.getLogger(StreamApp.class).error("{}", line);
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    }

    /**
     * The Kafka Streams properties of the processor: the configuration's ({@link OnlineEmConfig#streamsProperties()}) with the
     * bounded dead-letter handlers ({@link DeadLetters}) where the user set none.
     */
    public static Properties properties(OnlineEmConfig config) {
        Properties p = config.streamsProperties();
        p.putIfAbsent(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.OnDeserialization.class.getName());
        p.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.OnProcessing.class.getName());
        p.putIfAbsent(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetters.OnProduction.class.getName());
        return p;
    }

    /** What the processors show the HTTP server, or null when {@code http.port} is not set. */
    public LiveView liveView() {
        return live;
    }

    public RestoreTracker restoreTracker() {
        return restore;
    }

    /** Thrown when the service's topics are missing or set up in a way it cannot work with; the message names the topic and the fix. */
    public static final class TopicSetupException extends RuntimeException {
        TopicSetupException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Input, output and dead-letter topics; the models topic compacted. Topics that exist are described, not created (no
     * CREATE needed on them); missing ones are created when {@code topics.create} is true, and otherwise stop the start with
     * the topic named. The models topic must be compacted and the dead-letter topic take {@code max.record.bytes}.
     *
     * @throws TopicSetupException naming the topic and the fix
     */
    public static void createTopics(OnlineEmConfig config, int partitions) {
        Properties admin = new Properties();
        config.streamsProperties().forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(String.valueOf(k))) {
                admin.put(k, v);
            }
        });
        boolean create = config.getBoolean(OnlineEmConfig.TOPICS_CREATE_CONFIG);
        List<NewTopic> topics = new ArrayList<>();
        for (String t : List.of(config.pointsTopic(), config.ticksTopic(), config.assignmentsTopic(), config.anomaliesTopic(), config.regimesTopic())) {
            boolean wide = t.equals(config.pointsTopic()) || t.equals(config.ticksTopic()) || t.equals(config.assignmentsTopic());
            topics.add(new NewTopic(t, wide ? partitions : 1, (short) -1));
        }
        topics.add(new NewTopic(config.deadLetterTopic(), 1, (short) -1)
                .configs(Map.of("max.message.bytes", String.valueOf(config.deadLetterMaxBytes()))));
        topics.add(new NewTopic(config.modelsTopic(), 1, (short) -1).configs(Map.of("cleanup.policy", "compact")));
        try (Admin a = Admin.create(admin)) {
            Set<String> existing = new HashSet<>();
            for (NewTopic t : topics) {
                if (exists(a, t.name(), admin)) {
                    existing.add(t.name());
                } else if (!create) {
                    throw new TopicSetupException("topic " + t.name() + " does not exist and topics.create=false: create it (" + describe(t)
                            + "), or set topics.create=true to have the service create its missing topics", null);
                } else {
                    createOne(a, t, admin);
                }
            }
            verify(a, config, existing);
        }
    }

    private static String describe(NewTopic t) {
        return t.configs() == null || t.configs().isEmpty() ? "any partitions" : "with " + t.configs();
    }

    private static boolean exists(Admin a, String topic, Properties client) {
        try {
            a.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return false;
            }
            org.apache.kafka.common.errors.AuthorizationException denied = AuthorizationFailure.find(e.getCause());
            if (denied != null) {
                throw new TopicSetupException("cannot describe topic " + topic + ": " + AuthorizationFailure.describe(denied, "DESCRIBE", client), denied);
            }
            throw new TopicSetupException("cannot describe topic " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicSetupException("interrupted while describing topic " + topic, e);
        } catch (TimeoutException e) {
            throw new TopicSetupException("timed out describing topic " + topic + ": is bootstrap.servers reachable?", e);
        }
    }

    private static void createOne(Admin a, NewTopic t, Properties client) {
        try {
            a.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            org.apache.kafka.common.errors.AuthorizationException denied = AuthorizationFailure.find(e.getCause());
            if (denied != null) {
                throw new TopicSetupException("cannot create topic " + t.name() + ": " + AuthorizationFailure.describe(denied, "CREATE", client)
                        + "; or create it yourself (" + describe(t) + ")", denied);
            }
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new TopicSetupException("cannot create topic " + t.name() + ": " + e.getCause().getMessage()
                        + " (create it yourself, " + describe(t) + ", and the service will use it)", e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicSetupException("interrupted while creating topic " + t.name(), e);
        } catch (TimeoutException e) {
            throw new TopicSetupException("timed out creating topic " + t.name() + ": is bootstrap.servers reachable?", e);
        }
    }

    /**
     * The settings the service relies on, of the topics that existed before it started: a compacted models topic, a dead-letter
     * topic that takes the largest dead letter. A principal without DESCRIBE_CONFIGS cannot be checked: a warning says so.
     */
    private static void verify(Admin a, OnlineEmConfig config, Set<String> existing) {
        List<ConfigResource> resources = new ArrayList<>();
        for (String t : List.of(config.modelsTopic(), config.deadLetterTopic())) {
            if (existing.contains(t)) {
                resources.add(new ConfigResource(ConfigResource.Type.TOPIC, t));
            }
        }
        if (resources.isEmpty()) {
            return;
        }
        Map<ConfigResource, Config> configs;
        try {
            configs = a.describeConfigs(resources).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicAuthorizationException) {
                LoggerFactory.getLogger(StreamApp.class).warn("cannot check the settings of topics {}: {}; grant DESCRIBE_CONFIGS on them, "
                        + "or make sure by hand that {} has cleanup.policy=compact and {} max.message.bytes >= {}", existing,
                        e.getCause().getMessage(), config.modelsTopic(), config.deadLetterTopic(), config.deadLetterMaxBytes());
                return;
            }
            throw new TopicSetupException("cannot describe the settings of topics " + existing + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new TopicSetupException("cannot describe the settings of topics " + existing + ": " + e, e);
        }
        for (ConfigResource r : resources) { // the models topic first
            Map.Entry<ConfigResource, Config> e = Map.entry(r, configs.get(r));
            String topic = r.name();
            if (topic.equals(config.modelsTopic())) {
                ConfigEntry policy = e.getValue().get("cleanup.policy");
                if (policy == null || !policy.value().contains("compact")) {
                    throw new TopicSetupException("topic " + topic + " (models.topic) has cleanup.policy=" + (policy == null ? "?" : policy.value())
                            + ": the latest snapshot of every model must stay, so it must be compacted (kafka-configs.sh --alter --entity-type topics "
                            + "--entity-name " + topic + " --add-config cleanup.policy=compact)", null);
                }
            }
            if (topic.equals(config.deadLetterTopic())) {
                ConfigEntry max = e.getValue().get("max.message.bytes");
                if (max != null && Long.parseLong(max.value()) < config.deadLetterMaxBytes()) {
                    throw new TopicSetupException("topic " + topic + " (dead.letter.topic) has max.message.bytes=" + max.value() + ", below the "
                            + config.deadLetterMaxBytes() + " a dead letter of max.record.bytes can take: raise it (kafka-configs.sh --alter "
                            + "--entity-type topics --entity-name " + topic + " --add-config max.message.bytes=" + config.deadLetterMaxBytes()
                            + ") or lower max.record.bytes", null);
                }
            }
        }
    }

    public KafkaStreams streams() {
        return streams;
    }

    /** The ERROR line of the refused permission that stopped the processor, or null. */
    public String refusal() {
        return refusal.get();
    }

    /** Waits until the processor has failed (entered ERROR); for {@code run}, which then exits. */
    public void awaitFailure() throws InterruptedException {
        failed.await();
    }

    /** Waits until the processor is RUNNING, or throws after the timeout. */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("processor not RUNNING after " + timeout + " (state " + streams.state() + ")");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        pauses.close();
    }
}
