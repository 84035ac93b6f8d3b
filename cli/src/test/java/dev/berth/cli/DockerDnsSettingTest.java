package dev.berth.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("unit")
class DockerDnsSettingTest {
    @Test
    void theHostsAddressGoesFirst_keepingOtherServersAndKeys() throws Exception {
        String merged = DockerDnsSetting.merged("{\"log-level\":\"warn\",\"dns\":[\"8.8.8.8\"]}", "10.0.0.7");
        assertTrue(merged.contains("\"log-level\" : \"warn\""), merged);
        assertTrue(merged.replaceAll("\\s", "").contains("\"dns\":[\"10.0.0.7\",\"8.8.8.8\"]"), merged);
        assertEquals(merged, DockerDnsSetting.merged(merged, "10.0.0.7"), "applying twice changes nothing");
        assertTrue(DockerDnsSetting.merged("", "10.0.0.7").replaceAll("\\s", "").equals("{\"dns\":[\"10.0.0.7\"]}"));
    }
}
