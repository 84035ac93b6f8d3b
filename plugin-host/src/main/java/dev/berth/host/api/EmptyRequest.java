package dev.berth.host.api;

/** Methods whose request carries nothing (GetCapabilities, List ...): any JSON object or an empty body. */
public record EmptyRequest() implements Identified {
    public static final EmptyRequest INSTANCE = new EmptyRequest();

    @Override
    public String ids() {
        return "";
    }
}
