package dev.onlineem.stream;

import dev.onlineem.config.OnlineEmConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/** Starts and stops the processor: creates missing topics, runs {@link OnlineEmTopology} in a {@link KafkaStreams}. */
public final class StreamApp implements AutoCloseable {
    private final KafkaStreams streams;
    private final LiveView live;
    private final RestoreTracker restore;

    private StreamApp(KafkaStreams streams, LiveView live, RestoreTracker restore) {
        this.streams = streams;
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
        UncheckpointedState.wipe(config.streamsProperties());
        KafkaStreams s = new KafkaStreams(OnlineEmTopology.build(config, live), config.streamsProperties());
        // a failed stream thread is replaced rather than taking the application down
        s.setUncaughtExceptionHandler(e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
        s.setGlobalStateRestoreListener(restore);
        s.start();
        return new StreamApp(s, live, restore);
    }

    /** What the processors show the HTTP server, or null when {@code http.port} is not set. */
    public LiveView liveView() {
        return live;
    }

    public RestoreTracker restoreTracker() {
        return restore;
    }

    /** Input, output and dead-letter topics; the models topic is compacted. Existing topics are left as they are. */
    public static void createTopics(OnlineEmConfig config, int partitions) {
        Properties admin = new Properties();
        config.streamsProperties().forEach((k, v) -> {
            if (AdminClientConfig.configNames().contains(String.valueOf(k))) {
                admin.put(k, v);
            }
        });
        List<NewTopic> topics = new ArrayList<>();
        for (String t : List.of(config.pointsTopic(), config.ticksTopic(), config.assignmentsTopic(), config.anomaliesTopic(), config.regimesTopic())) {
            boolean wide = t.equals(config.pointsTopic()) || t.equals(config.ticksTopic()) || t.equals(config.assignmentsTopic());
            topics.add(new NewTopic(t, wide ? partitions : 1, (short) -1));
        }
        topics.add(new NewTopic(config.deadLetterTopic(), 1, (short) -1)
                .configs(Map.of("max.message.bytes", String.valueOf(config.deadLetterMaxBytes()))));
        topics.add(new NewTopic(config.modelsTopic(), 1, (short) -1).configs(Map.of("cleanup.policy", "compact")));
        try (Admin a = Admin.create(admin)) {
            for (NewTopic t : topics) {
                try {
                    a.createTopics(List.of(t)).all().get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + t.name() + ": " + e.getCause().getMessage(), e);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topics", e);
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("timed out creating topic " + t.name() + ": is bootstrap.servers reachable?", e);
                }
            }
        }
    }

    public KafkaStreams streams() {
        return streams;
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
    }
}
