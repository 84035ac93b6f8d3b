package dev.berth.netlink;

/**
 * A link of a kind this library has no record for: loopback and NICs (kind empty), or for example {@code ifb}.
 * Creating one sends only the kind, as {@code ip link add NAME type KIND} with no options.
 */
public record GenericLink(LinkAttrs attrs, String kind) implements Link {
    public GenericLink {
        kind = kind == null ? "" : kind;
    }

    @Override
    public GenericLink withAttrs(LinkAttrs a) {
        return new GenericLink(a, kind);
    }
}
