package dev.onlineem.em.base;

import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The configuration names of the core's enums: each constant's name in lower case, parsed case-insensitively. */
public final class Labels {
    private Labels() {
    }

    /** {@code FULL} is {@code full}, {@code HMM} is {@code hmm}. */
    public static String of(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The constant whose label is {@code s} (case and surrounding spaces ignored), or null. */
    public static <E extends Enum<E>> E find(Class<E> type, String s) {
        for (E e : type.getEnumConstants()) {
            if (of(e).equalsIgnoreCase(s.trim())) {
                return e;
            }
        }
        return null;
    }

    /**
     * The constant whose label is {@code s}.
     *
     * @param what the setting's meaning for the message, e.g. "covariance type"
     * @throws IllegalArgumentException naming the accepted labels
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String s, String what) {
        E e = find(type, s);
        if (e == null) {
            throw new IllegalArgumentException(what + " '" + s + "' is not one of " + list(type));
        }
        return e;
    }

    /** The labels of every constant, comma-separated, in declaration order. */
    public static String list(Class<? extends Enum<?>> type) {
        return Stream.of(type.getEnumConstants()).map(Labels::of).collect(Collectors.joining(", "));
    }
}
