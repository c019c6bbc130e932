package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Items handed to a pool without its lock ({@code WorkerPool.enqueue}): while a worker of a managed pool counts as
 * running, queueing only pushes on the pool's incoming stack, and whoever takes the lock next links what is there.
 * One CPU; item A spins (never CPU-intensive) until released. The detector looks only in the tests tagged
 * {@value #DETECTOR}, which need it; elsewhere its interval is an hour, so that every item is too new for a probe: a
 * spinning A caught in a long safepoint under load looks like a futex sleep on two probes in a row, is taken for
 * blocked, and the pool's lock, taken to start another worker, links the stack the test looks at (a test asserting
 * the stack's depth failed once in 28 runs beside two CPU hogs).
 */
class IncomingHandoffTest {

	private static final long TIMEOUT = 30;

	/** The tag of the tests that need the block detector. */
	static final String DETECTOR = "detector";

	private final WorkqueueSystem system;

	private final Workqueue wq;

	IncomingHandoffTest(TestInfo test) {
		this.system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.cpuIntensiveThreshold(Duration.ZERO)
			.detectorInterval(test.getTags().contains(DETECTOR) ? WorkqueueLimits.DEFAULT_DETECTOR_INTERVAL
					: Duration.ofHours(1))
			.build();
		this.wq = this.system.allocWorkqueue("incoming", Set.of(), 0);
	}

	private final AtomicBoolean release = new AtomicBoolean();

	@AfterEach
	void tearDown() {
		this.release.set(true);
		this.system.close(Duration.ofSeconds(5));
	}

	/** Starts item A, which counts as running until {@link #release}. */
	private void startSpinner() throws InterruptedException {
		CountDownLatch running = new CountDownLatch(1);
		this.wq.execute(() -> {
			running.countDown();
			while (!this.release.get()) {
				Thread.onSpinWait();
			}
		});
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
	}

	private WorkerPool pool() {
		return this.system.topology.cpuPool(0, false);
	}

	private List<Integer> queueNumbered(int n) {
		List<Integer> order = new ArrayList<>(); // written by the pool's workers one at a time (a managed pool)
		for (int i = 0; i < n; i++) {
			int index = i;
			this.wq.execute(() -> {
				synchronized (order) {
					order.add(index);
				}
			});
		}
		return order;
	}

	@Test
	void itemsQueuedBehindARunningWorkerWaitUnlinkedAndRunInOrder() throws Exception {
		startSpinner();
		List<Integer> order = queueNumbered(100);
		assertThat(pool().incomingDepth()).as("items on the incoming stack").isEqualTo(100);
		this.release.set(true);
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		synchronized (order) {
			assertThat(order).containsExactlyElementsOf(IntStream.range(0, 100).boxed().toList());
		}
	}

	/**
	 * A pool's load (what a queuer compares to choose a CPU) counts the whole stack from the moment a lock holder
	 * takes it, not item by item as it places them: a queuer that chose meanwhile saw the pool short of the rest, and
	 * a backlog queued from one thread went lopsided (1,150 items on one CPU against 850).
	 */
	@Test
	void aPoolsLoadCountsTheWholeStackWhileItIsPlaced() throws Exception {
		startSpinner();
		queueNumbered(100);
		WorkerPool pool = pool();
		List<Integer> loads = new ArrayList<>();
		pool.allocationFault = () -> loads.add(pool.load()); // where each item is placed, under the lock
		pool.lock();
		pool.unlock();
		pool.allocationFault = null;
		assertThat(loads).hasSize(100).containsOnly(101); // A, and the hundred
		this.release.set(true);
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(pool.load()).isZero();
	}

	@Test
	void cancelTakesAnItemOffTheIncomingStack() throws Exception {
		startSpinner();
		AtomicInteger ran = new AtomicInteger();
		Work work = new Work(ran::incrementAndGet);
		assertThat(this.wq.queue(work)).isTrue();
		assertThat(pool().incomingDepth()).isEqualTo(1);
		assertThat(work.cancel()).isTrue();
		assertThat(work.isPending()).isFalse();
		this.release.set(true);
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(ran).hasValue(0);
		assertThat(this.wq.snapshot().stats().cancelled()).isEqualTo(1);
	}

	@Test
	void flushWaitsForItemsOnTheIncomingStack() throws Exception {
		startSpinner();
		AtomicBoolean ran = new AtomicBoolean();
		this.wq.execute(() -> ran.set(true));
		assertThat(pool().incomingDepth()).isEqualTo(1);
		AtomicBoolean ranBeforeFlushReturned = new AtomicBoolean();
		CountDownLatch flushed = new CountDownLatch(1);
		Thread flusher = new Thread(() -> {
			this.wq.flush();
			ranBeforeFlushReturned.set(ran.get());
			flushed.countDown();
		});
		flusher.start();
		assertThat(flushed.await(200, TimeUnit.MILLISECONDS)).as("flush returned while A runs").isFalse();
		this.release.set(true);
		assertThat(flushed.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(ranBeforeFlushReturned).isTrue();
	}

	/**
	 * An item of {@code execute} travels without a {@code Work} ({@code ExecutedTask}) on the same stack as queued
	 * items, so the two kinds are linked, and run, in the order they were queued.
	 */
	@Test
	void executedAndQueuedItemsShareTheStackAndRunInQueueingOrder() throws Exception {
		startSpinner();
		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			int index = i;
			Runnable task = () -> {
				synchronized (order) {
					order.add(index);
				}
			};
			if (i % 3 == 0) {
				assertThat(this.wq.queue(new Work(task))).isTrue();
			}
			else {
				this.wq.execute(task);
			}
		}
		assertThat(pool().incomingDepth()).isEqualTo(20);
		this.release.set(true);
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		synchronized (order) {
			assertThat(order).containsExactlyElementsOf(IntStream.range(0, 20).boxed().toList());
		}
		assertThat(this.wq.snapshot().stats().completed()).isEqualTo(21);
	}

	/**
	 * An executed item still on the incoming stack when the system terminates is linked by the closing thread, which
	 * finds the system terminated: it never runs, and its request is answered ABANDONED (counted, listeners told)
	 * before {@code close} returns.
	 */
	@Test
	void anExecutedItemOnTheStackAtCloseIsAbandonedAndAnswered() throws Exception {
		AtomicInteger cancelledSeen = new AtomicInteger();
		this.system.addListener(new WorkListener() {
			@Override
			public void cancelled(Workqueue workqueue) {
				cancelledSeen.incrementAndGet();
			}
		});
		startSpinner();
		AtomicBoolean ran = new AtomicBoolean();
		this.wq.execute(() -> ran.set(true));
		assertThat(pool().incomingDepth()).isEqualTo(1);
		assertThat(this.system.close(Duration.ZERO)).isFalse(); // A still runs
		assertThat(pool().incomingDepth()).isZero();
		assertThat(cancelledSeen).as("answered before close returned").hasValue(1);
		assertThat(this.wq.snapshot().stats().cancelled()).isEqualTo(1);
		this.release.set(true);
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(ran).isFalse();
		assertThat(this.wq.snapshot().stats().completed()).isEqualTo(1);
	}

	/**
	 * A queuer takes its flush color, then a flusher flips the color and counts the pool, and only then is the item
	 * pushed: linked with the awaited color after the count, it is counted as it is linked. It was not, and its end
	 * counted the flush down once too often: the flush returned while B, queued before it, still ran.
	 */
	@Test
	@Tag(DETECTOR)
	void anItemPushedAfterTheFlusherCountedThePoolDoesNotEndTheFlushEarly() throws Exception {
		CountDownLatch bRunning = new CountDownLatch(1);
		CountDownLatch releaseB = new CountDownLatch(1);
		this.wq.execute(() -> {
			bRunning.countDown();
			WorkSemanticsTest.awaitLatch(releaseB); // blocks: the detector lets X start beside it
		});
		assertThat(bRunning.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		CountDownLatch flushed = new CountDownLatch(1);
		Thread flusher = new Thread(() -> {
			this.wq.flush();
			flushed.countDown();
		}, "flusher");
		WorkerPool pool = pool();
		pool.beforePush = () -> { // X has its color; the flusher flips it and counts the pool before X is pushed
			pool.beforePush = null;
			flusher.start();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT);
			while (flusher.getState() != Thread.State.WAITING && System.nanoTime() - deadline < 0) {
				Thread.yield(); // WAITING: on its monitor, for B, having counted the pool
			}
		};
		CountDownLatch xRan = new CountDownLatch(1);
		this.wq.execute(xRan::countDown);
		assertThat(flusher.getState()).isEqualTo(Thread.State.WAITING);
		assertThat(xRan.await(TIMEOUT, TimeUnit.SECONDS)).as("X ran while B was blocked").isTrue();
		boolean early = flushed.await(300, TimeUnit.MILLISECONDS);
		releaseB.countDown();
		assertThat(early).as("flush returned while B, queued before it, still ran").isFalse();
		assertThat(flushed.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	@Tag(DETECTOR)
	void aWorkerThatBlocksLetsItemsOnTheIncomingStackRun() throws Exception {
		CountDownLatch queued = new CountDownLatch(1);
		CountDownLatch unblock = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(1);
		this.wq.execute(() -> {
			running.countDown();
			while (queued.getCount() > 0) {
				Thread.onSpinWait(); // counts as running while B is queued
			}
			WorkSemanticsTest.awaitLatch(unblock); // then blocks: the detector must see B waiting
		});
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		CountDownLatch bRan = new CountDownLatch(1);
		this.wq.execute(bRan::countDown);
		assertThat(pool().incomingDepth()).isEqualTo(1);
		queued.countDown();
		boolean ranWhileBlocked = bRan.await(TIMEOUT, TimeUnit.SECONDS);
		unblock.countDown();
		assertThat(ranWhileBlocked).as("B ran while A was blocked").isTrue();
	}

	@Test
	void aBacklogMakesQueuersTakeTheLockAndKeepsOrder() throws Exception {
		startSpinner();
		int n = (1 << 16) + 1000;
		List<Integer> order = queueNumbered(n);
		assertThat(pool().incomingDepth()).as("the stack was drained once the backlog was reached").isLessThan(n);
		this.release.set(true);
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		synchronized (order) {
			assertThat(order).hasSize(n);
			for (int i = 0; i < n; i++) {
				assertThat(order.get(i)).isEqualTo(i);
			}
		}
	}

	/**
	 * The Dekker pair: a worker that finds nothing and goes idle, against a queuer that pushes as it does. Items come
	 * one at a time with short random gaps, so the worker keeps going idle just as the next one arrives.
	 */
	@Test
	void noItemIsLeftOnTheStackWhileTheWorkerKeepsGoingIdle() {
		AtomicInteger ran = new AtomicInteger();
		int n = 50_000;
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int i = 0; i < n; i++) {
			this.wq.execute(ran::incrementAndGet);
			for (int spins = random.nextInt(200); spins > 0; spins--) {
				Thread.onSpinWait();
			}
		}
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(ran).hasValue(n);
	}

	/**
	 * A worker that wakes up links what was pushed meanwhile while it still counts as waking: so linking does not
	 * kick a second worker for items it is about to take itself (it did, every time, when the worker counted as awake
	 * before linking: with tiny tasks every pool kept two workers busy on its lock). The item is pushed just before
	 * the woken worker looks for work.
	 */
	@Test
	void aWorkerThatWakesToItemsPushedMeanwhileTakesThemWithoutKickingAnother() throws Exception {
		WorkerPool pool = pool();
		AtomicInteger ran = new AtomicInteger();
		pool.beforeLookingForWork = () -> {
			pool.beforeLookingForWork = null;
			Thread pusher = new Thread(() -> this.wq.execute(ran::incrementAndGet), "pusher");
			pusher.start();
			try {
				pusher.join(TimeUnit.SECONDS.toMillis(TIMEOUT)); // it never needs the lock this worker holds
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		};
		this.wq.execute(ran::incrementAndGet); // no worker yet: it makes one, which runs the hook
		this.wq.flush();
		assertThat(ran).hasValue(2);
		assertThat(this.system.snapshot().pools().get(0).workers()).isEqualTo(1);
	}

}
