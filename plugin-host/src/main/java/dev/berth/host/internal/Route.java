package dev.berth.host.internal;

import java.util.function.Function;

/** One protocol method: {@code /<Interface>.<Method>} bound to a driver call taking a wire record. */
record Route<Q>(String method, Class<Q> requestType, Function<Q, ?> handler) {

    /** Invokes the driver with an already validated request. */
    Object invoke(Object request) {
        return handler.apply(requestType.cast(request));
    }
}
