package dev.berth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;

/**
 * The one host setting berth/dns needs, applied by {@code berth up --docker-dns}: daemon.json {@code dns} names this
 * host's own address (where berth/dns serves), first, keeping any other servers and every other key. Docker reads it
 * at its next start; the operator restarts dockerd when it suits them (a restart stops containers without
 * live-restore).
 */
final class DockerDnsSetting {
    static final Path DAEMON_JSON = Path.of("/etc/docker/daemon.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerDnsSetting() {
    }

    /** Writes the setting; returns true when the file changed. */
    static boolean apply(Path daemonJson, String address) {
        try {
            String before = Files.exists(daemonJson) ? Files.readString(daemonJson) : "";
            String after = merged(before, address);
            if (after.equals(before)) {
                return false;
            }
            Files.createDirectories(daemonJson.toAbsolutePath().getParent());
            Path tmp = daemonJson.resolveSibling(daemonJson.getFileName() + ".berth-tmp");
            Files.writeString(tmp, after);
            Files.move(tmp, daemonJson, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + daemonJson + ": " + e.getMessage(), e);
        }
    }

    /** daemon.json text with {@code address} first in {@code dns}; unchanged text when it already is. */
    static String merged(String text, String address) throws IOException {
        JsonNode root = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
        if (!(root instanceof ObjectNode obj)) {
            throw new IOException("daemon.json is not a JSON object");
        }
        JsonNode dns = obj.path("dns");
        if (dns.isArray() && dns.size() > 0 && dns.get(0).asText().equals(address)) {
            return text;
        }
        ArrayNode next = JSON.createArrayNode().add(address);
        if (dns.isArray()) {
            dns.forEach(d -> {
                if (!d.asText().equals(address)) {
                    next.add(d.asText());
                }
            });
        }
        obj.set("dns", next);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(obj) + "\n";
    }

    /** This host's address as berth/dns picks it: the default route's interface, else the first real interface. */
    static String hostAddress() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 7 && f[1].equals("00000000") && f[7].equals("00000000")) {
                NetworkInterface nic = NetworkInterface.getByName(f[0]);
                if (nic != null) {
                    for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                        if (a instanceof Inet4Address) {
                            return a.getHostAddress();
                        }
                    }
                }
            }
        }
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            String n = nic.getName();
            if (nic.isUp() && !nic.isLoopback() && !n.startsWith("docker") && !n.startsWith("br-")
                    && !n.startsWith("veth") && !n.startsWith("berth")) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address) {
                        return a.getHostAddress();
                    }
                }
            }
        }
        throw new IOException("this host has no IPv4 address for berth/dns");
    }
}
