package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link WorkqueueSystem#awaitIdle}: idle means nothing pending, delayed, held or running, chains included. */
class AwaitIdleTest {

	private final WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).systemWorkqueues(false).build();

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	@Test
	void aNewSystemIsIdle() {
		assertThat(this.system.awaitIdle(Duration.ZERO)).isTrue();
	}

	@Test
	void waitsForChainedItemsAcrossQueuesAndForDelayedOnes() {
		Workqueue first = this.system.allocWorkqueue("first", Set.of(), 0);
		Workqueue second = this.system.allocWorkqueue("second", Set.of(WorkqueueFlag.UNBOUND), 0);
		AtomicInteger done = new AtomicInteger();
		DelayedWork last = new DelayedWork(done::incrementAndGet);
		// first -> second -> first -> delayed 200 ms on second: each link is queued by a running item
		first.execute(() -> second.execute(() -> first.execute(() -> second.queueDelayed(last, Duration.ofMillis(200)))));
		assertThat(this.system.awaitIdle(Duration.ofSeconds(30))).isTrue();
		assertThat(done).hasValue(1);
	}

	@Test
	void falseOnTimeoutWhileAnItemRunsOrIsHeld() throws Exception {
		Workqueue ordered = this.system.allocOrderedWorkqueue("ordered", Set.of());
		CountDownLatch release = new CountDownLatch(1);
		ordered.execute(() -> {
			try {
				release.await(30, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		AtomicInteger held = new AtomicInteger();
		ordered.execute(held::incrementAndGet); // held back behind the running one
		assertThat(this.system.awaitIdle(Duration.ofMillis(50))).isFalse();
		release.countDown();
		assertThat(this.system.awaitIdle(Duration.ofSeconds(30))).isTrue();
		assertThat(held).hasValue(1);
	}

	@Test
	void cancelledItemsCountAsAnswered() {
		Workqueue wq = this.system.allocWorkqueue("cancelled", Set.of(), 0);
		DelayedWork work = new DelayedWork(() -> {
		});
		wq.queueDelayed(work, Duration.ofDays(1));
		assertThat(this.system.awaitIdle(Duration.ZERO)).isFalse();
		assertThat(work.cancel()).isTrue();
		assertThat(this.system.awaitIdle(Duration.ZERO)).isTrue();
	}

	@Test
	void hugeTimeoutsDoNotOverflow() {
		assertThat(this.system.awaitIdle(Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
	}

}
