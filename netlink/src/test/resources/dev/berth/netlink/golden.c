/*
 * Reference netlink requests built with the kernel's own uapi structs and macros (linux-libc-dev), printed as hex,
 * one "name=hex" line each, into golden.txt. The Java codec tests compare their output byte for byte.
 * Regenerate: gcc -O0 -o /tmp/golden golden.c && /tmp/golden > golden.txt
 * Little-endian host layout (x86_64, aarch64); every request has seq 1 and port ID 0.
 */
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static char buf[4096];

static struct nlmsghdr *start(uint16_t type, uint16_t flags, const void *fixed, size_t fixed_len) {
    memset(buf, 0, sizeof buf);
    struct nlmsghdr *n = (struct nlmsghdr *)buf;
    n->nlmsg_len = NLMSG_LENGTH(fixed_len);
    n->nlmsg_type = type;
    n->nlmsg_flags = flags;
    n->nlmsg_seq = 1;
    n->nlmsg_pid = 0;
    memcpy(NLMSG_DATA(n), fixed, fixed_len);
    n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len);
    return n;
}

static struct rtattr *tail(struct nlmsghdr *n) {
    return (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));
}

static void attr(struct nlmsghdr *n, int type, const void *data, int len) {
    struct rtattr *rta = tail(n);
    rta->rta_type = type;
    rta->rta_len = RTA_LENGTH(len);
    if (len) memcpy(RTA_DATA(rta), data, len);
    n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static void u8(struct nlmsghdr *n, int t, uint8_t v) { attr(n, t, &v, 1); }
static void u32(struct nlmsghdr *n, int t, uint32_t v) { attr(n, t, &v, 4); }
static void str(struct nlmsghdr *n, int t, const char *s) { attr(n, t, s, strlen(s) + 1); }
static void ip4(struct nlmsghdr *n, int t, const char *s) { struct in_addr a; inet_pton(AF_INET, s, &a); attr(n, t, &a, 4); }
static void ip6(struct nlmsghdr *n, int t, const char *s) { struct in6_addr a; inet_pton(AF_INET6, s, &a); attr(n, t, &a, 16); }

static struct rtattr *nest(struct nlmsghdr *n, int type) {
    struct rtattr *r = tail(n);
    attr(n, type, NULL, 0);
    return r;
}
static void nest_end(struct nlmsghdr *n, struct rtattr *r) { r->rta_len = (char *)tail(n) - (char *)r; }

static void print(const char *name, struct nlmsghdr *n) {
    printf("%s=", name);
    for (unsigned i = 0; i < n->nlmsg_len; i++) printf("%02x", (unsigned char)buf[i]);
    printf("\n");
}

int main(void) {
    const uint16_t REQ = NLM_F_REQUEST | NLM_F_ACK;
    struct ifinfomsg ifi = {0};
    struct nlmsghdr *n;

    /* ip link add vx42 type vxlan id 42 local 10.0.0.1 dev #3 ttl 64 nolearning srcport 30000 40000 dstport 4789 */
    n = start(RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof ifi);
    str(n, IFLA_IFNAME, "vx42");
    struct rtattr *info = nest(n, IFLA_LINKINFO);
    str(n, IFLA_INFO_KIND, "vxlan");
    struct rtattr *data = nest(n, IFLA_INFO_DATA);
    u32(n, IFLA_VXLAN_ID, 42);
    ip4(n, IFLA_VXLAN_LOCAL, "10.0.0.1");
    u32(n, IFLA_VXLAN_LINK, 3);
    u8(n, IFLA_VXLAN_TTL, 64);
    u8(n, IFLA_VXLAN_LEARNING, 0);
    struct ifla_vxlan_port_range range = {htons(30000), htons(40000)};
    attr(n, IFLA_VXLAN_PORT_RANGE, &range, sizeof range);
    uint16_t port = htons(4789);
    attr(n, IFLA_VXLAN_PORT, &port, 2);
    nest_end(n, data);
    nest_end(n, info);
    print("vxlan_add", n);

    /* ip link add veth0 mtu 1450 up type veth peer name ceth0 netns <fd 7> */
    struct ifinfomsg up = {.ifi_flags = IFF_UP, .ifi_change = IFF_UP};
    n = start(RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL, &up, sizeof up);
    str(n, IFLA_IFNAME, "veth0");
    u32(n, IFLA_MTU, 1450);
    info = nest(n, IFLA_LINKINFO);
    str(n, IFLA_INFO_KIND, "veth");
    data = nest(n, IFLA_INFO_DATA);
    struct rtattr *peer = nest(n, VETH_INFO_PEER);
    struct ifinfomsg zero = {0};
    memcpy(tail(n), &zero, sizeof zero);
    n->nlmsg_len += sizeof zero;
    str(n, IFLA_IFNAME, "ceth0");
    u32(n, IFLA_NET_NS_FD, 7);
    nest_end(n, peer);
    nest_end(n, data);
    nest_end(n, info);
    print("veth_add_peer_in_netns", n);

    /* ip link set dev br0 up */
    n = start(RTM_SETLINK, REQ, &up, sizeof up);
    str(n, IFLA_IFNAME, "br0");
    print("link_set_up", n);

    /* ip link set dev va master #9 */
    n = start(RTM_SETLINK, REQ, &ifi, sizeof ifi);
    str(n, IFLA_IFNAME, "va");
    u32(n, IFLA_MASTER, 9);
    print("link_set_master", n);

    /* ip link del br0 */
    n = start(RTM_DELLINK, REQ, &ifi, sizeof ifi);
    str(n, IFLA_IFNAME, "br0");
    print("link_del", n);

    /* ip link show (dump) */
    n = start(RTM_GETLINK, REQ | NLM_F_DUMP, &ifi, sizeof ifi);
    print("link_dump", n);

    /* ip addr add 10.1.2.3/24 broadcast 10.1.2.255 dev #5 */
    struct ifaddrmsg ifa = {.ifa_family = AF_INET, .ifa_prefixlen = 24, .ifa_index = 5};
    n = start(RTM_NEWADDR, REQ | NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof ifa);
    ip4(n, IFA_LOCAL, "10.1.2.3");
    ip4(n, IFA_ADDRESS, "10.1.2.3");
    ip4(n, IFA_BROADCAST, "10.1.2.255");
    print("addr_add_v4", n);

    /* ip addr add fd00::1/64 dev #5 nodad */
    struct ifaddrmsg ifa6 = {.ifa_family = AF_INET6, .ifa_prefixlen = 64, .ifa_flags = IFA_F_NODAD, .ifa_index = 5};
    n = start(RTM_NEWADDR, REQ | NLM_F_CREATE | NLM_F_EXCL, &ifa6, sizeof ifa6);
    ip6(n, IFA_LOCAL, "fd00::1");
    ip6(n, IFA_ADDRESS, "fd00::1");
    print("addr_add_v6_nodad", n);

    /* ip route add 10.20.0.0/16 via 10.1.2.254 dev #5 metric 100 */
    struct rtmsg rtm = {.rtm_family = AF_INET, .rtm_dst_len = 16, .rtm_table = RT_TABLE_MAIN,
                        .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
    n = start(RTM_NEWROUTE, REQ | NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof rtm);
    ip4(n, RTA_DST, "10.20.0.0");
    ip4(n, RTA_GATEWAY, "10.1.2.254");
    u32(n, RTA_PRIORITY, 100);
    u32(n, RTA_OIF, 5);
    print("route_add_via", n);

    /* ip route replace 10.30.0.0/16 dev #5 table 1000 (scope link: no gateway) */
    struct rtmsg rtm2 = {.rtm_family = AF_INET, .rtm_dst_len = 16, .rtm_table = RT_TABLE_UNSPEC,
                         .rtm_protocol = RTPROT_BOOT, .rtm_scope = RT_SCOPE_LINK, .rtm_type = RTN_UNICAST};
    n = start(RTM_NEWROUTE, REQ | NLM_F_CREATE | NLM_F_REPLACE, &rtm2, sizeof rtm2);
    u32(n, RTA_TABLE, 1000);
    ip4(n, RTA_DST, "10.30.0.0");
    u32(n, RTA_OIF, 5);
    print("route_replace_table", n);

    /* ip route del 10.20.0.0/16 */
    struct rtmsg rtm3 = {.rtm_family = AF_INET, .rtm_dst_len = 16, .rtm_table = RT_TABLE_MAIN,
                         .rtm_scope = RT_SCOPE_NOWHERE};
    n = start(RTM_DELROUTE, REQ, &rtm3, sizeof rtm3);
    ip4(n, RTA_DST, "10.20.0.0");
    print("route_del", n);

    /* ip -6 route add default via fd00::fe */
    struct rtmsg rtm6 = {.rtm_family = AF_INET6, .rtm_table = RT_TABLE_MAIN, .rtm_protocol = RTPROT_BOOT,
                         .rtm_scope = RT_SCOPE_UNIVERSE, .rtm_type = RTN_UNICAST};
    n = start(RTM_NEWROUTE, REQ | NLM_F_CREATE | NLM_F_EXCL, &rtm6, sizeof rtm6);
    ip6(n, RTA_GATEWAY, "fd00::fe");
    print("route_add_default_v6", n);

    /* bridge fdb append 00:00:00:00:00:00 dev #6 dst 10.0.0.2 self permanent */
    struct ndmsg nd = {.ndm_family = AF_BRIDGE, .ndm_ifindex = 6, .ndm_state = NUD_PERMANENT, .ndm_flags = NTF_SELF};
    n = start(RTM_NEWNEIGH, REQ | NLM_F_CREATE | NLM_F_APPEND, &nd, sizeof nd);
    ip4(n, NDA_DST, "10.0.0.2");
    unsigned char zero_mac[6] = {0};
    attr(n, NDA_LLADDR, zero_mac, 6);
    print("fdb_append_flood", n);

    /* bridge fdb add 02:42:0a:00:00:05 dev #6 dst 10.0.0.3 vni 4242 self permanent */
    n = start(RTM_NEWNEIGH, REQ | NLM_F_CREATE | NLM_F_EXCL, &nd, sizeof nd);
    ip4(n, NDA_DST, "10.0.0.3");
    unsigned char mac[6] = {0x02, 0x42, 0x0a, 0x00, 0x00, 0x05};
    attr(n, NDA_LLADDR, mac, 6);
    u32(n, NDA_VNI, 4242);
    print("fdb_add_vni", n);

    /* ip neigh replace 10.1.2.7 lladdr 02:42:0a:00:00:05 dev #5 nud permanent */
    struct ndmsg nd4 = {.ndm_family = AF_INET, .ndm_ifindex = 5, .ndm_state = NUD_PERMANENT};
    n = start(RTM_NEWNEIGH, REQ | NLM_F_CREATE | NLM_F_REPLACE, &nd4, sizeof nd4);
    ip4(n, NDA_DST, "10.1.2.7");
    attr(n, NDA_LLADDR, mac, 6);
    print("neigh_replace_v4", n);

    /* bridge fdb show (dump) */
    struct ndmsg ndd = {.ndm_family = AF_BRIDGE};
    n = start(RTM_GETNEIGH, REQ | NLM_F_DUMP, &ndd, sizeof ndd);
    print("fdb_dump", n);

    /* genl ctrl get name wireguard */
    struct genlmsghdr g = {.cmd = CTRL_CMD_GETFAMILY, .version = 2};
    n = start(GENL_ID_CTRL, REQ, &g, sizeof g);
    str(n, CTRL_ATTR_FAMILY_NAME, "wireguard");
    print("genl_get_family", n);
    return 0;
}
