package dev.cmwq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Freeze holds freezable queues (and only them); thaw releases what was held, in order. */
class FreezeTest {

	private final WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).systemWorkqueues(false).build();

	private final Workqueue freezable = this.system.allocWorkqueue("freezable", Set.of(WorkqueueFlag.FREEZABLE), 0);

	private final Workqueue plain = this.system.allocWorkqueue("plain", Set.of(), 0);

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	@Test
	void frozenQueuesStartNothingWhileOthersRunOn() throws Exception {
		assertThat(this.system.freeze()).isTrue();
		assertThat(this.system.isFrozen()).isTrue();
		AtomicInteger ran = new AtomicInteger();
		this.freezable.execute(ran::incrementAndGet);
		CountDownLatch plainRan = new CountDownLatch(1);
		this.plain.execute(plainRan::countDown);
		assertThat(plainRan.await(30, TimeUnit.SECONDS)).isTrue();
		Timeline.sleep(0.5);
		assertThat(ran).hasValue(0);
		assertThat(this.freezable.snapshot().pending()).isEqualTo(1);
		assertThat(this.system.snapshot().frozen()).isTrue();
		assertThat(this.system.thaw()).isTrue();
		this.freezable.flush();
		assertThat(ran).hasValue(1);
	}

	@Test
	void inFlightItemsFinishAndFreezeBusyTellsWhenTheyHave() throws Exception {
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicInteger finished = new AtomicInteger();
		this.freezable.execute(() -> {
			started.countDown();
			WorkSemanticsTest.awaitLatch(release);
			finished.incrementAndGet();
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		this.system.freeze();
		assertThat(this.system.freezeBusy()).isTrue();
		assertThat(this.system.freezeBusyCount()).isEqualTo(1);
		release.countDown();
		await().atMost(Duration.ofSeconds(30)).until(() -> !this.system.freezeBusy());
		assertThat(this.system.freezeBusyCount()).isZero();
		assertThat(finished).hasValue(1);
		this.system.thaw();
	}

	@Test
	void heldItemsRunInOrderAfterThawAndNoneIsLost() {
		Workqueue ordered = this.system.allocOrderedWorkqueue("frozen-ordered", Set.of(WorkqueueFlag.FREEZABLE));
		List<Integer> order = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 50; i++) {
			int n = i;
			ordered.execute(() -> {
				if (n == 0) {
					Timeline.sleep(0.2); // the rest is queued behind it when the freeze comes
				}
				order.add(n);
			});
		}
		this.system.freeze();
		for (int i = 50; i < 100; i++) {
			int n = i;
			ordered.execute(() -> order.add(n)); // queued while frozen
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> !this.system.freezeBusy());
		int beforeThaw = order.size();
		Timeline.sleep(0.3);
		assertThat(order).hasSize(beforeThaw);
		this.system.thaw();
		ordered.flush();
		assertThat(order).hasSize(100).isSorted();
	}

	@Test
	void delayedItemsWhoseTimersFireWhileFrozenAreHeld() {
		this.system.freeze();
		AtomicInteger ran = new AtomicInteger();
		DelayedWork work = new DelayedWork(ran::incrementAndGet);
		this.freezable.queueDelayed(work, Duration.ofMillis(20));
		await().atMost(Duration.ofSeconds(30)).until(() -> !work.isDelayed());
		Timeline.sleep(0.3);
		assertThat(ran).hasValue(0);
		assertThat(work.isPending()).isTrue();
		this.system.thaw();
		this.freezable.flush();
		assertThat(ran).hasValue(1);
	}

	@Test
	void freezingTwiceOrThawingWhenNotFrozenIsHarmless() {
		assertThat(this.system.thaw()).isFalse();
		assertThat(this.system.freeze()).isTrue();
		assertThat(this.system.freeze()).isFalse();
		assertThat(this.system.thaw()).isTrue();
		assertThat(this.system.thaw()).isFalse();
		AtomicInteger ran = new AtomicInteger();
		this.freezable.execute(ran::incrementAndGet);
		this.freezable.flush();
		assertThat(ran).hasValue(1);
	}

	@Test
	void aFreezableQueueMadeWhileFrozenStartsFrozen() {
		this.system.freeze();
		Workqueue late = this.system.allocWorkqueue("late", Set.of(WorkqueueFlag.FREEZABLE), 0);
		AtomicInteger ran = new AtomicInteger();
		late.execute(ran::incrementAndGet);
		Timeline.sleep(0.3);
		assertThat(ran).hasValue(0);
		this.system.thaw();
		late.flush();
		assertThat(ran).hasValue(1);
	}

}
