package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pool that needs a new worker takes the thread of another pool's idle worker rather than start one
 * ({@code WorkerPool.handOverIdleThread}): the idle worker is given up, and its thread runs the new worker, named
 * after its new pool, with everything a worker has (the block detector's probe included).
 */
class IdleThreadHandOverTest {

	private static final long TIMEOUT = 30;

	private final AtomicInteger started = new AtomicInteger();

	private final ThreadFactory counting = (task) -> {
		this.started.incrementAndGet();
		return new Thread(task);
	};

	private final WorkqueueSystem system = WorkqueueSystem.builder()
		.cpus(2)
		.systemWorkqueues(false)
		.threadFactory(this.counting)
		.build();

	private final Workqueue wq = this.system.allocWorkqueue("handover", Set.of(), 0);

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	private Thread runOn(int cpu, Runnable task) throws Exception {
		CompletableFuture<Thread> ran = new CompletableFuture<>();
		this.wq.queueOn(cpu, new Work(() -> {
			task.run();
			ran.complete(Thread.currentThread());
		}));
		return ran.get(TIMEOUT, TimeUnit.SECONDS);
	}

	private PoolSnapshot pool(int cpu) {
		return this.system.snapshot().pools().stream().filter((p) -> p.id().equals("cpu" + cpu)).findFirst().orElseThrow();
	}

	@Test
	void aPoolWithoutIdleWorkersTakesTheThreadOfAnotherPoolsIdleWorker() throws Exception {
		Thread first = runOn(0, () -> {
		});
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> pool(0).idle() == 1);
		Thread second = runOn(1, () -> {
		});
		assertThat(second).as("the thread of cpu0's idle worker").isSameAs(first);
		assertThat(second.getName()).isEqualTo("cmwq-cpu1-w0");
		assertThat(this.started).as("threads the factory made").hasValue(1);
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> pool(1).idle() == 1);
		assertThat(pool(0).workers()).isZero();
		assertThat(pool(1).workers()).isOne();
	}

	/** The handed-over thread is a full worker of its new pool: a block there is found and another worker runs. */
	@Test
	void aBlockOnAHandedOverThreadIsFound() throws Exception {
		runOn(0, () -> {
		});
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> pool(0).idle() == 1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch blocked = new CountDownLatch(1);
		this.wq.queueOn(1, new Work(() -> {
			blocked.countDown();
			try {
				release.await(); // a block nobody announces: the detector must find it
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}));
		assertThat(blocked.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		try {
			Thread behind = runOn(1, () -> {
			});
			assertThat(behind.getName()).startsWith("cmwq-cpu1-w");
			assertThat(pool(1).cmWakeups()).isOne();
		}
		finally {
			release.countDown();
		}
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		assertThat(this.started).as("threads the factory made: the second of cpu1 had no idle worker to take").hasValue(2);
	}

}
