package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A queue's capacity and overflow policies: what counts as pending, what each policy does at the boundary, and that
 * many producers at the boundary lose no item and run none twice. Most tests hold the queue full deterministically:
 * an unbound queue with max-active 1 whose one running item waits on a latch holds every later item back.
 */
class CapacityTest {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).systemWorkqueues(false).build();

	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void tearDown() {
		this.release.countDown();
		this.system.close(Duration.ofSeconds(5));
	}

	/** An unbound queue with max-active 1, its one slot taken by an item that waits for {@link #release}. */
	private Workqueue stalled(String name, int capacity, Overflow overflow, Duration timeout) throws Exception {
		Workqueue wq = this.system.allocWorkqueue(name, Set.of(WorkqueueFlag.UNBOUND), 1);
		wq.setCapacity(capacity, overflow, timeout);
		CountDownLatch running = new CountDownLatch(1);
		wq.execute(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(this.release);
		});
		assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
		return wq;
	}

	private static Work noop() {
		return new Work(() -> {
		});
	}

	@Test
	void rejectRefusesTheFirstItemBeyondTheCapacityNamingTheQueueAndCountsIt() throws Exception {
		Workqueue wq = stalled("mailer", 3, Overflow.REJECT, Duration.ZERO);
		AtomicInteger ran = new AtomicInteger();
		for (int i = 0; i < 3; i++) {
			assertThat(wq.queue(new Work(ran::incrementAndGet))).isTrue();
		}
		assertThatThrownBy(() -> wq.queue(new Work(ran::incrementAndGet)))
			.isInstanceOf(RejectedExecutionException.class)
			.hasMessageContaining("'mailer'")
			.hasMessageContaining("capacity 3");
		assertThatThrownBy(() -> wq.execute(ran::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
		assertThat(wq.snapshot().pending()).isEqualTo(3);
		assertThat(wq.snapshot().stats().rejected()).isEqualTo(2);

		this.release.countDown();
		wq.flush();
		assertThat(ran).hasValue(3);
		assertThat(((DefaultWorkqueue) wq).slotsTaken()).isZero();
		assertThat(wq.queue(new Work(ran::incrementAndGet))).as("room again once the items started").isTrue();
		wq.flush();
		assertThat(ran).hasValue(4);
	}

	@ParameterizedTest
	@EnumSource(Overflow.class)
	void anItemAlreadyPendingIsNeverRefusedAndNeverCountsTwice(Overflow overflow) throws Exception {
		Workqueue wq = stalled("full", 1, overflow, Duration.ZERO);
		AtomicInteger ran = new AtomicInteger();
		Work work = new Work(ran::incrementAndGet);
		assertThat(wq.queue(work)).isTrue();
		assertThat(wq.queue(work)).as("pending: false, as always, not refused").isFalse();
		assertThat(wq.queueOn(0, work)).isFalse();
		assertThat(((DefaultWorkqueue) wq).slotsTaken()).isEqualTo(1);
		assertThat(wq.snapshot().stats().rejected()).isZero();
		this.release.countDown();
		wq.flush();
		assertThat(ran).hasValue(1);
	}

	@Test
	void delayedItemsCountFromTheirQueueingAndCancellingOneMakesRoom() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("delayed", Set.of(), 0);
		wq.setCapacity(1, Overflow.REJECT, Duration.ZERO);
		DelayedWork later = new DelayedWork(() -> {
		});
		assertThat(wq.queueDelayed(later, Duration.ofDays(1))).isTrue();
		assertThatThrownBy(() -> wq.queue(noop())).isInstanceOf(RejectedExecutionException.class);
		assertThat(wq.modDelayed(later, Duration.ofDays(2))).as("moving a pending item needs no room").isTrue();
		assertThat(later.cancel()).isTrue();
		assertThat(((DefaultWorkqueue) wq).slotsTaken()).isZero();
		assertThat(wq.queue(noop())).isTrue();
	}

	@Test
	void itemsHeldByAFreezeCountAndRunAfterTheThaw() {
		Workqueue wq = this.system.allocWorkqueue("frozen", Set.of(WorkqueueFlag.FREEZABLE), 0);
		wq.setCapacity(2, Overflow.REJECT, Duration.ZERO);
		this.system.freeze();
		AtomicInteger ran = new AtomicInteger();
		wq.execute(ran::incrementAndGet);
		wq.execute(ran::incrementAndGet);
		assertThatThrownBy(() -> wq.execute(ran::incrementAndGet)).isInstanceOf(RejectedExecutionException.class);
		this.system.thaw();
		wq.flush();
		assertThat(ran).hasValue(2);
	}

	@Test
	void cancellingAPendingItemGivesItsPlaceBack() throws Exception {
		Workqueue wq = stalled("cancel", 1, Overflow.REJECT, Duration.ZERO);
		Work held = noop();
		assertThat(wq.queue(held)).isTrue();
		assertThatThrownBy(() -> wq.queue(noop())).isInstanceOf(RejectedExecutionException.class);
		assertThat(held.cancel()).isTrue();
		assertThat(wq.queue(noop())).isTrue();
		Work other = noop();
		assertThatThrownBy(() -> wq.queue(other)).isInstanceOf(RejectedExecutionException.class);
		this.release.countDown();
		assertThat(this.system.awaitIdle(PATIENCE)).isTrue();
		assertThat(((DefaultWorkqueue) wq).slotsTaken()).isZero();
	}

	@Test
	void callerRunsRunsTheItemOnTheCallersThreadWhenFull() throws Exception {
		Workqueue wq = stalled("caller", 1, Overflow.CALLER_RUNS, Duration.ZERO);
		wq.execute(() -> {
		}); // fills it
		AtomicReference<Thread> ranOn = new AtomicReference<>();
		assertThat(wq.queue(new Work(() -> ranOn.set(Thread.currentThread())))).isTrue();
		assertThat(ranOn.get()).as("ran inside the call, on the caller's thread").isSameAs(Thread.currentThread());
		WorkqueueStats stats = wq.snapshot().stats();
		assertThat(stats.completed()).isEqualTo(1);
		assertThat(stats.rejected()).isZero();
		DelayedWork delayed = new DelayedWork(() -> ranOn.set(null));
		assertThatThrownBy(() -> wq.queueDelayed(delayed, Duration.ofSeconds(1)))
			.as("a delayed item cannot run on its caller")
			.isInstanceOf(RejectedExecutionException.class)
			.hasMessageContaining("delay");
		assertThat(delayed.isPending()).isFalse();
		assertThat(wq.queueDelayed(delayed, Duration.ZERO)).isTrue();
		assertThat(ranOn.get()).as("without a delay it runs on the caller").isNull();
		this.release.countDown();
		assertThat(this.system.awaitIdle(PATIENCE)).isTrue();
	}

	@Test
	void callerRunsRefusesAnItemThatIsRunningNowRatherThanRunItBesideItself() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("running", Set.of(WorkqueueFlag.UNBOUND), 1);
		wq.setCapacity(1, Overflow.CALLER_RUNS, Duration.ZERO);
		CountDownLatch running = new CountDownLatch(1);
		Work work = new Work(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(this.release);
		});
		wq.queue(work);
		assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
		wq.queue(noop()); // fills it
		assertThatThrownBy(() -> wq.queue(work)).isInstanceOf(RejectedExecutionException.class)
			.hasMessageContaining("running now");
		assertThat(work.isPending()).isFalse();
	}

	@Test
	void anItemQueuedAgainWhileItsCallerRunsItRunsOnceMoreAfterOnAWorker() throws Exception {
		Workqueue wq = stalled("caller", 1, Overflow.CALLER_RUNS, Duration.ZERO);
		wq.execute(() -> {
		}); // fills it
		Workqueue other = this.system.allocWorkqueue("other", Set.of(), 0);
		AtomicInteger runs = new AtomicInteger();
		AtomicInteger concurrent = new AtomicInteger();
		AtomicInteger overlaps = new AtomicInteger();
		List<Thread> threads = new ArrayList<>();
		CountDownLatch pickedUp = new CountDownLatch(1);
		Work[] self = new Work[1];
		self[0] = new Work(() -> {
			if (concurrent.incrementAndGet() != 1) {
				overlaps.incrementAndGet();
			}
			threads.add(Thread.currentThread());
			if (runs.incrementAndGet() == 1) {
				assertThat(other.queue(self[0])).isTrue();
				// a worker of other's pool picks it up now and must defer it until this run ends
				await().atMost(PATIENCE).until(() -> self[0].linkedPool() != null
						&& self[0].link() == Work.Link.DEFERRED);
				pickedUp.countDown();
			}
			concurrent.decrementAndGet();
		});
		assertThat(wq.queue(self[0])).isTrue();
		assertThat(pickedUp.getCount()).isZero();
		self[0].flush();
		assertThat(runs).hasValue(2);
		assertThat(overlaps).hasValue(0);
		assertThat(threads.get(0)).isSameAs(Thread.currentThread());
		assertThat(threads.get(1)).isNotSameAs(Thread.currentThread());
	}

	@Test
	void callerRunsIsRefusedForOrderedAndFreezableQueuesAndBadValuesNameTheQueue() {
		Workqueue ordered = this.system.allocOrderedWorkqueue("ordered", Set.of());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ordered.setCapacity(10, Overflow.CALLER_RUNS, Duration.ZERO))
			.withMessageContaining("'ordered'")
			.withMessageContaining("caller-runs");
		Workqueue freezable = this.system.allocWorkqueue("freezable", Set.of(WorkqueueFlag.FREEZABLE), 0);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> freezable.setCapacity(10, Overflow.CALLER_RUNS, Duration.ZERO))
			.withMessageContaining("'freezable'");
		ordered.setCapacity(10, Overflow.BLOCK, Duration.ofSeconds(2));
		assertThat(ordered.capacity()).isEqualTo(10);
		assertThat(ordered.overflow()).isEqualTo(Overflow.BLOCK);
		assertThat(ordered.overflowTimeout()).isEqualTo(Duration.ofSeconds(2));
		assertThatIllegalArgumentException().isThrownBy(() -> ordered.setCapacity(0, Overflow.REJECT, Duration.ZERO))
			.withMessageContaining("'ordered'")
			.withMessageContaining("capacity 0");
		assertThatIllegalArgumentException().isThrownBy(() -> ordered.setCapacity(1, null, Duration.ZERO))
			.withMessageContaining("'ordered'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> ordered.setCapacity(1, Overflow.BLOCK, Duration.ofSeconds(-1)))
			.withMessageContaining("'ordered'")
			.withMessageContaining("PT-1S");
		assertThat(ordered.capacity()).as("refused changes change nothing").isEqualTo(10);
		Workqueue fresh = this.system.allocWorkqueue("fresh", Set.of(), 0);
		assertThat(fresh.capacity()).isEqualTo(Workqueue.UNBOUNDED);
		assertThat(fresh.overflow()).isEqualTo(Overflow.REJECT);
	}

	@Test
	void blockWaitsForRoomAndGetsInOnceAnItemStarts() throws Exception {
		Workqueue wq = stalled("block", 1, Overflow.BLOCK, PATIENCE);
		wq.execute(() -> {
		}); // fills it
		AtomicInteger ran = new AtomicInteger();
		AtomicReference<Object> outcome = new AtomicReference<>();
		Thread producer = new Thread(() -> {
			try {
				outcome.set(wq.queue(new Work(ran::incrementAndGet)));
			}
			catch (RuntimeException ex) {
				outcome.set(ex);
			}
		});
		producer.start();
		await().atMost(PATIENCE).until(() -> producer.getState() == Thread.State.TIMED_WAITING);
		assertThat(outcome.get()).isNull();
		this.release.countDown(); // the blocker ends, the held item starts: one place frees
		producer.join(PATIENCE.toMillis());
		assertThat(outcome.get()).isEqualTo(true);
		wq.flush();
		assertThat(ran).hasValue(1);
		assertThat(wq.snapshot().stats().rejected()).isZero();
	}

	@Test
	void blockRejectsOnceTheOverflowTimeoutHasPassed() throws Exception {
		Workqueue wq = stalled("timeout", 1, Overflow.BLOCK, Duration.ofMillis(300));
		wq.execute(() -> {
		});
		long start = System.nanoTime();
		assertThatThrownBy(() -> wq.execute(() -> {
		})).isInstanceOf(RejectedExecutionException.class)
			.hasMessageContaining("'timeout'")
			.hasMessageContaining("overflow timeout");
		assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
		assertThat(wq.snapshot().stats().rejected()).isEqualTo(1);
	}

	@Test
	void raisingTheCapacityLetsWaitingCallersIn() throws Exception {
		Workqueue wq = stalled("raise", 1, Overflow.BLOCK, PATIENCE);
		wq.execute(() -> {
		});
		AtomicReference<Object> outcome = new AtomicReference<>();
		Thread producer = new Thread(() -> outcome.set(wq.queue(noop())));
		producer.start();
		await().atMost(PATIENCE).until(() -> producer.getState() == Thread.State.TIMED_WAITING);
		wq.setCapacity(2, Overflow.BLOCK, PATIENCE);
		producer.join(PATIENCE.toMillis());
		assertThat(outcome.get()).isEqualTo(true);
		assertThat(wq.snapshot().pending()).isEqualTo(2);
	}

	@Test
	void anInterruptedBlockedCallerIsRejectedAndKeepsItsInterrupt() throws Exception {
		Workqueue wq = stalled("interrupt", 1, Overflow.BLOCK, PATIENCE);
		wq.execute(() -> {
		});
		AtomicReference<Object> outcome = new AtomicReference<>();
		Thread producer = new Thread(() -> {
			try {
				wq.queue(noop());
			}
			catch (RejectedExecutionException ex) {
				outcome.set(ex.getMessage() + (Thread.currentThread().isInterrupted() ? " [interrupted]" : ""));
			}
		});
		producer.start();
		await().atMost(PATIENCE).until(() -> producer.getState() == Thread.State.TIMED_WAITING);
		producer.interrupt();
		producer.join(PATIENCE.toMillis());
		assertThat(outcome.get()).asString().contains("interrupted while waiting").endsWith("[interrupted]");
	}

	@Test
	void aWorkerBlockedWaitingForRoomLetsItsPoolStartTheNextItem() throws Exception {
		try (WorkqueueSystem one = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build()) {
			Workqueue full = one.allocWorkqueue("full", Set.of(WorkqueueFlag.UNBOUND), 1);
			full.setCapacity(1, Overflow.BLOCK, PATIENCE);
			CountDownLatch blockerRuns = new CountDownLatch(1);
			full.execute(() -> {
				blockerRuns.countDown();
				WorkSemanticsTest.awaitLatch(this.release);
			});
			assertThat(blockerRuns.await(30, TimeUnit.SECONDS)).isTrue();
			full.execute(() -> {
			}); // fills it
			Workqueue bound = one.allocWorkqueue("bound", Set.of(), 0);
			CountDownLatch waiting = new CountDownLatch(1);
			bound.execute(() -> {
				waiting.countDown();
				full.execute(() -> {
				}); // waits for room, on a worker of cpu0's pool
			});
			assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
			CountDownLatch next = new CountDownLatch(1);
			bound.execute(next::countDown);
			assertThat(next.await(30, TimeUnit.SECONDS)).as("the waiting worker counts as blocked").isTrue();
			this.release.countDown();
			assertThat(one.awaitIdle(PATIENCE)).isTrue();
			assertThat(full.snapshot().stats().completed()).isEqualTo(3);
		}
	}

	/**
	 * Eight producers offer fresh items to a bound queue of capacity 4 as fast as they can: every offer is accepted
	 * or rejected, every accepted item runs exactly once, no rejected one runs, and the pending items never exceed
	 * the capacity.
	 */
	@ParameterizedTest
	@EnumSource(Overflow.class)
	void manyProducersAtTheBoundaryLoseNothingAndRunNothingTwice(Overflow overflow) throws Exception {
		int producers = 8;
		int perProducer = 5_000;
		int capacity = 4;
		Workqueue wq = this.system.allocWorkqueue("boundary", Set.of(), 2);
		wq.setCapacity(capacity, overflow, PATIENCE);
		AtomicIntegerArray runs = new AtomicIntegerArray(producers * perProducer);
		AtomicLong accepted = new AtomicLong();
		AtomicLong rejected = new AtomicLong();
		AtomicLong ranOnCaller = new AtomicLong();
		AtomicInteger mostPending = new AtomicInteger();
		List<Thread> threads = new ArrayList<>();
		for (int p = 0; p < producers; p++) {
			int base = p * perProducer;
			threads.add(new Thread(() -> {
				Thread me = Thread.currentThread();
				for (int i = 0; i < perProducer; i++) {
					int id = base + i;
					try {
						boolean queued = wq.queue(new Work(() -> {
							runs.incrementAndGet(id);
							if (Thread.currentThread() == me) {
								ranOnCaller.incrementAndGet();
							}
						}));
						assertThat(queued).isTrue(); // a fresh item is never pending
						accepted.incrementAndGet();
					}
					catch (RejectedExecutionException ex) {
						rejected.incrementAndGet();
					}
					mostPending.accumulateAndGet(((DefaultWorkqueue) wq).slotsTaken(), Math::max);
				}
			}, "producer-" + p));
		}
		threads.forEach(Thread::start);
		for (Thread thread : threads) {
			thread.join(PATIENCE.toMillis() * 4);
		}
		assertThat(this.system.awaitIdle(PATIENCE)).isTrue();
		assertThat(accepted.get() + rejected.get()).isEqualTo((long) producers * perProducer);
		long ranOnce = 0;
		for (int id = 0; id < runs.length(); id++) {
			assertThat(runs.get(id)).as("runs of item %d", id).isBetween(0, 1);
			ranOnce += runs.get(id);
		}
		assertThat(ranOnce).as("every accepted item ran, and no rejected one").isEqualTo(accepted.get());
		WorkqueueStats stats = wq.snapshot().stats();
		assertThat(stats.completed()).isEqualTo(accepted.get());
		assertThat(stats.rejected()).isEqualTo(rejected.get());
		assertThat(mostPending.get()).isLessThanOrEqualTo(capacity);
		assertThat(((DefaultWorkqueue) wq).slotsTaken()).isZero();
		switch (overflow) {
			case BLOCK -> assertThat(rejected).as("nothing waits 30 s for one of 4 places").hasValue(0);
			case CALLER_RUNS -> assertThat(rejected).hasValue(0);
			case REJECT -> assertThat(ranOnCaller).hasValue(0);
		}
	}

	/**
	 * A flood, as in issue 20 (a producer far faster than the workers), keeps the pending items within the capacity:
	 * REJECT refuses the surplus, BLOCK paces the producers; memory stays bounded by the capacity.
	 */
	@ParameterizedTest
	@EnumSource(value = Overflow.class, names = { "REJECT", "BLOCK" })
	void aFloodKeepsThePendingItemsWithinTheCapacity(Overflow overflow) throws Exception {
		int capacity = 100;
		Workqueue wq = this.system.allocWorkqueue("flood", EnumSet.of(WorkqueueFlag.UNBOUND), 2);
		wq.setCapacity(capacity, overflow, PATIENCE);
		AtomicLong ran = new AtomicLong();
		AtomicLong accepted = new AtomicLong();
		AtomicInteger mostPending = new AtomicInteger();
		Runnable slow = () -> {
			LockSupport.parkNanos(50_000); // slow, not CPU-intensive
			ran.incrementAndGet();
		};
		List<Thread> producers = new ArrayList<>();
		for (int p = 0; p < 4; p++) {
			producers.add(new Thread(() -> {
				for (int i = 0; i < 20_000; i++) {
					try {
						wq.execute(slow);
						accepted.incrementAndGet();
					}
					catch (RejectedExecutionException ex) {
						// the surplus
					}
					mostPending.accumulateAndGet(wq.snapshot().pending(), Math::max);
				}
			}));
		}
		producers.forEach(Thread::start);
		for (Thread producer : producers) {
			producer.join(PATIENCE.toMillis() * 4);
		}
		assertThat(this.system.awaitIdle(PATIENCE)).isTrue();
		assertThat(mostPending.get()).isLessThanOrEqualTo(capacity);
		assertThat(ran.get()).isEqualTo(accepted.get());
		if (overflow == Overflow.BLOCK) {
			assertThat(accepted).hasValue(80_000);
		}
	}

}
