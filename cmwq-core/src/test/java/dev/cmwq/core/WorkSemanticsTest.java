package dev.cmwq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The pending bit, non-reentrancy, flush, drain, cancel, delayed work and destroy, as the kernel has them. */
class WorkSemanticsTest {

	private static final long TIMEOUT = 30;

	private final WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).systemWorkqueues(false).build();

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	private Workqueue wq(String name) {
		return this.system.allocWorkqueue(name, Set.of(), 0);
	}

	@Test
	void queueingAPendingItemReturnsFalseAndAddsNoRun() throws Exception {
		AtomicInteger runs = new AtomicInteger();
		Work work = new Work(runs::incrementAndGet);
		// an ordered queue whose one slot is taken keeps the item pending, deterministically
		Workqueue ordered = this.system.allocOrderedWorkqueue("pending-ordered", Set.of());
		CountDownLatch slot = new CountDownLatch(1);
		ordered.execute(() -> awaitLatch(slot));
		assertThat(ordered.queue(work)).isTrue();
		assertThat(work.isPending()).isTrue();
		assertThat(ordered.queue(work)).isFalse();
		assertThat(ordered.queue(work)).isFalse();
		slot.countDown();
		ordered.flush();
		assertThat(runs).hasValue(1);
		assertThat(work.isPending()).isFalse();
	}

	@Test
	void requeueWhileRunningRunsExactlyOnceMore() throws Exception {
		Workqueue wq = wq("requeue");
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicInteger runs = new AtomicInteger();
		AtomicInteger concurrent = new AtomicInteger();
		AtomicInteger maxConcurrent = new AtomicInteger();
		Work work = new Work(() -> {
			maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
			if (runs.incrementAndGet() == 1) {
				running.countDown();
				awaitLatch(release);
			}
			concurrent.decrementAndGet();
		});
		assertThat(wq.queueOn(0, work)).isTrue();
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(work.isRunning()).isTrue();
		assertThat(work.isPending()).isFalse();
		// queued again while running, even on the other CPU: one more run, never concurrent with the first
		assertThat(wq.queueOn(1, work)).isTrue();
		assertThat(wq.queueOn(1, work)).isFalse();
		release.countDown();
		wq.flush();
		assertThat(runs).hasValue(2);
		assertThat(maxConcurrent).hasValue(1);
	}

	@Test
	void flushWaitsForEverythingQueuedBefore() {
		Workqueue wq = wq("flush");
		AtomicInteger done = new AtomicInteger();
		for (int i = 0; i < 50; i++) {
			wq.execute(() -> {
				Timeline.sleep(0.01);
				done.incrementAndGet();
			});
		}
		wq.flush();
		assertThat(done).hasValue(50);
	}

	@Test
	void flushOfAWorkThatRequeuesItselfReturns() {
		Workqueue wq = wq("self-requeue");
		AtomicInteger runs = new AtomicInteger();
		Work[] self = new Work[1];
		self[0] = new Work(() -> {
			runs.incrementAndGet();
			Timeline.sleep(0.01);
			wq.queue(self[0]);
		});
		wq.queue(self[0]);
		wq.flush(); // must not chase the re-queued instances forever
		assertThat(runs.get()).isGreaterThanOrEqualTo(1);
		self[0].cancelSync();
		int after = runs.get();
		Timeline.sleep(0.2);
		assertThat(runs.get()).isEqualTo(after);
	}

	@Test
	void workFlushWaitsForTheRunningInstance() {
		Workqueue wq = wq("work-flush");
		AtomicInteger done = new AtomicInteger();
		Work work = new Work(() -> {
			Timeline.sleep(0.3);
			done.incrementAndGet();
		});
		wq.queue(work);
		assertThat(work.flush()).isTrue();
		assertThat(done).hasValue(1);
		assertThat(work.flush()).isFalse();
	}

	@Test
	void drainRejectsOutsideWorkButLetsItemsChain() throws Exception {
		Workqueue wq = wq("drain");
		AtomicInteger chain = new AtomicInteger();
		CountDownLatch outsiderRefused = new CountDownLatch(1);
		Runnable[] step = new Runnable[1];
		step[0] = () -> {
			if (chain.incrementAndGet() == 1) {
				awaitLatch(outsiderRefused); // the drain cannot end before an outsider has been refused
			}
			if (chain.get() < 10) {
				wq.execute(step[0]); // chained: allowed while draining
			}
		};
		wq.execute(step[0]);
		Thread drainer = new Thread(wq::drain);
		drainer.start();
		AtomicInteger acceptedBeforeDrain = new AtomicInteger();
		for (;;) { // until the drain has begun, outside work is still accepted (and drained with the rest)
			try {
				wq.execute(() -> {
				});
				acceptedBeforeDrain.incrementAndGet();
				Thread.yield();
			}
			catch (RejectedExecutionException ex) {
				assertThat(ex).hasMessageContaining("draining");
				outsiderRefused.countDown();
				break;
			}
		}
		drainer.join(TimeUnit.SECONDS.toMillis(TIMEOUT));
		assertThat(drainer.isAlive()).isFalse();
		assertThat(chain).hasValue(10);
		assertThat(wq.snapshot().pending()).isZero();
		assertThat(wq.snapshot().stats().completed()).isEqualTo(10 + acceptedBeforeDrain.get());
		wq.execute(() -> {
		}); // accepting again after the drain
	}

	@Test
	void cancelRemovesAPendingItemAndCancelSyncWaitsForTheRunningOne() throws Exception {
		Workqueue ordered = this.system.allocOrderedWorkqueue("cancel", Set.of());
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch started = new CountDownLatch(1);
		AtomicInteger runs = new AtomicInteger();
		Work blocker = new Work(() -> {
			started.countDown();
			awaitLatch(release);
			runs.incrementAndGet();
		});
		Work waiting = new Work(runs::incrementAndGet);
		ordered.queue(blocker);
		ordered.queue(waiting);
		assertThat(started.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(waiting.cancel()).isTrue();
		assertThat(waiting.isPending()).isFalse();
		assertThat(waiting.cancel()).isFalse();

		Thread canceller = new Thread(blocker::cancelSync);
		canceller.start();
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> canceller.getState() != Thread.State.RUNNABLE);
		assertThat(ordered.queue(blocker)).as("queueing during cancelSync").isFalse();
		assertThat(canceller.isAlive()).as("cancelSync waits for the running instance").isTrue();
		release.countDown();
		canceller.join(TimeUnit.SECONDS.toMillis(TIMEOUT));
		assertThat(canceller.isAlive()).isFalse();
		ordered.flush();
		assertThat(runs).hasValue(1);
		assertThat(ordered.snapshot().stats().cancelled()).isEqualTo(1);
		assertThat(ordered.queue(blocker)).as("queueing after cancelSync").isTrue();
	}

	@Test
	void delayedWorkRunsAfterItsDelayAndCanBeCancelledBeforeItsTimerFires() {
		Workqueue wq = wq("delayed");
		AtomicInteger runs = new AtomicInteger();
		DelayedWork work = new DelayedWork(runs::incrementAndGet);
		assertThat(wq.queueDelayed(work, Duration.ofSeconds(30))).isTrue();
		assertThat(work.isPending()).isTrue();
		assertThat(work.isDelayed()).isTrue();
		assertThat(wq.queueDelayed(work, Duration.ZERO)).isFalse();
		assertThat(work.cancel()).isTrue();
		assertThat(work.isPending()).isFalse();
		Timeline.sleep(0.1);
		assertThat(runs).hasValue(0);

		long start = System.nanoTime();
		CountDownLatch ran = new CountDownLatch(1);
		DelayedWork timed = new DelayedWork(ran::countDown);
		wq.queueDelayed(timed, Duration.ofMillis(200));
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> ran.getCount() == 0);
		assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
	}

	@Test
	void cancelAfterTheTimerFiredCancelsTheQueuedInstance() throws Exception {
		Workqueue ordered = this.system.allocOrderedWorkqueue("fired", Set.of());
		CountDownLatch release = new CountDownLatch(1);
		ordered.execute(() -> awaitLatch(release)); // holds the only slot, so the fired item stays queued
		AtomicInteger runs = new AtomicInteger();
		DelayedWork work = new DelayedWork(runs::incrementAndGet);
		ordered.queueDelayed(work, Duration.ofMillis(10));
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> !work.isDelayed());
		assertThat(work.isPending()).isTrue();
		assertThat(work.cancel()).isTrue();
		release.countDown();
		ordered.flush();
		assertThat(runs).hasValue(0);
	}

	@Test
	void modDelayedMovesAPendingTimerAndQueuesAnIdleItem() {
		Workqueue wq = wq("mod");
		AtomicInteger runs = new AtomicInteger();
		DelayedWork work = new DelayedWork(runs::incrementAndGet);
		assertThat(wq.modDelayed(work, Duration.ofSeconds(60))).as("was idle").isFalse();
		assertThat(wq.modDelayed(work, Duration.ofMillis(10))).as("was pending").isTrue();
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> runs.get() == 1);
		Timeline.sleep(0.1);
		assertThat(runs).hasValue(1);
	}

	/**
	 * A delayed item taken out of its timer by another thread between the arming's {@code schedule} and the moment
	 * the arming thread records the timer: the taker cannot drop that timer, so the arming thread must, or it stays
	 * in the timer's queue until its delay ends (here an hour), and used to overwrite the next arming's timer.
	 */
	@Test
	void aTimerThatAnItemWasTakenOutOfBeforeItsArmingRecordedItIsDropped() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false)
			.watchdogThreshold(Duration.ZERO) // no other timers
			.build()) {
			DefaultWorkqueue wq = (DefaultWorkqueue) system.allocWorkqueue("timers", Set.of(), 0);
			DelayedWork work = new DelayedWork(() -> {
			});
			AtomicBoolean cancelled = new AtomicBoolean();
			wq.afterArmScheduled = () -> {
				wq.afterArmScheduled = null; // once
				Thread taker = new Thread(() -> cancelled.set(work.cancel()));
				taker.start();
				try {
					taker.join();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			};
			assertThat(wq.queueDelayed(work, Duration.ofHours(1))).isTrue();
			assertThat(cancelled).as("taken out of its timer").isTrue();
			assertThat(system.timers.queued()).as("the hour's timer is dropped").isZero();

			assertThat(wq.queueDelayed(work, Duration.ofHours(1))).isTrue(); // the next arming's timer is kept,
			assertThat(system.timers.queued()).isOne();
			assertThat(work.cancel()).isTrue(); // and dropped by a cancel
			assertThat(system.timers.queued()).isZero();
		}
	}

	@Test
	void destroyDrainsThenRejects() {
		Workqueue wq = wq("destroy");
		AtomicInteger done = new AtomicInteger();
		for (int i = 0; i < 20; i++) {
			wq.execute(() -> {
				Timeline.sleep(0.01);
				done.incrementAndGet();
			});
		}
		wq.destroy();
		assertThat(done).hasValue(20);
		assertThatThrownBy(() -> wq.execute(() -> {
		})).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("destroy");
		assertThat(this.system.workqueue("destroy")).isEmpty();
		assertThat(this.system.allocWorkqueue("destroy", Set.of(), 0)).isNotNull();
	}

	@Test
	void orderedQueueRunsOneAtATimeInFifoOrder() {
		Workqueue ordered = this.system.allocOrderedWorkqueue("fifo", Set.of());
		List<Integer> order = new CopyOnWriteArrayList<>();
		AtomicInteger concurrent = new AtomicInteger();
		AtomicInteger maxConcurrent = new AtomicInteger();
		for (int i = 0; i < 200; i++) {
			int n = i;
			ordered.execute(() -> {
				maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
				if (n % 20 == 0) {
					Timeline.sleep(0.01);
				}
				order.add(n);
				concurrent.decrementAndGet();
			});
		}
		ordered.flush();
		assertThat(order).hasSize(200).isSorted();
		assertThat(maxConcurrent).hasValue(1);
		assertThat(ordered.isOrdered()).isTrue();
		assertThat(ordered.maxActive()).isEqualTo(1);
	}

	@Test
	void maxActiveBoundsItemsInFlightAndCanBeRaised() {
		Workqueue wq = this.system.allocWorkqueue("limited", Set.of(WorkqueueFlag.UNBOUND), 2);
		AtomicInteger concurrent = new AtomicInteger();
		AtomicInteger maxConcurrent = new AtomicInteger();
		for (int i = 0; i < 40; i++) {
			wq.execute(() -> {
				maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
				Timeline.sleep(0.02);
				concurrent.decrementAndGet();
			});
		}
		wq.flush();
		assertThat(maxConcurrent.get()).isEqualTo(2);
		wq.setMaxActive(8);
		maxConcurrent.set(0);
		for (int i = 0; i < 40; i++) {
			wq.execute(() -> {
				maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
				Timeline.sleep(0.05);
				concurrent.decrementAndGet();
			});
		}
		wq.flush();
		assertThat(maxConcurrent.get()).isGreaterThan(2).isLessThanOrEqualTo(8);
	}

	@Test
	void limitsAndNamesAreCheckedWithMessagesNamingTheQueueAndValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.system.allocWorkqueue("big", Set.of(), 513))
			.withMessageContaining("'big'")
			.withMessageContaining("513");
		assertThatIllegalArgumentException().isThrownBy(() -> this.system.allocWorkqueue("neg", Set.of(), -1))
			.withMessageContaining("-1");
		assertThat(this.system.allocWorkqueue("ub", Set.of(WorkqueueFlag.UNBOUND), 512).maxActive()).isEqualTo(512);
		assertThat(this.system.allocWorkqueue("dflt", Set.of(), 0).maxActive()).isEqualTo(256);
		assertThatIllegalArgumentException().isThrownBy(() -> this.system.allocWorkqueue("bad name", Set.of(), 0))
			.withMessageContaining("'bad name'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.system.allocWorkqueue("x".repeat(33), Set.of(), 0));
		assertThatIllegalArgumentException().isThrownBy(() -> this.system.allocWorkqueue("dflt", Set.of(), 0))
			.withMessageContaining("already exists");
		Workqueue ordered = this.system.allocOrderedWorkqueue("ord", Set.of());
		assertThatIllegalArgumentException().isThrownBy(() -> ordered.setMaxActive(2)).withMessageContaining("ord");
		assertThatThrownBy(() -> this.system.allocWorkqueue("q", Set.of(), 0).queueOn(7, new Work(() -> {
		}))).isInstanceOf(UnknownCpuException.class);
	}

	@Test
	void failingItemsAreCountedAndThePoolCarriesOn() {
		Workqueue wq = this.system.allocWorkqueue("failing", Set.of(), 0);
		wq.execute(() -> {
			throw new IllegalStateException("boom");
		});
		wq.execute(() -> {
			throw new StackOverflowError();
		});
		AtomicInteger ok = new AtomicInteger();
		wq.execute(ok::incrementAndGet);
		wq.flush();
		assertThat(ok).hasValue(1);
		WorkqueueStats stats = wq.snapshot().stats();
		assertThat(stats.failed()).isEqualTo(2);
		assertThat(stats.completed()).isEqualTo(1);
		assertThat(stats.started()).isEqualTo(3);
	}

	static void awaitLatch(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
