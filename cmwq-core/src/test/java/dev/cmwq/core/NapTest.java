package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker whose pool ran dry naps before it parks ({@code Worker.nap}), counted as waking: items queued meanwhile
 * are pushed without the lock and wait for the nap's end, and a kick that needs a worker ends the nap at once. One
 * CPU; the test holds the napper in the test hook {@code WorkerPool.beforeNap} while it queues.
 */
class NapTest {

	private static final long TIMEOUT = 30;

	private final WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();

	private final Workqueue wq = this.system.allocWorkqueue("nap", Set.of(), 0);

	private final CountDownLatch napping = new CountDownLatch(1);

	private final CountDownLatch wakeUp = new CountDownLatch(1);

	@AfterEach
	void tearDown() {
		pool().beforeNap = null;
		this.wakeUp.countDown();
		this.system.close(Duration.ofSeconds(5));
	}

	private WorkerPool pool() {
		return this.system.topology.cpuPool(0, false);
	}

	/**
	 * Runs a stream of items in one go (the first holds the worker until the others are queued), and holds the
	 * worker at the start of the nap that follows until {@link #wakeUp}.
	 */
	private void runDryAndHoldTheNapper() throws InterruptedException {
		pool().beforeNap = () -> {
			pool().beforeNap = null;
			this.napping.countDown();
			try {
				this.wakeUp.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		};
		CountDownLatch queued = new CountDownLatch(1);
		this.wq.execute(() -> awaitLatch(queued));
		for (int i = 0; i < 8; i++) {
			this.wq.execute(() -> {
			});
		}
		queued.countDown();
		assertThat(this.napping.await(TIMEOUT, TimeUnit.SECONDS)).as("the worker naps once its pool ran dry").isTrue();
	}

	@Test
	void itemsQueuedWhileTheWorkerNapsArePushedWithoutTheLockAndRunInOrderWhenTheNapEnds() throws Exception {
		runDryAndHoldTheNapper();
		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			int index = i;
			this.wq.execute(() -> {
				synchronized (order) {
					order.add(index);
				}
			});
		}
		assertThat(pool().incomingDepth()).as("pushed, linked by no one, no worker woken").isEqualTo(50);
		this.wakeUp.countDown();
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		synchronized (order) {
			assertThat(order).containsExactlyElementsOf(IntStream.range(0, 50).boxed().toList());
		}
	}

	@Test
	void aWorkerThatRanOneItemParksWithoutANap() throws Exception {
		AtomicInteger naps = new AtomicInteger();
		pool().beforeNap = naps::incrementAndGet;
		CountDownLatch ran = new CountDownLatch(1);
		this.wq.execute(ran::countDown);
		assertThat(ran.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		Worker worker = pool().workerArray[0];
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> worker.state == Worker.State.IDLE); // after any nap
		assertThat(naps.get()).isZero();
	}

	@Test
	void aKickThatNeedsAWorkerEndsTheNapAtOnce() throws Exception {
		this.system.napNanos = TimeUnit.HOURS.toNanos(1); // the item below runs only if something ends the nap
		runDryAndHoldTheNapper();
		AtomicInteger runs = new AtomicInteger();
		this.wq.execute(runs::incrementAndGet); // pushed: the napper counts as waking
		pool().lock(); // a lock holder links it, and its kick finds the napper the only worker to look
		pool().unlock();
		this.wakeUp.countDown();
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(runs.get()).isEqualTo(1);
	}

	@Test
	void closeEndsANapAtOnce() throws Exception {
		this.system.napNanos = TimeUnit.HOURS.toNanos(1); // the worker exits within the test only if close wakes it
		runDryAndHoldTheNapper();
		Thread napper = pool().workerArray[0].thread;
		this.wakeUp.countDown();
		assertThat(this.system.close(Duration.ofSeconds(TIMEOUT))).isTrue();
		napper.join(TimeUnit.SECONDS.toMillis(TIMEOUT));
		assertThat(napper.isAlive()).as("the napper exited").isFalse();
	}

	private static void awaitLatch(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
