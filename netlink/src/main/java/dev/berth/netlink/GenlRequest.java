package dev.berth.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One request to a generic netlink family, for family drivers outside this package (WireGuard's): the
 * {@code genlmsghdr} (command, the family's version), then attributes, written with {@link NlMessageBuilder}'s rules
 * (4-byte alignment, host byte order). Nests opened with {@link #nestStart} carry {@code NLA_F_NESTED}, as libmnl and
 * the kernel's own generic netlink replies do. Send it with {@link GenericNetlink#execute}.
 */
public final class GenlRequest {
    final NlMessageBuilder builder;

    private GenlRequest(NlMessageBuilder builder) {
        this.builder = builder;
    }

    /** A command ({@code doit}), answered by an ACK or an error. */
    public static GenlRequest command(GenlFamily family, int cmd) {
        return new GenlRequest(GenlCodec.message(family.id(), 0, cmd, family.version()));
    }

    /** A dump ({@code NLM_F_DUMP}), answered by any number of messages. */
    public static GenlRequest dump(GenlFamily family, int cmd) {
        return new GenlRequest(GenlCodec.message(family.id(), NlMessage.F_DUMP, cmd, family.version()));
    }

    public GenlRequest u8(int type, int v) {
        builder.attrU8(type, v);
        return this;
    }

    public GenlRequest u16(int type, int v) {
        builder.attrU16(type, v);
        return this;
    }

    public GenlRequest u32(int type, int v) {
        builder.attrU32(type, v);
        return this;
    }

    public GenlRequest u64(int type, long v) {
        builder.attr(type, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(v).array());
        return this;
    }

    /** A value written as given (keys, {@code struct sockaddr_in}, addresses). */
    public GenlRequest bytes(int type, byte[] value) {
        builder.attr(type, value.clone());
        return this;
    }

    /** A NUL-terminated string. */
    public GenlRequest string(int type, String s) {
        builder.attrString(type, s);
        return this;
    }

    /** Opens a nest of {@code type | NLA_F_NESTED}; returns its offset for {@link #nestEnd}. */
    public int nestStart(int type) {
        return builder.nestStart(type | NlAttribute.F_NESTED);
    }

    public GenlRequest nestEnd(int start) {
        builder.nestEnd(start);
        return this;
    }

    /** The message's length so far, headers included: what a caller splitting a large request measures. */
    public int length() {
        return NlMessageBuilder.align(builder.build(0, 0).length);
    }

    /** The bytes as they are sent ({@code NLM_F_REQUEST | NLM_F_ACK} added), for golden tests. */
    public byte[] toBytes(int seq, int portId) {
        builder.addFlags(NlMessage.F_REQUEST | NlMessage.F_ACK);
        return builder.build(seq, portId);
    }
}
