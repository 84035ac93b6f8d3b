package dev.berth.lab;

import java.util.Optional;

/**
 * Installs what a suite needs on one lab host once its dockerd answers and {@code berth/testbox} is loaded
 * (for example the Berth plugins). Called once per host, in host order; an exception fails {@link Lab#up} and the
 * lab is torn down.
 */
@FunctionalInterface
public interface SuiteInstaller {
    /** Installs nothing. */
    SuiteInstaller NONE = (host, kvUrl) -> { };

    /**
     * @param host  the lab host, its daemon already answering at {@link LabHost#dockerHost()}
     * @param kvUrl {@code etcd://10.99.0.254:2379/berth} when the lab runs etcd
     */
    void install(LabHost host, Optional<String> kvUrl);
}
