package dev.berth.netlink;

/**
 * What every link has, whatever its kind ({@code struct ifinfomsg} and the common {@code IFLA_*} attributes).
 *
 * <p>To create a link, start from {@link #named} and set what you need; zero and null mean "the kernel's default".
 * A link read from the kernel has every field it reported.
 *
 * @param index       interface index; 0 when not yet created
 * @param name        {@code IFLA_IFNAME}, at most 15 bytes
 * @param mtu         {@code IFLA_MTU}; 0 for the default
 * @param mac         {@code IFLA_ADDRESS}; null for a random one
 * @param flags       {@code ifi_flags} ({@code IFF_UP}, {@code IFF_LOWER_UP}, ...); on create only {@code IFF_UP}
 *                    is applied
 * @param masterIndex {@code IFLA_MASTER}: the bridge this link is enslaved to, 0 for none
 * @param parentIndex {@code IFLA_LINK}: a veth's peer, a macvlan's or VLAN's lower device (sent on create, as
 *                    {@code ip link add link LOWER}); 0 for none
 * @param linkNetnsId {@code IFLA_LINK_NETNSID}: the namespace ID of {@code parentIndex} when it is in another
 *                    namespace, else -1
 * @param operState   {@code IFLA_OPERSTATE}
 * @param netns       on create only: the namespace to create the link in ({@code IFLA_NET_NS_FD}/{@code _PID});
 *                    null for the handle's own
 */
public record LinkAttrs(int index, String name, int mtu, MacAddress mac, int flags, int masterIndex, int parentIndex,
                        int linkNetnsId, OperState operState, Netns netns) {
    public static final int IFF_UP = 0x1;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_LOWER_UP = 0x10000;
    /** {@code IFNAMSIZ - 1}. */
    public static final int MAX_NAME_BYTES = 15;

    /** {@code IF_OPER_*} (RFC 2863), as {@code ip link} prints it. */
    public enum OperState {
        UNKNOWN, NOTPRESENT, DOWN, LOWERLAYERDOWN, TESTING, DORMANT, UP;

        static OperState of(int v) {
            return v >= 0 && v < values().length ? values()[v] : UNKNOWN;
        }
    }

    public LinkAttrs {
        if (name != null) {
            checkName(name);
        }
        if (mtu < 0) {
            throw new IllegalArgumentException("mtu must not be negative: " + mtu);
        }
        if (operState == null) {
            operState = OperState.UNKNOWN;
        }
    }

    /** The attributes of a link to create, named {@code name}, all else default. */
    public static LinkAttrs named(String name) {
        checkName(name);
        return new LinkAttrs(0, name, 0, null, 0, 0, 0, -1, OperState.UNKNOWN, null);
    }

    static void checkName(String name) {
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_NAME_BYTES || name.contains("/") || name.contains(":")
                || name.chars().anyMatch(Character::isWhitespace) || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a valid interface name (1-15 bytes, no '/', ':' or space): '"
                    + name + "'");
        }
    }

    /** {@code IFF_UP}: administratively up. */
    public boolean up() {
        return (flags & IFF_UP) != 0;
    }

    /** {@code IFF_LOWER_UP}: the carrier is on. */
    public boolean lowerUp() {
        return (flags & IFF_LOWER_UP) != 0;
    }

    public LinkAttrs withIndex(int v) {
        return new LinkAttrs(v, name, mtu, mac, flags, masterIndex, parentIndex, linkNetnsId, operState, netns);
    }

    public LinkAttrs withName(String v) {
        return new LinkAttrs(index, v, mtu, mac, flags, masterIndex, parentIndex, linkNetnsId, operState, netns);
    }

    public LinkAttrs withMtu(int v) {
        return new LinkAttrs(index, name, v, mac, flags, masterIndex, parentIndex, linkNetnsId, operState, netns);
    }

    public LinkAttrs withMac(MacAddress v) {
        return new LinkAttrs(index, name, mtu, v, flags, masterIndex, parentIndex, linkNetnsId, operState, netns);
    }

    public LinkAttrs withUp(boolean v) {
        int f = v ? flags | IFF_UP : flags & ~IFF_UP;
        return new LinkAttrs(index, name, mtu, mac, f, masterIndex, parentIndex, linkNetnsId, operState, netns);
    }

    public LinkAttrs withFlags(int v) {
        return new LinkAttrs(index, name, mtu, mac, v, masterIndex, parentIndex, linkNetnsId, operState, netns);
    }

    public LinkAttrs withMasterIndex(int v) {
        return new LinkAttrs(index, name, mtu, mac, flags, v, parentIndex, linkNetnsId, operState, netns);
    }

    public LinkAttrs withParentIndex(int v) {
        return new LinkAttrs(index, name, mtu, mac, flags, masterIndex, v, linkNetnsId, operState, netns);
    }

    public LinkAttrs withLinkNetnsId(int v) {
        return new LinkAttrs(index, name, mtu, mac, flags, masterIndex, parentIndex, v, operState, netns);
    }

    public LinkAttrs withOperState(OperState v) {
        return new LinkAttrs(index, name, mtu, mac, flags, masterIndex, parentIndex, linkNetnsId, v, netns);
    }

    public LinkAttrs withNetns(Netns v) {
        return new LinkAttrs(index, name, mtu, mac, flags, masterIndex, parentIndex, linkNetnsId, operState, v);
    }
}
