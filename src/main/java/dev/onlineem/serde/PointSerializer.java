package dev.onlineem.serde;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.serialization.Serializer;

/** Writes a point in the input format (NaN as null), for the {@code produce} and {@code demo} commands. */
public final class PointSerializer implements Serializer<Point> {
    @Override
    public byte[] serialize(String topic, Point p) {
        if (p == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(32 + 24 * p.x().length).append('{');
        if (p.id() != null) {
            sb.append("\"id\":");
            appendString(sb, p.id());
            sb.append(',');
        }
        if (p.ts() != null) {
            sb.append("\"ts\":").append(p.ts()).append(',');
        }
        sb.append("\"x\":[");
        for (int i = 0; i < p.x().length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            double v = p.x()[i];
            sb.append(Double.isNaN(v) ? "null" : Double.toString(v));
        }
        return sb.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
