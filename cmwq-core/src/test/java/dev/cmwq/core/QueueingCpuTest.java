package dev.cmwq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

	/**
	 * A thread queueing onto a backlog (64 or more items queued there and not finished) compares its CPU with another
	 * only every 8th item: reading another pool's counters costs a cache miss per item, and a few items more or less
	 * make no difference to a backlog. Here the thread has just compared (7 items to go): 7 more go to its
	 * backlogged CPU although the other is idle, and the 8th compares and moves.
	 */
	@Test
	void aThreadQueueingOntoABacklogComparesOnlyEveryEighthItem() throws Exception {
		try (WorkqueueSystem system = twoCpusWithoutHogs()) {
			Workqueue wq = system.allocWorkqueue("bound", Set.of(), 0);
			AtomicBoolean release = new AtomicBoolean();
			spinOn(wq, 0, release); // what follows on CPU 0 waits
			for (int i = 0; i < CpuTopology.BACKLOG; i++) {
				wq.queueOn(0, new Work(() -> {
				}));
			}
			List<String> ranOn = new CopyOnWriteArrayList<>();
			ThreadContext context = ThreadContext.get();
			context.cpu = 0;
			context.stays = CpuTopology.STAYS;
			for (int i = 0; i < CpuTopology.STAYS + 1; i++) {
				wq.execute(() -> ranOn.add(cpu(Thread.currentThread().getName())));
			}
			release.set(true);
			wq.flush();
			assertThat(ranOn).containsExactlyInAnyOrder("cpu0", "cpu0", "cpu0", "cpu0", "cpu0", "cpu0", "cpu0", "cpu1");
			assertThat(system.close(Duration.ofSeconds(30))).isTrue();
		}
	}

	/**
	 * Of two CPUs as loaded (each runs one item), a thread moves to the other CPU if the item running there started
	 * first, as one queue shared by two workers would give its item to whichever ends its item first; it stays if its
	 * own CPU's item started first.
	 */
	@ParameterizedTest
	@ValueSource(booleans = { true, false })
	void ofTwoCpusAsLoadedAThreadTakesTheOneWhoseItemStartedFirst(boolean otherFirst) throws Exception {
		try (WorkqueueSystem system = twoCpusWithoutHogs()) {
			Workqueue wq = system.allocWorkqueue("bound", Set.of(), 0);
			AtomicBoolean release = new AtomicBoolean();
			int first = otherFirst ? 1 : 0;
			spinOn(wq, first, release);
			spinOn(wq, 1 - first, release);
			AtomicReference<String> ranOn = new AtomicReference<>();
			ThreadContext.get().cpu = 0; // the thread's CPU: 0
			wq.execute(() -> ranOn.set(cpu(Thread.currentThread().getName())));
			release.set(true);
			wq.flush();
			assertThat(ranOn.get()).isEqualTo("cpu" + first);
			assertThat(system.close(Duration.ofSeconds(30))).isTrue();
		}
	}

	/** Two CPUs; an item that runs on never turns CPU-intensive, so it keeps counting as running. */
	private static WorkqueueSystem twoCpusWithoutHogs() {
		return WorkqueueSystem.builder().cpus(2).systemWorkqueues(false).cpuIntensiveThreshold(Duration.ZERO).build();
	}

	/** Queues on {@code cpu} an item that spins (counts as running: it never blocks) until released; returns once it runs. */
	private static void spinOn(Workqueue wq, int cpu, AtomicBoolean release) throws InterruptedException {
		CountDownLatch spinning = new CountDownLatch(1);
		wq.queueOn(cpu, new Work(() -> {
			spinning.countDown();
			while (!release.get()) {
				Thread.onSpinWait();
			}
		}));
		assertThat(spinning.await(30, TimeUnit.SECONDS)).isTrue();
	}

	/** "cmwq-cpu1-w0" -> "cpu1" */
	private static String cpu(String workerName) {
		assertThat(workerName).startsWith("cmwq-cpu");
		return workerName.substring("cmwq-".length(), workerName.indexOf("-w"));
	}

}
