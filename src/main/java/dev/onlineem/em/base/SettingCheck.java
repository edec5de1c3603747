package dev.onlineem.em.base;

/** The one check of a model setting's value: an error naming the setting (by its configuration name) and the accepted range. */
public final class SettingCheck {
    private SettingCheck() {
    }

    /** @throws IllegalArgumentException "setting NAME = VALUE is invalid: it must be EXPECTED" unless ok */
    public static void check(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("setting " + name + " = " + value + " is invalid: it must be " + expected);
        }
    }
}
