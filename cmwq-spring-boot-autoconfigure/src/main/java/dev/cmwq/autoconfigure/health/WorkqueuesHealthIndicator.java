package dev.cmwq.autoconfigure.health;

import java.util.ArrayList;
import java.util.List;

import dev.cmwq.core.CpuSnapshot;
import dev.cmwq.core.HousekeepingStatus;
import dev.cmwq.core.PoolSnapshot;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code workqueues} health contributor: UP with details ({@code frozen}, {@code offlineCpus},
 * {@code workqueues}); DOWN while the watchdog reports a pool as stalled, naming it in {@code stalledPools} (with
 * its pending items) and in {@code error}, and while one of the engine's own threads (block detector, timer,
 * rescuers: {@link WorkqueueSystem#housekeeping()}) is not working, naming it in {@code failingThreads} (with its
 * failures and the latest) and in {@code error}.
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
		List<String> failing = new ArrayList<>();
		List<String> failures = new ArrayList<>();
		for (HousekeepingStatus thread : this.system.housekeeping()) {
			if (!thread.working()) {
				failing.add(thread.thread());
				failures.add(thread.thread() + " (" + thread.failures() + " failures, latest: " + thread.lastFailure()
						+ ")");
			}
		}
		Health.Builder health = (stalled.isEmpty() && failing.isEmpty()) ? Health.up() : Health.down();
		health.withDetail("frozen", snapshot.frozen())
			.withDetail("offlineCpus", offline)
			.withDetail("workqueues", snapshot.workqueues().size());
		List<String> errors = new ArrayList<>();
		if (!stalled.isEmpty()) {
			health.withDetail("stalledPools", stalled);
			errors.add("Watchdog reports stalled workqueue pools: " + String.join(", ", descriptions)
					+ "; pending items have not started for the watchdog threshold");
		}
		if (!failing.isEmpty()) {
			health.withDetail("failingThreads", failing);
			errors.add("Engine threads are not working: " + String.join(", ", failures)
					+ "; they retry what failed and count as working once it succeeds");
		}
		if (!errors.isEmpty()) {
			health.withDetail("error", String.join(". ", errors));
		}
		return health.build();
	}

}
