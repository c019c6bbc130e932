package dev.cmwq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Items queued with {@code execute(Runnable)} while their queue holds many items back are kept as bare tasks, with no
 * {@link Work} node until they are activated ({@code PoolWorkqueue.queueTask}; many is one here). Everything the node would have
 * carried must survive: FIFO order with {@link Work} items, flush colors, capacity slots, queue-to-start times for
 * listeners, and the answer at shutdown.
 */
class HeldTasksTest {

	private final WorkqueueSystem system = WorkqueueSystem.builder()
		.cpus(2)
		.systemWorkqueues(false)
		.bareTasksAfter(1) // from the second item held back on
		.build();

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	@Test
	void bareTasksAndWorkItemsKeepOneFifoOrder() throws Exception {
		Workqueue ordered = this.system.allocOrderedWorkqueue("ordered", Set.of());
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		ordered.execute(() -> {
			started.countDown();
			WorkSemanticsTest.awaitLatch(release);
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue(); // running: the rest is held back behind it
		List<Integer> order = new CopyOnWriteArrayList<>();
		for (int i = 0; i < 300; i++) {
			int n = i;
			Runnable task = () -> order.add(n);
			if (i % 3 == 0) {
				ordered.queue(new Work(task));
			}
			else {
				ordered.execute(task);
			}
		}
		assertThat(ordered.snapshot().pending()).isEqualTo(300);
		release.countDown();
		ordered.flush();
		assertThat(order).hasSize(300).isSorted();
	}

	@Test
	void aFlushWaitsForHeldTasksQueuedBeforeItAndNotForLaterOnes() throws Exception {
		Workqueue ordered = this.system.allocOrderedWorkqueue("ordered", Set.of());
		CountDownLatch releaseFirst = new CountDownLatch(1);
		CountDownLatch releaseLast = new CountDownLatch(1);
		AtomicInteger before = new AtomicInteger();
		ordered.execute(() -> WorkSemanticsTest.awaitLatch(releaseFirst));
		for (int i = 0; i < 20; i++) {
			ordered.execute(before::incrementAndGet); // held back behind the first, as bare tasks
		}
		Thread flusher = new Thread(ordered::flush, "flusher");
		flusher.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> flusher.getState() == Thread.State.WAITING
				|| flusher.getState() == Thread.State.TIMED_WAITING);
		ordered.execute(() -> WorkSemanticsTest.awaitLatch(releaseLast)); // the next color: not flushed
		releaseFirst.countDown();
		flusher.join(TimeUnit.SECONDS.toMillis(30));
		assertThat(flusher.isAlive()).isFalse();
		assertThat(before).hasValue(20);
		assertThat(ordered.snapshot().active()).isEqualTo(1);
		releaseLast.countDown();
		ordered.flush();
	}

	@Test
	void heldTasksHoldTheirCapacitySlotsUntilTheyStart() {
		Workqueue wq = this.system.allocWorkqueue("bounded", Set.of(WorkqueueFlag.FREEZABLE), 0);
		((DefaultWorkqueue) wq).setCapacity(5, Overflow.REJECT, Duration.ZERO);
		this.system.freeze();
		AtomicInteger ran = new AtomicInteger();
		for (int i = 0; i < 5; i++) {
			wq.execute(ran::incrementAndGet);
		}
		assertThatExceptionOfType(RejectedExecutionException.class).isThrownBy(() -> wq.execute(ran::incrementAndGet))
			.withMessageContaining("bounded");
		this.system.thaw();
		wq.flush();
		assertThat(ran).hasValue(5);
		for (int i = 0; i < 5; i++) {
			wq.execute(ran::incrementAndGet);
		}
		wq.flush();
		assertThat(ran).hasValue(10);
		assertThat(wq.snapshot().stats().rejected()).isEqualTo(1);
	}

	@Test
	void listenersAreToldHowLongAHeldTaskWaited() throws Exception {
		CompletableFuture<Long> waited = new CompletableFuture<>();
		Workqueue wq = this.system.allocWorkqueue("frozen", Set.of(WorkqueueFlag.FREEZABLE), 0);
		this.system.addListener(new WorkListener() {
			@Override
			public void started(Workqueue workqueue, long waitNanos) {
				waited.complete(waitNanos);
			}
		});
		this.system.freeze();
		wq.execute(() -> {
		});
		Thread.sleep(300);
		this.system.thaw();
		assertThat(waited.get(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
	}

	@Test
	void closingAbandonsHeldTasksOnceEachAndRunsNone() {
		DefaultWorkqueue ordered = (DefaultWorkqueue) this.system.allocOrderedWorkqueue("ordered", Set.of());
		ordered.setCapacity(1000, Overflow.REJECT, Duration.ZERO);
		CountDownLatch release = new CountDownLatch(1);
		ordered.execute(() -> WorkSemanticsTest.awaitLatch(release));
		AtomicInteger ran = new AtomicInteger();
		for (int i = 0; i < 100; i++) {
			ordered.execute(ran::incrementAndGet);
		}
		assertThat(this.system.close(Duration.ofMillis(300))).isFalse(); // the first item still runs
		release.countDown();
		assertThat(this.system.awaitIdle(Duration.ofSeconds(30))).isTrue();
		assertThat(ran).hasValue(0);
		assertThat(ordered.shutdownTally.abandonedQueued.sum()).isEqualTo(100);
	}

}
