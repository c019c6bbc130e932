package dev.cmwq.autoconfigure.health;

import java.util.List;

import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link WorkqueuesHealthIndicator} details, without Spring.
 */
class WorkqueuesHealthIndicatorTests {

	@Test
	void upDetailsShowFrozenAndOfflineCpus() {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(3).build()) {
			WorkqueuesHealthIndicator indicator = new WorkqueuesHealthIndicator(system);
			Health healthy = indicator.health();
			assertThat(healthy.getStatus()).isEqualTo(Status.UP);
			assertThat(healthy.getDetails()).containsEntry("frozen", false)
				.containsEntry("offlineCpus", List.of())
				.containsEntry("workqueues", WorkqueueSystem.SYSTEM_WORKQUEUES.size())
				.doesNotContainKey("stalledPools");

			system.freeze();
			system.cpuOffline(2);
			system.cpuOffline(0);
			Health steered = indicator.health();

			assertThat(steered.getStatus()).isEqualTo(Status.UP);
			assertThat(steered.getDetails()).containsEntry("frozen", true).containsEntry("offlineCpus", List.of(0, 2));
		}
	}

}
