package dev.onlineem.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onlineem.em.OnlineModel;
import dev.onlineem.em.base.ModelSnapshot;
import dev.onlineem.em.features.FeatureStage;
import dev.onlineem.serde.Json;
import dev.onlineem.serde.ModelSnapshotMessage;
import dev.onlineem.stream.LiveView;
import dev.onlineem.stream.StoreQueries;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/** The answers of {@code /models}, {@code /models/{id}} and {@code /models/{id}/recent}: local, or forwarded to the key's owner. */
final class ModelQueries {
    private final KafkaStreams streams;
    private final StoreQueries stores;
    private final LiveView live;
    private final HostInfo self;

    ModelQueries(KafkaStreams streams, LiveView live, HostInfo self, int checkpointPoints) {
        this.streams = streams;
        this.stores = new StoreQueries(streams, checkpointPoints);
        this.live = live;
        this.self = self;
    }

    record Answer(int status, JsonNode body) {
    }

    /** No instance can answer now (a rebalance, a restore): 503, retry. */
    static final class NotAvailable extends RuntimeException {
        NotAvailable(String message) {
            super(message);
        }
    }

    Answer model(String id, boolean recent, boolean forwarded, BiFunction<HostInfo, String, Answer> fetch) {
        KeyQueryMetadata owner = stores.owner(id);
        if (owner == null || owner.equals(KeyQueryMetadata.NOT_AVAILABLE) || owner.activeHost() == null) {
            throw new NotAvailable("no instance owns model " + id + " right now (state " + streams.state() + "); retry shortly");
        }
        if (!owner.activeHost().equals(self)) {
            if (forwarded) {
                throw new NotAvailable("model " + id + " moved to " + owner.activeHost() + " while this request was forwarded; retry");
            }
            Answer a = fetch.apply(owner.activeHost(), "/models/" + HttpApi.encode(id) + (recent ? "/recent" : ""));
            if (a.body() instanceof ObjectNode o && a.status() == 200) {
                o.put("servedBy", self.host() + ":" + self.port());
            }
            return a;
        }
        StoreQueries.Stored stored = stores.read(id, owner.partition());
        LiveView.History history = live.history(id);
        if (stored == null && history == null) {
            return new Answer(404, HttpApi.error("no model " + id + ": it has accepted no point (ids are case-sensitive; see /models)"));
        }
        ObjectNode body = recent ? recent(id, history) : describe(id, stored, history);
        body.put("owner", self.host() + ":" + self.port()).put("servedBy", self.host() + ":" + self.port());
        return new Answer(200, body);
    }

    /** Every model of the application: this instance's, and each other instance's (unless {@code local}). */
    ObjectNode list(boolean local, BiFunction<HostInfo, String, Answer> fetch) {
        ArrayNode models = Json.mapper().createArrayNode();
        ArrayNode instances = Json.mapper().createArrayNode();
        List<StoreQueries.Stored> mine = stores.all();
        for (StoreQueries.Stored s : mine) {
            OnlineModel m = s.model();
            ObjectNode o = models.addObject().put("model", s.id()).put("type", m.kind().label()).put("pointsSeen", m.pointsSeen())
                    .put("version", m.modelVersion()).put("warmup", !m.isInitialised());
            long last = lastPointTs(s, live.last(s.id()));
            if (last > 0) {
                o.put("lastPointTs", last);
            }
            o.put("owner", self.host() + ":" + self.port());
        }
        instances.addObject().put("instance", self.host() + ":" + self.port()).put("models", mine.size());
        if (!local) {
            for (StreamsMetadata md : streams.metadataForAllStreamsClients()) {
                if (md.hostInfo().equals(self) || !md.stateStoreNames().contains(dev.onlineem.stream.OnlineEmTopology.CHECKPOINT_STORE)) {
                    continue;
                }
                Answer a = fetch.apply(md.hostInfo(), "/models?scope=local");
                ObjectNode inst = instances.addObject().put("instance", md.hostInfo().host() + ":" + md.hostInfo().port());
                if (a.status() == 200 && a.body().get("models") instanceof ArrayNode theirs) {
                    models.addAll(theirs);
                    inst.put("models", theirs.size());
                } else {
                    inst.put("error", a.body().path("error").asText("HTTP " + a.status()));
                }
            }
        }
        List<JsonNode> sorted = new ArrayList<>();
        models.forEach(sorted::add);
        sorted.sort((a, b) -> a.get("model").asText().compareTo(b.get("model").asText()));
        ObjectNode out = Json.mapper().createObjectNode();
        out.putArray("models").addAll(sorted);
        out.set("instances", instances);
        return out;
    }

    /** The snapshot as on the models topic, plus the model's state around it. */
    private ObjectNode describe(String id, StoreQueries.Stored stored, LiveView.History history) {
        ObjectNode body;
        OnlineModel m = stored == null ? null : stored.model();
        ModelSnapshot s = m == null ? null : m.snapshot();
        if (s != null) {
            body = Json.mapper().valueToTree(ModelSnapshotMessage.of(id, s));
        } else {
            body = Json.mapper().createObjectNode().put("model", id);
        }
        if (m != null) {
            body.put("type", m.kind().label()).put("pointsSeen", m.pointsSeen()).put("version", m.modelVersion()).put("warmup", !m.isInitialised());
            long last = lastPointTs(stored, live.last(id));
            if (last > 0) {
                body.put("lastPointTs", last);
            }
            body.put("inputDimension", m.dimension());
            FeatureStage f = m.features();
            if (f != null) {
                ObjectNode fs = body.putObject("featureState");
                fs.set("settings", Json.mapper().valueToTree(f.settings()));
                fs.put("inputDimension", m.dimension()).put("outputDimension", f.outputDimension())
                        .put("pastPointsNeeded", f.settings().history());
                ArrayNode names = fs.putArray("names");
                for (String n : f.names()) {
                    names.add(n);
                }
            }
        }
        ObjectNode r = body.putObject("recent");
        if (history == null) {
            r.put("points", 0).put("anomalies", 0).put("note", "no point of this model was processed by this instance since it started");
        } else {
            r.put("points", history.points().size()).put("anomalies", history.recentAnomalies())
                    .put("pointsSinceStart", history.total()).put("anomaliesSinceStart", history.anomalies());
        }
        return body;
    }

    /**
     * The time of the model's last point: as its state or point log keep it, else (a state written before format 7) from this
     * instance's recent points ({@link LiveView#last}: time, count) when they end at the same point; 0 when neither knows.
     */
    private static long lastPointTs(StoreQueries.Stored s, long[] last) {
        if (s.model().lastPointTs() > 0) {
            return s.model().lastPointTs();
        }
        return last != null && last[1] == s.model().pointsSeen() ? last[0] : 0;
    }

    /** The dashboard's data: recent points as scored, weights over time, the last snapshot taken here. */
    private static ObjectNode recent(String id, LiveView.History h) {
        ObjectNode body = Json.mapper().createObjectNode().put("model", id);
        ArrayNode pts = body.putArray("points");
        ArrayNode ws = body.putArray("weights");
        if (h == null) {
            return body.put("pointsSinceStart", 0).put("anomaliesSinceStart", 0);
        }
        for (LiveView.Scored p : h.points()) {
            ObjectNode o = pts.addObject().put("ts", p.ts()).put("seen", p.pointsSeen()).put("warmup", p.warmup());
            numbers(o.putArray("x"), p.x());
            if (!p.warmup()) {
                number(o, "logDensity", p.logDensity());
                number(o, "score", p.anomalyScore());
                number(o, "pValue", p.pValue());
                o.put("anomaly", p.anomaly());
                if (p.beyondRange()) {
                    o.put("beyondRange", true);
                }
                if (p.repeat()) {
                    o.put("repeat", true);
                }
                if (p.regime() >= 0) {
                    o.put("regime", p.regime());
                    numbers(o.putArray("probabilities"), p.probabilities());
                } else {
                    o.put("cluster", p.cluster());
                }
            }
        }
        for (LiveView.Weights w : h.weights()) {
            ObjectNode o = ws.addObject().put("ts", w.ts()).put("seen", w.pointsSeen());
            numbers(o.putArray("w"), w.weights());
        }
        if (h.snapshot() != null) {
            body.set("snapshot", Json.mapper().valueToTree(ModelSnapshotMessage.of(id, h.snapshot())));
        }
        return body.put("pointsSinceStart", h.total()).put("anomaliesSinceStart", h.anomalies());
    }

    private static void number(ObjectNode o, String field, double v) {
        if (Double.isFinite(v)) {
            o.put(field, v);
        } else {
            o.putNull(field);
        }
    }

    private static void numbers(ArrayNode a, double[] v) {
        for (double x : v) {
            if (Double.isFinite(x)) {
                a.add(x);
            } else {
                a.addNull();
            }
        }
    }
}
