package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a workqueue's snapshot says about its limits: capacity, overflow policy and overflow timeout, as set.
 */
class WorkqueueSnapshotTest {

	private final WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	@Test
	void aNewQueueIsUnboundedAndRejectsByDefault() {
		WorkqueueSnapshot snapshot = this.system.allocWorkqueue("plain", Set.of(), 0).snapshot();

		assertThat(snapshot.bounded()).isFalse();
		assertThat(snapshot.capacity()).isEqualTo(Workqueue.UNBOUNDED);
		assertThat(snapshot.overflow()).isEqualTo(Overflow.REJECT);
		assertThat(snapshot.overflowTimeout()).isEqualTo(WorkqueueLimits.DEFAULT_OVERFLOW_TIMEOUT);
	}

	@Test
	void showsTheCapacityOverflowAndTimeoutLastSet() {
		Workqueue wq = this.system.allocWorkqueue("bounded", Set.of(), 0);
		wq.setCapacity(100, Overflow.BLOCK, Duration.ofMillis(2500));

		WorkqueueSnapshot snapshot = wq.snapshot();
		assertThat(snapshot.bounded()).isTrue();
		assertThat(snapshot.capacity()).isEqualTo(100);
		assertThat(snapshot.overflow()).isEqualTo(Overflow.BLOCK);
		assertThat(snapshot.overflowTimeout()).isEqualTo(Duration.ofMillis(2500));

		wq.setCapacity(Workqueue.UNBOUNDED, Overflow.CALLER_RUNS, Duration.ZERO);
		WorkqueueSnapshot again = this.system.snapshot().workqueue("bounded").orElseThrow();
		assertThat(again.bounded()).isFalse();
		assertThat(again.overflow()).isEqualTo(Overflow.CALLER_RUNS);
		assertThat(again.overflowTimeout()).isZero();
	}

}
