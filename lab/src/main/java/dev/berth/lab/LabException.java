package dev.berth.lab;

/** The lab could not be built, found or torn down; the message says what and, where it can, why. */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
