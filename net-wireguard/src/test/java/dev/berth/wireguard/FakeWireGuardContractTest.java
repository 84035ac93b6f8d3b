package dev.berth.wireguard;

import org.junit.jupiter.api.Tag;

/** The fake against the contract, so that driver tests can trust it. */
@Tag("unit")
class FakeWireGuardContractTest extends WireGuardContract {
    private final FakeWireGuard fake = new FakeWireGuard();
    private int next;

    @Override
    WireGuardControl control() {
        return fake;
    }

    @Override
    String newDevice() {
        String name = "wgf" + next++;
        fake.add(name);
        return name;
    }
}
