package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which CPU an item queued by a thread that is not a worker goes to ({@code CpuTopology.queueingCpu}).
 */
class QueueingCpuTest {

	/**
	 * With two CPUs, a thread whose last CPU still has an item unfinished compares it with the other CPU, never
	 * with itself, and moves there while the other is idle: every time, not every other time.
	 */
	@Test
	void aThreadWhosePoolIsBusyMovesToTheIdleOtherCpu() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).systemWorkqueues(false).build()) {
			Workqueue wq = system.allocWorkqueue("bound", Set.of(), 0);
			for (int i = 0; i < 20; i++) {
				CountDownLatch release = new CountDownLatch(1);
				AtomicReference<String> first = new AtomicReference<>();
				AtomicReference<String> second = new AtomicReference<>();
				CountDownLatch started = new CountDownLatch(1);
				wq.execute(() -> {
					first.set(Thread.currentThread().getName());
					started.countDown();
					WorkSemanticsTest.awaitLatch(release); // blocked: its pool stays busy with it
				});
				assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
				CountDownLatch ran = new CountDownLatch(1);
				wq.execute(() -> {
					second.set(Thread.currentThread().getName());
					ran.countDown();
				});
				assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
				release.countDown();
				wq.flush();
				assertThat(cpu(second.get())).as("round %d", i).isNotEqualTo(cpu(first.get()));
			}
			assertThat(system.close(Duration.ofSeconds(30))).isTrue();
		}
	}

	/** "cmwq-cpu1-w0" -> "cpu1" */
	private static String cpu(String workerName) {
		assertThat(workerName).startsWith("cmwq-cpu");
		return workerName.substring("cmwq-".length(), workerName.indexOf("-w"));
	}

}
