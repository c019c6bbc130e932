package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Shutdown drains, then refuses: every item either ran or its caller was told. */
class ShutdownTest {

	@Test
	void closeWhileProducersQueueRunsEveryAcceptedItem() throws Exception {
		WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).build();
		Workqueue bound = system.workqueue("events").orElseThrow();
		Workqueue unbound = system.workqueue("events_unbound").orElseThrow();
		AtomicLong accepted = new AtomicLong();
		AtomicLong rejected = new AtomicLong();
		AtomicLong ran = new AtomicLong();
		Thread[] producers = new Thread[3];
		for (int p = 0; p < producers.length; p++) {
			Workqueue wq = (p % 2 == 0) ? bound : unbound;
			producers[p] = new Thread(() -> {
				for (;;) {
					while (accepted.get() - ran.get() > 5_000) {
						Thread.yield(); // keep the backlog small, so the drain at close is short
					}
					try {
						wq.execute(() -> {
							java.util.concurrent.locks.LockSupport.parkNanos(10_000);
							ran.incrementAndGet();
						});
						accepted.incrementAndGet();
					}
					catch (RejectedExecutionException ex) {
						rejected.incrementAndGet();
						return;
					}
				}
			});
			producers[p].start();
		}
		Timeline.sleep(0.5);
		assertThat(system.close(Duration.ofSeconds(60))).isTrue();
		for (Thread producer : producers) {
			producer.join();
		}
		assertThat(rejected).hasValue(producers.length);
		assertThat(ran.get()).isEqualTo(accepted.get()).isPositive();
		long completed = system.snapshot().workqueues().stream().mapToLong((wq) -> wq.stats().completed()).sum();
		assertThat(completed).isEqualTo(accepted.get());
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> bound.execute(() -> {
		}));
	}

	@Test
	void delayedItemsNotYetDueAreCancelledAndCountedAtShutdown() {
		WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).build();
		Workqueue wq = system.workqueue("events").orElseThrow();
		DelayedWork later = new DelayedWork(() -> {
		});
		wq.queueDelayed(later, Duration.ofHours(1));
		system.close();
		assertThat(later.isPending()).isFalse();
		assertThat(wq.snapshot().stats().cancelled()).isEqualTo(1);
	}

	@Test
	void closeGivesUpAfterTheTimeoutAndReportsIt() {
		WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		Workqueue wq = system.allocWorkqueue("slow", Set.of(), 0);
		wq.execute(() -> Timeline.sleep(2));
		assertThat(system.close(Duration.ofMillis(100))).isFalse();
	}

}
