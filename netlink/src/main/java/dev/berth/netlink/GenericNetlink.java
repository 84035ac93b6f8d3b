package dev.berth.netlink;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@code NETLINK_GENERIC} socket bound to one network namespace, with family resolution through the kernel's
 * controller. The ground for families such as WireGuard's: resolve the family's ID once, then send it commands.
 * Safe for any thread; AutoCloseable.
 */
public final class GenericNetlink implements AutoCloseable {
    /** {@code GENL_NAMSIZ - 1}. */
    public static final int MAX_NAME_BYTES = 15;

    private final NlSocket socket;

    private GenericNetlink(NlSocket socket) {
        this.socket = socket;
    }

    /** On the calling thread's network namespace. */
    public static GenericNetlink open() {
        return new GenericNetlink(NlSocket.open(NlSocket.NETLINK_GENERIC));
    }

    /** On another namespace, entered by a short-lived thread of its own (see {@link NetlinkHandle#open(Netns)}). */
    public static GenericNetlink open(Netns ns) {
        return new GenericNetlink(NetnsThread.call(ns, "open generic netlink in netns " + ns,
                () -> NlSocket.open(NlSocket.NETLINK_GENERIC)));
    }

    /**
     * The family named {@code name}; {@code NOT_FOUND} when the kernel has none (module absent). Equivalent to:
     * {@code genl ctrl get name NAME}.
     */
    public GenlFamily family(String name) {
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("a generic netlink family name has 1-" + MAX_NAME_BYTES
                    + " bytes: '" + name + "'");
        }
        String op = "genl ctrl get name " + name;
        for (NlMessage m : socket.request(GenlCodec.getFamily(name), op)) {
            GenlFamily f = GenlCodec.parseFamily(m);
            if (f != null) {
                return f;
            }
        }
        throw new NetlinkException(op, Errno.ENOENT, "no CTRL_CMD_NEWFAMILY in the reply");
    }

    /** Every registered family. Equivalent to: {@code genl ctrl list}. */
    public List<GenlFamily> families() {
        List<GenlFamily> out = new ArrayList<>();
        for (NlMessage m : socket.request(GenlCodec.dumpFamilies(), "genl ctrl list")) {
            GenlFamily f = GenlCodec.parseFamily(m);
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    /**
     * Sends one command to a family and returns the data messages of its reply (their attributes start after
     * {@link GenlCodec#GENL_HDR_LEN} plus the family's header). For the family drivers built on this class.
     */
    List<NlMessage> request(GenlFamily family, int cmd, int flags, Consumer<NlMessageBuilder> attrs, String op) {
        NlMessageBuilder b = GenlCodec.message(family.id(), flags, cmd, family.version());
        attrs.accept(b);
        return socket.request(b, op);
    }

    /**
     * Sends a family's request and returns the attributes of each data message of the reply, in order: none for a
     * command the kernel acknowledged, all of them for a dump (a dump the kernel marks interrupted is read again).
     * {@code op} names the operation in errors, as a command line would: {@code "wg set wg0"}.
     */
    public List<GenlAttributes> execute(GenlRequest request, GenlFamily family, String op) {
        List<GenlAttributes> out = new ArrayList<>();
        for (NlMessage m : socket.request(request.builder, op)) {
            if (m.type() == family.id()) {
                out.add(new GenlAttributes(m.attributes(GenlCodec.GENL_HDR_LEN + family.headerSize())));
            }
        }
        return out;
    }

    @Override
    public void close() {
        socket.close();
    }
}
