package dev.berth.netlink;

import java.util.Map;

/**
 * A generic netlink family as the kernel's controller ({@code nlctrl}) describes it.
 *
 * @param name            {@code CTRL_ATTR_FAMILY_NAME}, such as {@code "wireguard"}
 * @param id              {@code CTRL_ATTR_FAMILY_ID}: the message type to address it with
 * @param version         {@code CTRL_ATTR_VERSION}
 * @param headerSize      {@code CTRL_ATTR_HDRSIZE}: the family's own header after {@code genlmsghdr}
 * @param maxAttr         {@code CTRL_ATTR_MAXATTR}
 * @param multicastGroups {@code CTRL_ATTR_MCAST_GROUPS}: name to group ID
 */
public record GenlFamily(String name, int id, int version, int headerSize, int maxAttr,
                         Map<String, Integer> multicastGroups) {
    public GenlFamily {
        multicastGroups = Map.copyOf(multicastGroups);
    }
}
