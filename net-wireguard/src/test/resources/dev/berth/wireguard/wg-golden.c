/*
 * Reference WireGuard generic netlink messages, built with the kernel's own uapi headers (linux/wireguard.h,
 * linux/genetlink.h, struct sockaddr_in/_in6, struct __kernel_timespec) and printed as hex, one "name=hex" line each,
 * into wg-golden.txt. WgNetlinkCodecTest compares the Java codec's output (requests) and reads these bytes back
 * (kernel-style dump replies). Written independently of the Java code, after wg(8)'s ipc-linux.h and the kernel's
 * drivers/net/wireguard/netlink.c.
 * Regenerate: gcc -O0 -o /tmp/wg-golden wg-golden.c && /tmp/wg-golden > wg-golden.txt
 * Little-endian host layout (x86_64, aarch64); requests have seq 1 and port ID 0; family ID 0x15 (any would do).
 */
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define FAMILY_ID 0x15

static char buf[8192];
static struct nlmsghdr *n;

static void start(uint16_t flags, uint8_t cmd) {
    memset(buf, 0, sizeof buf);
    n = (struct nlmsghdr *)buf;
    n->nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
    n->nlmsg_type = FAMILY_ID;
    n->nlmsg_flags = flags;
    n->nlmsg_seq = 1;
    n->nlmsg_pid = 0;
    struct genlmsghdr *g = NLMSG_DATA(n);
    g->cmd = cmd;
    g->version = WG_GENL_VERSION;
}

static struct nlattr *tail(void) { return (struct nlattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len)); }

static void attr(int type, const void *data, int len) {
    struct nlattr *a = tail();
    a->nla_type = type;
    a->nla_len = NLA_HDRLEN + len;
    if (len) memcpy((char *)a + NLA_HDRLEN, data, len);
    n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + NLA_ALIGN(a->nla_len);
}
static void u8(int t, uint8_t v) { attr(t, &v, 1); }
static void u16(int t, uint16_t v) { attr(t, &v, 2); }
static void u32(int t, uint32_t v) { attr(t, &v, 4); }
static void u64(int t, uint64_t v) { attr(t, &v, 8); }
static void str(int t, const char *s) { attr(t, s, strlen(s) + 1); }
static struct nlattr *nest(int type) { struct nlattr *a = tail(); attr(type | NLA_F_NESTED, NULL, 0); return a; }
static void nest_end(struct nlattr *a) { a->nla_len = (char *)tail() - (char *)a; }

static void key(int t, uint8_t first) {
    uint8_t k[WG_KEY_LEN];
    for (int i = 0; i < WG_KEY_LEN; i++) k[i] = first + i;
    attr(t, k, WG_KEY_LEN);
}
/* a private key as wg(8) stores it: clamped (k[0] &= 248; k[31] &= 127; k[31] |= 64) */
static void privkey(int t, uint8_t first) {
    uint8_t k[WG_KEY_LEN];
    for (int i = 0; i < WG_KEY_LEN; i++) k[i] = first + i;
    k[0] &= 248; k[31] &= 127; k[31] |= 64;
    attr(t, k, WG_KEY_LEN);
}
static void allowed4(const char *ip, uint8_t cidr) {
    struct nlattr *a = nest(0);
    struct in_addr in; inet_pton(AF_INET, ip, &in);
    u16(WGALLOWEDIP_A_FAMILY, AF_INET);
    attr(WGALLOWEDIP_A_IPADDR, &in, sizeof in);
    u8(WGALLOWEDIP_A_CIDR_MASK, cidr);
    nest_end(a);
}
static void allowed6(const char *ip, uint8_t cidr) {
    struct nlattr *a = nest(0);
    struct in6_addr in; inet_pton(AF_INET6, ip, &in);
    u16(WGALLOWEDIP_A_FAMILY, AF_INET6);
    attr(WGALLOWEDIP_A_IPADDR, &in, sizeof in);
    u8(WGALLOWEDIP_A_CIDR_MASK, cidr);
    nest_end(a);
}
static void endpoint4(const char *ip, uint16_t port) {
    struct sockaddr_in s; memset(&s, 0, sizeof s);
    s.sin_family = AF_INET; s.sin_port = htons(port); inet_pton(AF_INET, ip, &s.sin_addr);
    attr(WGPEER_A_ENDPOINT, &s, sizeof s);
}
static void endpoint6(const char *ip, uint16_t port, uint32_t scope) {
    struct sockaddr_in6 s; memset(&s, 0, sizeof s);
    s.sin6_family = AF_INET6; s.sin6_port = htons(port); inet_pton(AF_INET6, ip, &s.sin6_addr);
    s.sin6_scope_id = scope;
    attr(WGPEER_A_ENDPOINT, &s, sizeof s);
}
static void print(const char *name) {
    printf("%s=", name);
    for (unsigned i = 0; i < n->nlmsg_len; i++) printf("%02x", (unsigned char)buf[i]);
    printf("\n");
}

int main(void) {
    const uint16_t REQ = NLM_F_REQUEST | NLM_F_ACK;
    struct nlattr *peers, *peer, *ips;

    /* wg show wg0 dump */
    start(REQ | NLM_F_DUMP, WG_CMD_GET_DEVICE);
    str(WGDEVICE_A_IFNAME, "wg0");
    print("get_device");

    /* wg set wg0 private-key K(0x01..) listen-port 51820 fwmark 0x42, replacing every peer with one:
       peer P(0xa0..) preshared-key S(0x40..) endpoint 192.0.2.1:51820 persistent-keepalive 25
       allowed-ips 10.1.0.0/24,fd00::/64 (replacing its allowed IPs) */
    start(REQ, WG_CMD_SET_DEVICE);
    str(WGDEVICE_A_IFNAME, "wg0");
    privkey(WGDEVICE_A_PRIVATE_KEY, 0x01);
    u16(WGDEVICE_A_LISTEN_PORT, 51820);
    u32(WGDEVICE_A_FWMARK, 0x42);
    u32(WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
    peers = nest(WGDEVICE_A_PEERS);
    peer = nest(0);
    key(WGPEER_A_PUBLIC_KEY, 0xa0);
    key(WGPEER_A_PRESHARED_KEY, 0x40);
    endpoint4("192.0.2.1", 51820);
    u16(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
    u32(WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS);
    ips = nest(WGPEER_A_ALLOWEDIPS);
    allowed4("10.1.0.0", 24);
    allowed6("fd00::", 64);
    nest_end(ips);
    nest_end(peer);
    nest_end(peers);
    print("set_device");

    /* wg set wg0 peer P(0xa0..) endpoint [fd00::1]:51821 (update only) peer Q(0xc0..) remove */
    start(REQ, WG_CMD_SET_DEVICE);
    str(WGDEVICE_A_IFNAME, "wg0");
    peers = nest(WGDEVICE_A_PEERS);
    peer = nest(0);
    key(WGPEER_A_PUBLIC_KEY, 0xa0);
    endpoint6("fd00::1", 51821, 0);
    u32(WGPEER_A_FLAGS, WGPEER_F_UPDATE_ONLY);
    nest_end(peer);
    peer = nest(0);
    key(WGPEER_A_PUBLIC_KEY, 0xc0);
    u32(WGPEER_A_FLAGS, WGPEER_F_REMOVE_ME);
    nest_end(peer);
    nest_end(peers);
    print("set_device_update_and_remove");

    /* wg set wg0 peer P(0xa0..) allowed-ips 10.0.0.0/8,10.1.0.0/16,10.2.0.0/16, replacing its allowed IPs,
       split as wg(8) splits it at a 150-byte budget: two allowed IPs fit in the first message (140 bytes), the third
       continues in a second one that names the device and the peer again, without REPLACE_ALLOWEDIPS. */
    start(REQ, WG_CMD_SET_DEVICE);
    str(WGDEVICE_A_IFNAME, "wg0");
    peers = nest(WGDEVICE_A_PEERS);
    peer = nest(0);
    key(WGPEER_A_PUBLIC_KEY, 0xa0);
    u32(WGPEER_A_FLAGS, WGPEER_F_REPLACE_ALLOWEDIPS);
    ips = nest(WGPEER_A_ALLOWEDIPS);
    allowed4("10.0.0.0", 8);
    allowed4("10.1.0.0", 16);
    nest_end(ips);
    nest_end(peer);
    nest_end(peers);
    print("set_device_split_1");
    start(REQ, WG_CMD_SET_DEVICE);
    str(WGDEVICE_A_IFNAME, "wg0");
    peers = nest(WGDEVICE_A_PEERS);
    peer = nest(0);
    key(WGPEER_A_PUBLIC_KEY, 0xa0);
    ips = nest(WGPEER_A_ALLOWEDIPS);
    allowed4("10.2.0.0", 16);
    nest_end(ips);
    nest_end(peer);
    nest_end(peers);
    print("set_device_split_2");

    /* A dump reply in two messages, as the kernel's wg_get_device_dump writes it when the first buffer fills up in
       the middle of peer P's allowed IPs: message 1 has the device and P's first allowed IP; message 2 continues P
       (public key and the rest of its allowed IPs only) and then has peer Q. */
    struct __kernel_timespec hs = {.tv_sec = 1764000000, .tv_nsec = 123456789};
    start(NLM_F_MULTI, WG_CMD_GET_DEVICE);
    u16(WGDEVICE_A_LISTEN_PORT, 51820);
    u32(WGDEVICE_A_FWMARK, 0);
    u32(WGDEVICE_A_IFINDEX, 7);
    str(WGDEVICE_A_IFNAME, "wg0");
    privkey(WGDEVICE_A_PRIVATE_KEY, 0x01);
    key(WGDEVICE_A_PUBLIC_KEY, 0x61);
    peers = nest(WGDEVICE_A_PEERS);
    peer = nest(0);
    key(WGPEER_A_PUBLIC_KEY, 0xa0);
    key(WGPEER_A_PRESHARED_KEY, 0x40);
    attr(WGPEER_A_LAST_HANDSHAKE_TIME, &hs, sizeof hs);
    u16(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
    u64(WGPEER_A_TX_BYTES, 5000000000ULL);
    u64(WGPEER_A_RX_BYTES, 1234);
    u32(WGPEER_A_PROTOCOL_VERSION, 1);
    endpoint4("192.0.2.1", 51820);
    ips = nest(WGPEER_A_ALLOWEDIPS);
    allowed4("10.1.0.0", 24);
    nest_end(ips);
    nest_end(peer);
    nest_end(peers);
    n->nlmsg_seq = 9; n->nlmsg_pid = 4242;
    print("dump_reply_1");
    start(NLM_F_MULTI, WG_CMD_GET_DEVICE);
    peers = nest(WGDEVICE_A_PEERS);
    peer = nest(0);
    key(WGPEER_A_PUBLIC_KEY, 0xa0);
    ips = nest(WGPEER_A_ALLOWEDIPS);
    allowed6("fd00::", 64);
    nest_end(ips);
    nest_end(peer);
    peer = nest(0);
    key(WGPEER_A_PUBLIC_KEY, 0xc0);
    key(WGPEER_A_PRESHARED_KEY, 0x00 /* all-zero below */);
    memset((char *)tail() - WG_KEY_LEN, 0, WG_KEY_LEN);
    struct __kernel_timespec never = {0, 0};
    attr(WGPEER_A_LAST_HANDSHAKE_TIME, &never, sizeof never);
    u16(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 0);
    u64(WGPEER_A_TX_BYTES, 0);
    u64(WGPEER_A_RX_BYTES, 0);
    u32(WGPEER_A_PROTOCOL_VERSION, 1);
    endpoint6("fe80::1", 51821, 3);
    ips = nest(WGPEER_A_ALLOWEDIPS);
    nest_end(ips);
    nest_end(peer);
    nest_end(peers);
    n->nlmsg_seq = 9; n->nlmsg_pid = 4242;
    print("dump_reply_2");
    return 0;
}
