package dev.cmwq.autoconfigure.health;

import java.util.ArrayList;
import java.util.List;

import dev.cmwq.core.CpuSnapshot;
import dev.cmwq.core.PoolSnapshot;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code workqueues} health contributor: UP with details ({@code frozen}, {@code offlineCpus},
 * {@code workqueues}); DOWN while the watchdog reports a pool as stalled, naming it in {@code stalledPools} (with
 * its pending items) and in {@code error}.
 */
public class WorkqueuesHealthIndicator implements HealthIndicator {

	private final WorkqueueSystem system;

	/**
	 * Creates the contributor.
	 * @param system the system it watches
	 */
	public WorkqueuesHealthIndicator(WorkqueueSystem system) {
		this.system = system;
	}

	@Override
	public Health health() {
		SystemSnapshot snapshot = this.system.snapshot();
		List<Integer> offline = new ArrayList<>();
		for (CpuSnapshot cpu : snapshot.cpus()) {
			if (!cpu.online()) {
				offline.add(cpu.cpu());
			}
		}
		List<String> stalled = new ArrayList<>();
		List<String> descriptions = new ArrayList<>();
		for (PoolSnapshot pool : snapshot.pools()) {
			if (pool.stalled()) {
				stalled.add(pool.id());
				descriptions.add(pool.id() + " (" + pool.pending() + " pending)");
			}
		}
		Health.Builder health = stalled.isEmpty() ? Health.up() : Health.down();
		health.withDetail("frozen", snapshot.frozen())
			.withDetail("offlineCpus", offline)
			.withDetail("workqueues", snapshot.workqueues().size());
		if (!stalled.isEmpty()) {
			health.withDetail("stalledPools", stalled)
				.withDetail("error", "Watchdog reports stalled workqueue pools: " + String.join(", ", descriptions)
						+ "; pending items have not started for the watchdog threshold");
		}
		return health.build();
	}

}
