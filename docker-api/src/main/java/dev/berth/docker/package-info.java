/**
 * The Docker Engine API over the daemon's unix socket, for Berth's background work: reconciling with the networks,
 * containers and mounts Docker really has, and following {@code /events}; and, for tools such as container migration,
 * the write side: containers created from a {@link dev.berth.docker.ContainerSpec}, started, stopped, removed and
 * renamed, images saved and loaded as streams. Never for use inside a plugin handler.
 *
 * <p>The API: {@link dev.berth.docker.DockerApi} (connect, the calls, close), the records named after Docker's JSON
 * ({@link dev.berth.docker.Version}, {@link dev.berth.docker.Network}, {@link dev.berth.docker.ContainerSummary},
 * {@link dev.berth.docker.Container}, {@link dev.berth.docker.NetworkSettings}, {@link dev.berth.docker.EndpointSettings},
 * {@link dev.berth.docker.MountPoint}, {@link dev.berth.docker.Event}), {@link dev.berth.docker.ContainerSpec} (a
 * container's create body, from its inspect), {@link dev.berth.docker.EventStream} with its
 * {@link dev.berth.docker.EventStream.Listener}, and the unchecked errors under
 * {@link dev.berth.docker.DockerException}. The rest is package-private: {@code UnixTransport} (Jetty's client on the
 * socket, streaming transfers both ways, and the one place failures become exceptions), {@code Codec} (Jackson),
 * {@code ApiVersion} (negotiation), {@code EventReader} (a stream's thread) and {@code SocketDockerApi} (the paths).
 *
 * <p>Imports no other module of Berth.
 */
package dev.berth.docker;
