package dev.berth.zfs;

import java.time.Instant;
import java.util.Map;

/**
 * One Berth volume as ZFS describes it.
 *
 * @param mountpoint where the dataset is (or would be) mounted on the host
 * @param status     what {@code docker volume inspect} shows under Status
 */
public record VolumeInfo(String name, String dataset, String mountpoint, boolean mounted, Instant createdAt,
                         Map<String, Object> status) {
}
