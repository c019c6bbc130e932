package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Out of memory where the engine links or activates an item ({@code WorkerPool.allocationFault} throws an
 * {@code OutOfMemoryError} where the real code allocates: a {@code Work} node, a list that grows): nothing is lost,
 * nothing runs twice, order is kept, and the pool lock is released. Only an item whose queueing itself fails is
 * not accepted, and its caller sees the error. One CPU; a spinning item keeps the pool's worker running while items
 * are queued, so that they wait on the incoming stack (as in {@link IncomingHandoffTest}).
 */
class AllocationFailureTest {

	private static final long TIMEOUT = 30;

	private final WorkqueueSystem system = WorkqueueSystem.builder()
		.cpus(1)
		.systemWorkqueues(false)
		.cpuIntensiveThreshold(Duration.ZERO)
		.maydayInterval(Duration.ofMillis(20))
		.bareTasksAfter(8)
		.build();

	private final AtomicBoolean release = new AtomicBoolean();

	@AfterEach
	void tearDown() {
		pool().allocationFault = null;
		this.release.set(true);
		this.system.close(Duration.ofSeconds(5));
	}

	private WorkerPool pool() {
		return this.system.topology.cpuPool(0, false);
	}

	/** Makes the {@code n}th allocation from now on fail (1 = the next), once, and counts the attempts. */
	private AtomicInteger failAllocation(int n) {
		AtomicInteger calls = new AtomicInteger();
		pool().allocationFault = () -> {
			if (calls.incrementAndGet() == n) {
				throw new OutOfMemoryError("injected");
			}
		};
		return calls;
	}

	/** Starts an item of {@code wq} that counts as running until {@link #release}. */
	private void startSpinner(Workqueue wq) throws InterruptedException {
		CountDownLatch running = new CountDownLatch(1);
		wq.execute(() -> {
			running.countDown();
			while (!this.release.get()) {
				Thread.onSpinWait();
			}
		});
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
	}

	/** Queues {@code n} items, alternately through {@code execute} and {@code queue}, that record their index. */
	private List<Integer> queueNumbered(Workqueue wq, int n) {
		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			int index = i;
			Runnable task = () -> {
				synchronized (order) {
					order.add(index);
				}
			};
			if (i % 2 == 0) {
				wq.execute(task);
			}
			else {
				assertThat(wq.queue(new Work(task))).isTrue();
			}
		}
		return order;
	}

	private void assertRanOnceInOrder(List<Integer> order, int n) throws InterruptedException {
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).as("every accepted item answered").isTrue();
		synchronized (order) {
			assertThat(order).containsExactlyElementsOf(IntStream.range(0, n).boxed().toList());
		}
	}

	@Test
	void itemsWhoseLinkingFailsStayQueuedInOrderAndRunOnce() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("link", Set.of(), 0);
		startSpinner(wq);
		List<Integer> order = queueNumbered(wq, 40);
		assertThat(pool().incomingDepth()).isEqualTo(40);
		AtomicInteger calls = failAllocation(17); // the worker links them as the spinner ends: the 17th fails
		this.release.set(true);
		assertRanOnceInOrder(order, 40);
		assertThat(calls.get()).as("linking was retried").isGreaterThan(40);
		assertThat(wq.snapshot().stats().completed()).isEqualTo(41);
	}

	@Test
	void itemsQueuedAfterAFailedLinkingRunAfterTheItemsItLeftWaiting() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("relink", Set.of(), 0);
		startSpinner(wq);
		List<Integer> order = queueNumbered(wq, 10);
		failAllocation(1); // the first linking of the ten fails: they wait, and whoever links next links them first
		this.release.set(true);
		for (int i = 10; i < 20; i++) {
			int index = i;
			wq.execute(() -> {
				synchronized (order) {
					order.add(index);
				}
			});
		}
		assertRanOnceInOrder(order, 20);
	}

	@Test
	void aFlushWaitsForItemsThatCouldNotBeLinkedYet() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("flush", Set.of(), 0);
		startSpinner(wq);
		List<Integer> order = queueNumbered(wq, 10);
		AtomicBoolean failing = new AtomicBoolean(true);
		pool().allocationFault = () -> {
			if (failing.get()) {
				throw new OutOfMemoryError("injected");
			}
		};
		this.release.set(true); // the worker takes the lock as the spinner ends: not one item can be placed
		assertThat(this.system.awaitIdle(Duration.ofMillis(200))).isFalse();
		CountDownLatch flushed = new CountDownLatch(1);
		AtomicInteger ranWhenFlushReturned = new AtomicInteger(-1);
		Thread flusher = new Thread(() -> {
			wq.flush();
			synchronized (order) {
				ranWhenFlushReturned.set(order.size());
			}
			flushed.countDown();
		});
		flusher.start();
		assertThat(flushed.await(200, TimeUnit.MILLISECONDS)).as("flush returned while nothing could run").isFalse();
		failing.set(false); // memory again: the mayday timer's retry places them
		assertThat(flushed.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(ranWhenFlushReturned).hasValue(10);
		assertRanOnceInOrder(order, 10);
	}

	/**
	 * Non-reentrancy: an item queued again while it runs, picked by another worker of the pool, goes to the scheduled
	 * list of the worker running it; where that list cannot grow, it is deferred instead and runs once that run ends.
	 */
	@Test
	void anItemThatCannotJoinItsRunningWorkersListIsDeferredAndRunsAfterIt() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("handoff", Set.of(WorkqueueFlag.CPU_INTENSIVE), 0);
		AtomicInteger runs = new AtomicInteger();
		AtomicInteger concurrent = new AtomicInteger();
		AtomicBoolean overlapped = new AtomicBoolean();
		CountDownLatch firstRunning = new CountDownLatch(1);
		Work work = new Work(() -> {
			overlapped.compareAndSet(false, concurrent.incrementAndGet() > 1);
			if (runs.incrementAndGet() == 1) {
				firstRunning.countDown();
				while (!this.release.get()) {
					Thread.onSpinWait();
				}
			}
			concurrent.decrementAndGet();
		});
		assertThat(wq.queue(work)).isTrue();
		assertThat(firstRunning.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		// CPU-intensive: the spinning run does not count as running, so another worker picks the second instance;
		// the 1st allocation is its placing on the worklist, the 2nd the hand-over to the spinning worker's list
		AtomicInteger calls = failAllocation(2);
		assertThat(wq.queue(work)).isTrue();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT);
		while (calls.get() < 2 && System.nanoTime() - deadline < 0) {
			Thread.onSpinWait();
		}
		assertThat(calls.get()).as("the hand-over was tried").isGreaterThanOrEqualTo(2);
		assertThat(runs).as("deferred, not started beside the first run").hasValue(1);
		this.release.set(true);
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(runs).hasValue(2);
		assertThat(overlapped).isFalse();
	}

	@Test
	void anExecutedItemQueuedStraightToTheHeldBackLineWaitsBehindItemsThatCouldNotBeLinked() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("straight", Set.of(), 1); // one at a time: the rest is held back
		startSpinner(wq);
		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < 15; i++) {
			int index = i;
			Runnable task = () -> {
				synchronized (order) {
					order.add(index);
				}
			};
			if (i < 10) {
				wq.execute(task); // on the stack; linked, held back, by the lock round trip below
			}
			else {
				assertThat(wq.queue(new Work(task))).isTrue(); // on the stack, after 10 held back tasks
			}
			if (i == 9) {
				pool().lock();
				pool().unlock();
			}
		}
		failAllocation(1); // the queuer's own lock() cannot link the five: they wait, unlinked
		wq.execute(() -> { // so many are held back that this one would join the held-back line directly
			synchronized (order) {
				order.add(15);
			}
		});
		this.release.set(true);
		assertRanOnceInOrder(order, 16);
	}

	@Test
	void aFreezeThatCannotTakeItemsBackLeavesThemActivatedInOrder() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("freeze", Set.of(WorkqueueFlag.FREEZABLE), 0);
		startSpinner(wq);
		List<Integer> order = queueNumbered(wq, 10);
		pool().lock(); // links them: activated, on the worklist behind the spinner
		pool().unlock();
		failAllocation(1); // the room on the held-back list the freeze makes first
		assertThat(this.system.freeze()).isTrue();
		assertThat(this.system.freezeBusyCount()).as("the spinner and the ten, let in before the freeze").isEqualTo(11);
		this.release.set(true);
		assertRanOnceInOrder(order, 10);
	}

	@Test
	void aHeldBackItemWhoseActivationFailsStaysFirstInLine() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("activate", Set.of(), 1); // one at a time: the rest is held back
		startSpinner(wq);
		List<Integer> order = queueNumbered(wq, 30);
		AtomicInteger calls = failAllocation(35); // past linking (30 items), during the activations that follow
		this.release.set(true);
		assertRanOnceInOrder(order, 30);
		assertThat(calls.get()).isGreaterThan(35);
	}

	@Test
	void aQueueingThatCannotAllocateIsNotAcceptedAndItsCallerSeesTheError() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("refuse", Set.of(), 1);
		wq.setCapacity(100, Overflow.REJECT, Duration.ZERO);
		startSpinner(wq);
		List<Integer> order = queueNumbered(wq, 20);
		pool().lock(); // links them: held back, more than bareTasksAfter, so the next queuer holds its task back itself
		pool().unlock();
		failAllocation(1);
		assertThatThrownBy(() -> wq.execute(() -> {
			throw new AssertionError("a refused item ran");
		})).isInstanceOf(OutOfMemoryError.class);
		assertThat(((DefaultWorkqueue) wq).slotsTaken()).as("its capacity slot given back").isEqualTo(20);
		pool().allocationFault = null;
		this.release.set(true);
		assertRanOnceInOrder(order, 20);
		assertThat(wq.snapshot().stats().completed()).isEqualTo(21);
	}

	/**
	 * Linking an item kicks a worker; with none to be had (the pool at its worker limit, its one worker in a blocking
	 * section) the kick arms the mayday timer, and arming it may fail too (out of memory). The item is linked by then:
	 * it must not be taken for one that could not be linked (and linked, and run, a second time), and the mayday
	 * timer must be armed by a later kick.
	 */
	@Test
	void anItemLinkedWhileTheMaydayTimerCannotBeArmedRunsOnceAndTheTimerIsArmedLater() throws Exception {
		try (WorkqueueSystem limited = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.maxWorkersPerPool(1)
			// long: a mayday timer that fired within the test's window would arm itself again, one more call counted
			// (seen under load: 3 calls against 2)
			.maydayInterval(Duration.ofSeconds(TIMEOUT))
			.build()) {
			Workqueue wq = limited.allocWorkqueue("limited", Set.of(), 0);
			CountDownLatch blocking = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			wq.execute(() -> {
				try (Blocking.Section ignored = Blocking.begin()) { // counts as not running: the pool wants a worker
					blocking.countDown();
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			assertThat(blocking.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
			WorkerPool pool = limited.topology.cpuPool(0, false);
			AtomicInteger scheduleCalls = new AtomicInteger();
			limited.timers.scheduleFault = () -> {
				if (scheduleCalls.incrementAndGet() == 1) {
					throw new OutOfMemoryError("injected");
				}
			};
			AtomicInteger runs = new AtomicInteger();
			AtomicInteger laterRuns = new AtomicInteger();
			try {
				assertThat(wq.queue(new Work(runs::incrementAndGet))).isTrue();
				pool.lock(); // a later lock holder, who would link again what could not be linked
				pool.unlock();
				assertThat(wq.queue(new Work(laterRuns::incrementAndGet))).isTrue(); // the next shortage
			}
			finally {
				release.countDown();
				limited.timers.scheduleFault = null;
			}
			assertThat(limited.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
			assertThat(runs.get()).as("runs of the item linked as the timer failed").isEqualTo(1);
			assertThat(laterRuns.get()).isEqualTo(1);
			assertThat(wq.snapshot().stats().completed()).isEqualTo(3);
			assertThat(scheduleCalls.get()).as("the mayday timer was armed after the failed attempt").isEqualTo(2);
		}
	}

	@Test
	void aDelayedItemWhoseTimerCannotBeSetIsAnsweredCancelledAndItsCallerSeesTheError() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("delayed", Set.of(), 0);
		List<Work.Outcome> answers = new ArrayList<>();
		DelayedWork work = new DelayedWork(() -> {
			throw new AssertionError("ran without a timer");
		}) {
			@Override
			protected void done(Outcome outcome, Throwable failure) {
				synchronized (answers) {
					answers.add(outcome);
				}
			}
		};
		this.system.timers.scheduleFault = () -> {
			throw new OutOfMemoryError("injected");
		};
		try {
			assertThatThrownBy(() -> wq.queueDelayed(work, Duration.ofMillis(10))).isInstanceOf(OutOfMemoryError.class);
		}
		finally {
			this.system.timers.scheduleFault = null;
		}
		assertThat(work.isPending()).isFalse();
		synchronized (answers) {
			assertThat(answers).containsExactly(Work.Outcome.CANCELLED);
		}
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(wq.snapshot().stats().cancelled()).isEqualTo(1);
	}

}
