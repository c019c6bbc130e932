package dev.cmwq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Items that throw, overflow their stack, interrupt themselves or are interrupted, a thread factory that refuses
 * threads, and a worker stuck forever: the pools keep serving, failures are counted, the watchdog reports the stuck
 * pool, and no worker count drifts.
 */
class FaultInjectionTest {

	private static int recurse(int depth) {
		return recurse(depth + 1) + 1;
	}

	@Test
	void faultyItemsAndARefusingThreadFactoryNeverStopThePools() throws Exception {
		AtomicInteger refused = new AtomicInteger();
		List<Throwable> reported = new CopyOnWriteArrayList<>();
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(2)
			.systemWorkqueues(false)
			.idleTimeout(Duration.ofMillis(20))
			.maydayInterval(Duration.ofMillis(10))
			.threadFactory((r) -> {
				if (ThreadLocalRandom.current().nextInt(3) == 0) { // one thread in three is refused
					refused.incrementAndGet();
					if (ThreadLocalRandom.current().nextBoolean()) {
						throw new OutOfMemoryError("unable to create native thread (injected)");
					}
					return null;
				}
				return new Thread(r);
			})
			.failureHandler((wq, work, failure) -> reported.add(failure))
			.build()) {
			Workqueue bound = system.allocWorkqueue("bound", Set.of(), 0);
			Workqueue unbound = system.allocWorkqueue("unbound", Set.of(WorkqueueFlag.UNBOUND), 0);
			AtomicLong good = new AtomicLong();
			AtomicInteger interruptedSeen = new AtomicInteger();
			int rounds = 200;
			for (int i = 0; i < rounds; i++) {
				for (Workqueue wq : List.of(bound, unbound)) {
					wq.execute(() -> {
						throw new IllegalStateException("injected");
					});
					wq.execute(() -> {
						throw new AssertionError("injected error");
					});
					wq.execute(() -> recurse(0));
					wq.execute(() -> Thread.currentThread().interrupt()); // leaves its flag set: must not leak
					wq.execute(() -> {
						if (Thread.currentThread().isInterrupted()) {
							interruptedSeen.incrementAndGet();
						}
						good.incrementAndGet();
					});
				}
			}
			bound.flush();
			unbound.flush();
			assertThat(good.get()).isEqualTo(2L * rounds);
			assertThat(interruptedSeen).as("an item's interrupt leaked into the next item").hasValue(0);
			for (Workqueue wq : List.of(bound, unbound)) {
				WorkqueueStats stats = wq.snapshot().stats();
				assertThat(stats.failed()).isEqualTo(3L * rounds);
				assertThat(stats.completed()).isEqualTo(2L * rounds);
				assertThat(stats.started()).isEqualTo(5L * rounds);
			}
			assertThat(reported).hasSize(6 * rounds);
			assertThat(reported).hasAtLeastOneElementOfType(StackOverflowError.class);
			assertThat(refused.get()).isPositive();
			assertNoWorkerCountDrift(system);
		}
	}

	@Test
	void itemsInterruptedFromOutsideDoNotHurtTheirWorkers() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build()) {
			Workqueue wq = system.allocWorkqueue("interrupted", Set.of(WorkqueueFlag.UNBOUND), 0);
			List<Thread> runners = new CopyOnWriteArrayList<>();
			CountDownLatch allStarted = new CountDownLatch(8);
			AtomicInteger interrupted = new AtomicInteger();
			for (int i = 0; i < 8; i++) {
				wq.execute(() -> {
					runners.add(Thread.currentThread());
					allStarted.countDown();
					try {
						Thread.sleep(TimeUnit.SECONDS.toMillis(30));
					}
					catch (InterruptedException ex) {
						interrupted.incrementAndGet();
					}
				});
			}
			assertThat(allStarted.await(30, TimeUnit.SECONDS)).isTrue();
			runners.forEach(Thread::interrupt);
			wq.flush();
			assertThat(interrupted).hasValue(8);
			AtomicInteger after = new AtomicInteger();
			for (int i = 0; i < 100; i++) {
				wq.execute(after::incrementAndGet);
			}
			wq.flush();
			assertThat(after).hasValue(100);
			assertNoWorkerCountDrift(system);
		}
	}

	@Test
	void aWorkerStuckForeverIsReportedAndOtherPoolsKeepServing() throws Exception {
		AtomicBoolean release = new AtomicBoolean();
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(2)
			.systemWorkqueues(false)
			.cpuIntensiveThreshold(Duration.ZERO) // a spinning item counts as running for ever
			.watchdogThreshold(Duration.ofMillis(200))
			.build()) {
			Workqueue wq = system.allocWorkqueue("stuck", Set.of(), 0);
			CountDownLatch spinning = new CountDownLatch(1);
			wq.queueOn(0, new Work(() -> {
				// JVM states only: a kernel-level sleep of this thread (a JVM-internal lock seen on two probes, or a
				// page fault) would make the detector take it for blocked for a moment, and start `behind` beside it:
				// a false block costs a worker, by design, but this test is about a worker that counts as running
				ThreadStateProbe kernelView = Worker.current().probe;
				Worker.current().probe = ThreadStateProbe.NONE;
				kernelView.close();
				spinning.countDown();
				while (!release.get()) {
					Thread.onSpinWait(); // stuck, and not blocked: concurrency management waits for it
				}
			}));
			assertThat(spinning.await(30, TimeUnit.SECONDS)).isTrue();
			AtomicInteger behind = new AtomicInteger();
			wq.queueOn(0, new Work(behind::incrementAndGet));
			await().atMost(Duration.ofSeconds(30)).until(() -> system.snapshot().pool("cpu0").orElseThrow().stalled());
			assertThat(behind).hasValue(0);

			AtomicInteger elsewhere = new AtomicInteger();
			for (int i = 0; i < 50; i++) {
				wq.queueOn(1, new Work(elsewhere::incrementAndGet));
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> elsewhere.get() == 50);
			assertThat(system.snapshot().pool("cpu1").orElseThrow().stalled()).isFalse();

			release.set(true);
			wq.flush();
			assertThat(behind).hasValue(1);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> !system.snapshot().pool("cpu0").orElseThrow().stalled());
			assertNoWorkerCountDrift(system);
		}
		finally {
			release.set(true);
		}
	}

	/** At rest every worker is busy or idle, none is counted running, and nothing is pending. */
	private static void assertNoWorkerCountDrift(WorkqueueSystem system) {
		await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(system.snapshot().pools())
			.allSatisfy((pool) -> {
				assertThat(pool.busy() + pool.idle()).isEqualTo(pool.workers());
				assertThat(pool.busy()).isZero();
				assertThat(pool.running()).isZero();
				assertThat(pool.pending()).isZero();
			}));
	}

}
