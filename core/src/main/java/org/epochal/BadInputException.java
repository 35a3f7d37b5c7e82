package org.epochal;

/**
 * A user-facing error: bad data, a bad weights file, an impossible shape. The message alone must tell
 * the user what was wrong and where (file, line, key, layer), so callers print it without a stack trace.
 */
public class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
