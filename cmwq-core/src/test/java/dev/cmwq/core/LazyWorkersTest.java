package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Workers appear when needed and leave when idle, without ever losing an item to one that is leaving. */
class LazyWorkersTest {

	/** Counts the worker threads one system made (other tests' systems may live in the same JVM). */
	static final class CountingThreadFactory implements java.util.concurrent.ThreadFactory {

		final java.util.List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

		@Override
		public Thread newThread(Runnable r) {
			Thread thread = new Thread(r);
			this.threads.add(thread);
			return thread;
		}

		long alive() {
			return this.threads.stream().filter(Thread::isAlive).count();
		}

	}

	@Test
	void noWorkerThreadExistsBeforeTheFirstItem() {
		CountingThreadFactory threads = new CountingThreadFactory();
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).threadFactory(threads).build()) {
			for (int i = 0; i < 100; i++) {
				system.allocWorkqueue("q" + i, Set.of(), 0);
			}
			assertThat(system.snapshot().pools()).allSatisfy((pool) -> assertThat(pool.workers()).isZero());
			assertThat(threads.threads).isEmpty();
			Workqueue wq = system.workqueue("q1").orElseThrow();
			wq.execute(() -> {
			});
			wq.flush();
			assertThat(system.snapshot().pools().stream().mapToInt(PoolSnapshot::workers).sum()).isEqualTo(1);
		}
	}

	@Test
	void idleWorkersAreReapedAfterTheIdleTimeout() {
		CountingThreadFactory threads = new CountingThreadFactory();
		try (WorkqueueSystem system = oneCpuReapingAfter200ms(threads)) {
			Workqueue wq = system.allocWorkqueue("reaped", Set.of(WorkqueueFlag.UNBOUND), 0);
			for (int i = 0; i < 8; i++) {
				wq.execute(() -> Timeline.sleep(0.2));
			}
			wq.flush();
			PoolSnapshot unbound = unbound(system);
			assertThat(unbound.workers()).isGreaterThan(1);
			assertThat(unbound.idle()).isEqualTo(unbound.workers());
			await().atMost(Duration.ofSeconds(30)).until(() -> unbound(system).workers() == 0);
			await().atMost(Duration.ofSeconds(30)).until(() -> threads.alive() == 0);
		}
	}

	/**
	 * The pool's idle timer lets an idle worker go only while the pool has too many (one idle worker per four busy
	 * ones is kept): it stays unarmed past the timeout, and the next worker going idle arms it again.
	 */
	@Test
	void anIdleWorkerTheTimerKeepsIsLetGoOnceOthersGoIdle() throws Exception {
		CountingThreadFactory threads = new CountingThreadFactory();
		try (WorkqueueSystem system = oneCpuReapingAfter200ms(threads)) {
			Workqueue wq = system.allocWorkqueue("kept", Set.of(WorkqueueFlag.UNBOUND), 0);
			CountDownLatch started = new CountDownLatch(4);
			CountDownLatch release = new CountDownLatch(1);
			for (int i = 0; i < 4; i++) {
				wq.execute(() -> {
					started.countDown();
					WorkSemanticsTest.awaitLatch(release);
				});
			}
			assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
			Work quick = new Work(() -> {
			});
			wq.queue(quick);
			quick.flush();
			// the worker that ran it is idle beside four busy ones; any more idle ones are let go down to one
			await().atMost(Duration.ofSeconds(30)).until(() -> unbound(system).idle() == 1);
			Thread.sleep(600); // three idle timeouts: one idle worker per four busy ones is not too many
			assertThat(unbound(system).workers()).isEqualTo(5);
			assertThat(unbound(system).idle()).isEqualTo(1);
			release.countDown(); // the four go idle: the first arms the timer, which lets all five go
			await().atMost(Duration.ofSeconds(30)).until(() -> unbound(system).workers() == 0);
			await().atMost(Duration.ofSeconds(30)).until(() -> threads.alive() == 0);
		}
	}

	private static WorkqueueSystem oneCpuReapingAfter200ms(CountingThreadFactory threads) {
		return WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.idleTimeout(Duration.ofMillis(200))
			.threadFactory(threads)
			.build();
	}

	private static PoolSnapshot unbound(WorkqueueSystem system) {
		return system.snapshot().pool("unbound").orElseThrow();
	}

	@Test
	void itemsQueuedWhileWorkersExitAreNeverLost() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(2)
			.systemWorkqueues(false)
			.idleTimeout(Duration.ofMillis(1))
			.build()) {
			Workqueue bound = system.allocWorkqueue("bound", Set.of(), 0);
			Workqueue unbound = system.allocWorkqueue("unbound", Set.of(WorkqueueFlag.UNBOUND), 0);
			AtomicInteger ran = new AtomicInteger();
			AtomicLong queued = new AtomicLong();
			Thread[] producers = new Thread[3];
			for (int p = 0; p < producers.length; p++) {
				producers[p] = new Thread(() -> {
					ThreadLocalRandom random = ThreadLocalRandom.current();
					for (int i = 0; i < 3000; i++) {
						Workqueue wq = random.nextBoolean() ? bound : unbound;
						wq.execute(ran::incrementAndGet);
						queued.incrementAndGet();
						if (random.nextInt(8) == 0) {
							// let workers go idle and start exiting, then queue into the race
							java.util.concurrent.locks.LockSupport.parkNanos(random.nextInt(3_000_000));
						}
					}
				});
				producers[p].start();
			}
			for (Thread producer : producers) {
				producer.join();
			}
			bound.flush();
			unbound.flush();
			assertThat(ran.get()).isEqualTo(queued.get());
			SystemSnapshot snapshot = system.snapshot();
			assertThat(snapshot.pools()).allSatisfy((pool) -> {
				assertThat(pool.pending()).isZero();
				assertThat(pool.busy() + pool.idle()).isEqualTo(pool.workers());
			});
		}
	}

}
