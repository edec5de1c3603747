package dev.onlineem.serde;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes an {@link AssignmentMessage}: the same JSON bytes as the data-binding path (fields in declaration order, absent
 * fields omitted, numbers as Jackson's Schubfach writer gives them), written straight into a reused buffer. The common case
 * (plain ASCII ids, finite numbers) needs no generator per record; anything else (an id to escape or in UTF-8, a non-finite
 * number) goes through Jackson's streaming generator. {@code AssignmentSerializerTest} holds both paths to the data-binding
 * bytes. Thread-safe; one instance serves every task.
 */
public final class AssignmentSerializer implements Serializer<AssignmentMessage> {
    private static final byte[] MODEL = ascii("{\"model\":\"");
    private static final byte[] ID = ascii("\",\"id\":\"");
    private static final byte[] TS_AFTER_ID = ascii("\",\"ts\":");
    /** The compact record's start: no model id. */
    private static final byte[] FIRST_ID = ascii("{\"id\":\"");
    private static final byte[] FIRST_TS = ascii("{\"ts\":");
    private static final byte[] CLUSTER = ascii(",\"cluster\":");
    private static final byte[] RESPONSIBILITIES = ascii(",\"responsibilities\":");
    private static final byte[] REGIME = ascii(",\"regime\":");
    private static final byte[] REGIME_PROBABILITIES = ascii(",\"regimeProbabilities\":");
    private static final byte[] LOG_DENSITY = ascii(",\"logDensity\":");
    private static final byte[] P_VALUE = ascii(",\"pValue\":");
    private static final byte[] ANOMALY_SCORE = ascii(",\"anomalyScore\":");
    private static final byte[] ANOMALY = ascii(",\"anomaly\":");
    private static final byte[] BEYOND_RANGE = ascii(",\"beyondRange\":");
    private static final byte[] REPEAT = ascii(",\"repeat\":");
    private static final byte[] IMPUTED = ascii(",\"imputed\":");
    private static final byte[] MODEL_VERSION = ascii(",\"modelVersion\":");
    private static final byte[] POINTS_SEEN = ascii(",\"pointsSeen\":");
    private static final byte[] WARMUP = ascii(",\"warmup\":");
    private static final byte[] PROVISIONAL = ascii(",\"provisional\":");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final ThreadLocal<Buffer> BUFFERS = ThreadLocal.withInitial(Buffer::new);

    @Override
    public byte[] serialize(String topic, AssignmentMessage a) {
        if (a == null) {
            return null;
        }
        if (plain(a)) {
            Buffer b = BUFFERS.get();
            b.len = 0;
            if (a.model() != null) {
                b.write(MODEL).ascii(a.model());
                if (a.id() != null) {
                    b.write(ID).ascii(a.id());
                }
                b.write(TS_AFTER_ID);
            } else if (a.id() != null) {
                b.write(FIRST_ID).ascii(a.id()).write(TS_AFTER_ID);
            } else {
                b.write(FIRST_TS);
            }
            b.number(a.ts());
            if (a.cluster() != null) {
                b.write(CLUSTER).number(a.cluster());
            }
            b.array(RESPONSIBILITIES, a.responsibilities());
            if (a.regime() != null) {
                b.write(REGIME).number(a.regime());
            }
            b.array(REGIME_PROBABILITIES, a.regimeProbabilities());
            if (a.logDensity() != null) {
                b.write(LOG_DENSITY).number(a.logDensity());
            }
            if (a.pValue() != null) {
                b.write(P_VALUE).number(a.pValue());
            }
            if (a.anomalyScore() != null) {
                b.write(ANOMALY_SCORE).number(a.anomalyScore());
            }
            b.write(ANOMALY).write(a.anomaly() ? TRUE : FALSE);
            if (a.beyondRange() != null) {
                b.write(BEYOND_RANGE).write(a.beyondRange() ? TRUE : FALSE);
            }
            if (a.repeat() != null) {
                b.write(REPEAT).write(a.repeat() ? TRUE : FALSE);
            }
            b.array(IMPUTED, a.imputed());
            b.write(MODEL_VERSION).number(a.modelVersion());
            if (a.pointsSeen() != null) {
                b.write(POINTS_SEEN).number(a.pointsSeen());
            }
            if (a.warmup() != null) {
                b.write(WARMUP).write(a.warmup() ? TRUE : FALSE);
            }
            if (a.provisional() != null) {
                b.write(PROVISIONAL).write(a.provisional() ? TRUE : FALSE);
            }
            b.write('}');
            return Arrays.copyOf(b.bytes, b.len);
        }
        return generated(a);
    }

    /** Whether every string is printable ASCII with nothing to escape, and every number finite. */
    private static boolean plain(AssignmentMessage a) {
        return (a.model() == null || plain(a.model())) && (a.id() == null || plain(a.id())) && finite(a.responsibilities()) && finite(a.regimeProbabilities())
                && finite(a.imputed()) && finite(a.logDensity()) && finite(a.pValue()) && finite(a.anomalyScore());
    }

    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static boolean finite(Double v) {
        return v == null || Double.isFinite(v);
    }

    private static boolean finite(double[] values) {
        if (values != null) {
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** A growable byte buffer, one per thread, reused from record to record. */
    private static final class Buffer {
        byte[] bytes = new byte[512];
        int len;

        private void ensure(int more) {
            if (len + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, len + more));
            }
        }

        Buffer write(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, bytes, len, b.length);
            len += b.length;
            return this;
        }

        Buffer write(char c) {
            ensure(1);
            bytes[len++] = (byte) c;
            return this;
        }

        /** A string already known to be printable ASCII with nothing to escape. */
        Buffer ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                bytes[len++] = (byte) s.charAt(i);
            }
            return this;
        }

        /** Written in place: no String per number. */
        Buffer number(long v) {
            ensure(20);
            len = NumberOutput.outputLong(v, bytes, len);
            return this;
        }

        /** A finite double, as Jackson's fast writer writes it. */
        Buffer number(double v) {
            return ascii(NumberOutput.toString(v, true));
        }

        void array(byte[] field, double[] values) {
            if (values == null) {
                return;
            }
            write(field).write('[');
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    write(',');
                }
                number(values[i]);
            }
            write(']');
        }
    }

    /** Jackson's streaming generator: for ids that need escaping or UTF-8, and for non-finite numbers. */
    private static byte[] generated(AssignmentMessage a) {
        try (ByteArrayBuilder bytes = new ByteArrayBuilder(256)) {
            try (JsonGenerator g = Json.mapper().getFactory().createGenerator(bytes)) {
                g.writeStartObject();
                if (a.model() != null) {
                    g.writeStringField("model", a.model());
                }
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
                if (a.beyondRange() != null) {
                    g.writeBooleanField("beyondRange", a.beyondRange());
                }
                if (a.repeat() != null) {
                    g.writeBooleanField("repeat", a.repeat());
                }
                writeArray(g, "imputed", a.imputed());
                g.writeNumberField("modelVersion", a.modelVersion());
                if (a.pointsSeen() != null) {
                    g.writeNumberField("pointsSeen", a.pointsSeen());
                }
                if (a.warmup() != null) {
                    g.writeBooleanField("warmup", a.warmup());
                }
                if (a.provisional() != null) {
                    g.writeBooleanField("provisional", a.provisional());
                }
                g.writeEndObject();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new SerializationException("cannot write assignment " + (a.model() != null ? "for model " + a.model() : "of point " + a.id()) + ": "
                    + e.getMessage(), e);
        }
    }

    private static void writeArray(JsonGenerator g, String name, double[] values) throws IOException {
        if (values != null) {
            g.writeFieldName(name);
            g.writeArray(values, 0, values.length);
        }
    }
}
