package dev.onlineem.stream;

/**
 * A record the processor cannot accept (no key, no value, wrong dimension for its model, ...). Thrown
 * before any state changes; the processing-exception handler ({@link DeadLetters.OnProcessing}) sends
 * the record's original bytes to the dead-letter topic with this message as the reason.
 */
public final class BadPointException extends RuntimeException {
    public BadPointException(String message) {
        super(message);
    }
}
