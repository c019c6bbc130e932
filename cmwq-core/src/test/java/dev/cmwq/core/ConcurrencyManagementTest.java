package dev.cmwq.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** What concurrency management promises on one CPU: no overlap for CPU-bound work, no deadlock for nested waits. */
class ConcurrencyManagementTest {

	private WorkqueueSystem system;

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	private WorkqueueSystem oneCpu(Duration cpuIntensiveThreshold) {
		this.system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.cpuIntensiveThreshold(cpuIntensiveThreshold)
			.build();
		return this.system;
	}

	/**
	 * Runs 20 items that each burn 20 ms of CPU time (not of wall time: on a loaded machine a thread that spins for
	 * 20 ms may get less than the detector's threshold of CPU); returns the most that ever ran at once.
	 */
	private int maxOverlapOfCpuBoundItems(Workqueue wq) {
		AtomicInteger concurrent = new AtomicInteger();
		AtomicInteger maxConcurrent = new AtomicInteger();
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		for (int i = 0; i < 20; i++) {
			wq.execute(() -> {
				maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
				long end = threads.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(20);
				while (threads.getCurrentThreadCpuTime() < end) {
					Thread.onSpinWait();
				}
				concurrent.decrementAndGet();
			});
		}
		wq.flush();
		return maxConcurrent.get();
	}

	@Test
	void cpuBoundItemsOnOneCpuNeverOverlap() {
		Workqueue wq = oneCpu(Duration.ZERO).allocWorkqueue("cpu-bound", Set.of(), 0);
		assertThat(maxOverlapOfCpuBoundItems(wq)).isEqualTo(1);
		assertThat(wq.snapshot().stats().cpuIntensive()).isZero();
	}

	@Test
	void cpuIntensiveQueueItemsMayOverlap() {
		Workqueue wq = oneCpu(Duration.ZERO).allocWorkqueue("intensive", Set.of(WorkqueueFlag.CPU_INTENSIVE), 0);
		assertThat(maxOverlapOfCpuBoundItems(wq)).isGreaterThan(1);
	}

	@Test
	void itemsRunningPastTheThresholdAreDetectedAsCpuIntensive() {
		Workqueue wq = oneCpu(Duration.ofMillis(5)).allocWorkqueue("detected", Set.of(), 0);
		assertThat(maxOverlapOfCpuBoundItems(wq)).isGreaterThan(1);
		assertThat(wq.snapshot().stats().cpuIntensive()).isPositive();
	}

	@Test
	void nestedWaitsOnTheSamePoolDoNotDeadlock() throws Exception {
		Workqueue wq = oneCpu(Duration.ofMillis(10)).allocWorkqueue("nested", Set.of(), 0);
		CompletableFuture<Integer> result = nest(wq, 64);
		assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(64);
	}

	/** An item that queues the next level and waits for its result with a plain blocking get. */
	private CompletableFuture<Integer> nest(Workqueue wq, int depth) {
		CompletableFuture<Integer> future = new CompletableFuture<>();
		wq.execute(() -> {
			try {
				future.complete((depth == 1) ? 1 : nest(wq, depth - 1).get() + 1);
			}
			catch (Exception ex) {
				future.completeExceptionally(ex);
			}
		});
		return future;
	}

	@Test
	void nestedFlushesCompensateExplicitly() throws Exception {
		Workqueue outer = oneCpu(Duration.ZERO).allocWorkqueue("outer", Set.of(), 0);
		Workqueue inner = this.system.allocWorkqueue("inner", Set.of(), 0);
		List<Integer> seen = new ArrayList<>();
		CompletableFuture<Void> done = new CompletableFuture<>();
		outer.execute(() -> {
			Work child = new Work(() -> seen.add(1));
			inner.queue(child);
			child.flush(); // announced as blocking: the child runs on the same CPU meanwhile
			inner.flush();
			done.complete(null);
		});
		done.get(30, TimeUnit.SECONDS);
		assertThat(seen).containsExactly(1);
	}

}
