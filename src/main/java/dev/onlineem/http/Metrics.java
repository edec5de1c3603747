package dev.onlineem.http;

import dev.onlineem.stream.DeadLetterCounts;
import dev.onlineem.stream.LiveView;
import dev.onlineem.stream.RestoreTracker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;

/**
 * {@code /metrics}: Kafka Streams' own metrics (Micrometer's {@link KafkaStreamsMetrics} binder, as Spring and
 * Quarkus expose them: {@code kafka_stream_*}, {@code kafka_consumer_*}, {@code kafka_producer_*}), the JVM's,
 * and the service's:
 *
 * <pre>
 * onlineem_points_total                      points scored by this instance
 * onlineem_anomalies_total                   of which flagged
 * onlineem_repeats_total                     of which not flagged because they repeated a recent alert (the repeat rule)
 * onlineem_repairs_total                     times drift repair replaced a model's parameters on this instance
 * onlineem_model_points_total{model}         per model (the http.recent.models most recently updated), for rate()
 * onlineem_dead_letters_total{reason}        records dead-lettered by this instance, by the reason's kind
 * onlineem_update_seconds                    the per-point model update (histogram)
 * onlineem_models_held                       models held in memory by this instance's tasks
 * onlineem_restore_partitions                store partitions restoring from their changelogs now
 * onlineem_restore_remaining_records         records left to restore
 * onlineem_restore_restored_records_total    records restored since start
 * </pre>
 */
final class Metrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final KafkaStreamsMetrics kafka;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final LiveView live;
    private final Map<String, Meter> perModel = new HashMap<>();

    Metrics(KafkaStreams streams, LiveView live, RestoreTracker restore) {
        this.live = live;
        kafka = new KafkaStreamsMetrics(streams);
        kafka.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        FunctionCounter.builder("onlineem.points", live, LiveView::points).description("Points scored by this instance").register(registry);
        FunctionCounter.builder("onlineem.anomalies", live, LiveView::anomalies).description("Points flagged as anomalies by this instance")
                .register(registry);
        FunctionCounter.builder("onlineem.repeats", live, LiveView::repeats)
                .description("Points that would have alerted but repeated one of their model's recent alerts, on this instance").register(registry);
        FunctionCounter.builder("onlineem.repairs", live, LiveView::repairs)
                .description("Times drift repair replaced a model's parameters on this instance").register(registry);
        Gauge.builder("onlineem.models.held", live, LiveView::modelsHeld).description("Models held in memory by this instance's tasks")
                .register(registry);
        Gauge.builder("onlineem.restore.partitions", restore, RestoreTracker::restoring)
                .description("Store partitions restoring from their changelogs now").register(registry);
        Gauge.builder("onlineem.restore.remaining.records", restore, RestoreTracker::remaining)
                .description("Changelog records left to restore").register(registry);
        FunctionCounter.builder("onlineem.restore.restored.records", restore, RestoreTracker::restored)
                .description("Changelog records restored since this instance started").register(registry);
        Timer update = Timer.builder("onlineem.update").description("Per-point model update (score and learn)")
                .serviceLevelObjectives(Duration.ofNanos(500), Duration.ofNanos(1_000), Duration.ofNanos(2_000), Duration.ofNanos(5_000),
                        Duration.ofNanos(10_000), Duration.ofNanos(20_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
                        Duration.ofNanos(1_000_000), Duration.ofNanos(10_000_000), Duration.ofNanos(100_000_000))
                .register(registry);
        live.latencyRecorder(nanos -> update.record(nanos, TimeUnit.NANOSECONDS));
    }

    /** The Prometheus text exposition, after registering the reasons and models that appeared since the last scrape. */
    synchronized String scrape() {
        DeadLetterCounts counts = DeadLetterCounts.get();
        for (String reason : counts.byReason().keySet()) {
            FunctionCounter.builder("onlineem.dead.letters", counts, c -> c.byReason().getOrDefault(reason, 0L))
                    .description("Records dead-lettered by this instance, by the reason's kind").tag("reason", reason).register(registry);
        }
        Map<String, long[]> models = live.counts();
        perModel.entrySet().removeIf(e -> {
            if (!models.containsKey(e.getKey())) {
                registry.remove(e.getValue());
                return true;
            }
            return false;
        });
        for (String id : models.keySet()) {
            perModel.computeIfAbsent(id, k -> FunctionCounter.builder("onlineem.model.points", live, v -> {
                long[] c = v.count(k);
                return c == null ? 0 : c[0];
            }).description("Points of one model scored by this instance").tag("model", k).register(registry));
        }
        return registry.scrape();
    }

    @Override
    public void close() {
        kafka.close();
        gc.close();
        registry.close();
    }
}
