package dev.onlineem.serde;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes an {@link AssignmentMessage} with Jackson's streaming generator: the same JSON as the
 * data-binding path (fields in declaration order, absent fields omitted), without per-record
 * reflection. Thread-safe; one instance serves every task.
 */
public final class AssignmentSerializer implements Serializer<AssignmentMessage> {
    @Override
    public byte[] serialize(String topic, AssignmentMessage a) {
        if (a == null) {
            return null;
        }
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(256)) {
            try (JsonGenerator g = Json.mapper().getFactory().createGenerator(bytes)) {
                g.writeStartObject();
                g.writeStringField("model", a.model());
                if (a.id() != null) {
                    g.writeStringField("id", a.id());
                }
                g.writeNumberField("ts", a.ts());
                if (a.cluster() != null) {
                    g.writeNumberField("cluster", a.cluster());
                }
                writeArray(g, "responsibilities", a.responsibilities());
                if (a.regime() != null) {
                    g.writeNumberField("regime", a.regime());
                }
                writeArray(g, "regimeProbabilities", a.regimeProbabilities());
                if (a.logDensity() != null) {
                    g.writeNumberField("logDensity", a.logDensity());
                }
                if (a.pValue() != null) {
                    g.writeNumberField("pValue", a.pValue());
                }
                if (a.anomalyScore() != null) {
                    g.writeNumberField("anomalyScore", a.anomalyScore());
                }
                g.writeBooleanField("anomaly", a.anomaly());
                writeArray(g, "imputed", a.imputed());
                g.writeNumberField("modelVersion", a.modelVersion());
                g.writeNumberField("pointsSeen", a.pointsSeen());
                g.writeBooleanField("warmup", a.warmup());
                g.writeEndObject();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot write assignment for model " + a.model() + ": " + e.getMessage(), e);
        }
    }

    private static void writeArray(JsonGenerator g, String name, double[] values) throws IOException {
        if (values != null) {
            g.writeFieldName(name);
            g.writeArray(values, 0, values.length);
        }
    }
}
