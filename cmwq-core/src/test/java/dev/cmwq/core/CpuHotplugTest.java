package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/** Simulated CPU offline and online: rogue workers keep draining, then rebind. */
class CpuHotplugTest {

	private final WorkqueueSystem system = WorkqueueSystem.builder()
		.cpus(2)
		.systemWorkqueues(false)
		.cpuIntensiveThreshold(Duration.ZERO)
		.build();

	private final Workqueue wq = this.system.allocWorkqueue("hotplug", Set.of(), 0);

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	private PoolSnapshot pool(String id) {
		return this.system.snapshot().pool(id).orElseThrow();
	}

	private static void burn(long millis) {
		long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
		while (System.nanoTime() < end) {
			Thread.onSpinWait();
		}
	}

	@Test
	void offlineWorkersTurnRogueAndDrainPendingItemsConcurrently() throws Exception {
		// one busy (blocked) and one idle worker on cpu1, and CPU-bound items pending behind the busy one
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch idleMade = new CountDownLatch(1);
		this.wq.queueOn(1, new Work(() -> WorkSemanticsTest.awaitLatch(release)));
		this.wq.queueOn(1, new Work(idleMade::countDown));
		assertThat(idleMade.await(30, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(30)).until(() -> pool("cpu1").idle() >= 1);

		assertThat(this.system.cpuOffline(1)).isTrue();
		PoolSnapshot offline = pool("cpu1");
		assertThat(offline.online()).isFalse();
		assertThat(offline.rogue()).isEqualTo(offline.workers()).isGreaterThanOrEqualTo(2);
		assertThat(offline.busy()).isGreaterThanOrEqualTo(1);
		assertThat(offline.idle()).isGreaterThanOrEqualTo(1);
		assertThat(this.system.snapshot().cpus()).contains(new CpuSnapshot(1, false));

		AtomicInteger concurrent = new AtomicInteger();
		AtomicInteger maxConcurrent = new AtomicInteger();
		for (int i = 0; i < 4; i++) {
			this.wq.queueOn(1, new Work(() -> { // queued explicitly to the offline CPU: rogue workers run it
				maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
				burn(200);
				concurrent.decrementAndGet();
			}));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> this.wq.snapshot().pending() == 0
				&& this.wq.snapshot().active() == 1);
		assertThat(maxConcurrent.get()).as("no concurrency management while offline").isGreaterThan(1);
		release.countDown();
		this.wq.flush();
	}

	@Test
	void defaultRoutingAvoidsTheOfflineCpu() {
		this.system.cpuOffline(0);
		long[] cpu0Before = { pool("cpu0").workers() };
		AtomicInteger ran = new AtomicInteger();
		for (int i = 0; i < 100; i++) {
			this.wq.execute(() -> {
				assertThat(Thread.currentThread().getName()).startsWith("cmwq-cpu1");
				ran.incrementAndGet();
			});
		}
		this.wq.flush();
		assertThat(ran).hasValue(100);
		assertThat(pool("cpu0").workers()).isEqualTo((int) cpu0Before[0]);
		assertThat(this.wq.snapshot().stats().failed()).isZero();
	}

	@Test
	void queueOnAnOfflineCpuStillRuns() {
		this.system.cpuOffline(1);
		AtomicInteger ran = new AtomicInteger();
		this.wq.queueOn(1, new Work(ran::incrementAndGet));
		this.wq.flush();
		assertThat(ran).hasValue(1);
		assertThat(pool("cpu1").rogue()).isEqualTo(pool("cpu1").workers()).isPositive();
	}

	@Test
	void offliningTheLastOnlineCpuIsRefused() {
		assertThat(this.system.cpuOffline(0)).isTrue();
		assertThat(this.system.cpuOffline(0)).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> this.system.cpuOffline(1))
			.withMessageContaining("last online CPU");
		assertThat(this.system.isOnline(1)).isTrue();
	}

	@Test
	void afterOnlineRogueIsZeroAndCpuBoundItemsNoLongerOverlap() {
		this.system.cpuOffline(1);
		this.wq.queueOn(1, new Work(() -> burn(5)));
		this.wq.flush();
		assertThat(pool("cpu1").rogue()).isPositive();
		assertThat(this.system.cpuOnline(1)).isTrue();
		assertThat(this.system.cpuOnline(1)).isFalse();
		assertThat(pool("cpu1").rogue()).isZero();
		assertThat(pool("cpu1").online()).isTrue();
		AtomicInteger concurrent = new AtomicInteger();
		AtomicInteger maxConcurrent = new AtomicInteger();
		for (int i = 0; i < 2; i++) {
			this.wq.queueOn(1, new Work(() -> {
				maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
				burn(200);
				concurrent.decrementAndGet();
			}));
		}
		this.wq.flush();
		assertThat(maxConcurrent).hasValue(1);
	}

	@Test
	void thousandOfflineOnlineCyclesLoseNothingAndRunNothingTwice() throws Exception {
		Workqueue unbound = this.system.allocWorkqueue("hotplug-unbound", Set.of(WorkqueueFlag.UNBOUND), 0);
		ExactlyOnceStressTest.CheckedItem[] items = new ExactlyOnceStressTest.CheckedItem[64];
		for (int i = 0; i < items.length; i++) {
			items[i] = new ExactlyOnceStressTest.CheckedItem(() -> {
				if (ThreadLocalRandom.current().nextInt(32) == 0) {
					java.util.concurrent.locks.LockSupport.parkNanos(100_000);
				}
			});
		}
		AtomicLong fresh = new AtomicLong();
		AtomicLong freshRan = new AtomicLong();
		java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
		Thread[] producers = new Thread[3];
		for (int p = 0; p < producers.length; p++) {
			producers[p] = new Thread(() -> {
				ThreadLocalRandom random = ThreadLocalRandom.current();
				while (!stop.get()) {
					ExactlyOnceStressTest.CheckedItem item = items[random.nextInt(items.length)];
					Workqueue target = random.nextInt(4) == 0 ? unbound : this.wq;
					boolean accepted = random.nextBoolean() ? target.queue(item.work)
							: target.queueOn(random.nextInt(2), item.work);
					if (accepted) {
						item.accepted.incrementAndGet();
					}
					this.wq.execute(freshRan::incrementAndGet);
					fresh.incrementAndGet();
				}
			});
			producers[p].start();
		}
		ThreadLocalRandom random = ThreadLocalRandom.current();
		for (int cycle = 0; cycle < 1000; cycle++) {
			int cpu = random.nextInt(2);
			this.system.cpuOffline(cpu);
			if (random.nextInt(4) == 0) {
				Thread.yield();
			}
			this.system.cpuOnline(cpu);
		}
		stop.set(true);
		for (Thread producer : producers) {
			producer.join();
		}
		this.wq.flush();
		unbound.flush();
		for (ExactlyOnceStressTest.CheckedItem item : items) {
			assertThat(item.runs.get()).isEqualTo(item.accepted.get());
			assertThat(item.selfOverlaps).hasValue(0);
		}
		assertThat(freshRan.get()).isEqualTo(fresh.get());
		assertThat(this.system.snapshot().pools()).allSatisfy((p) -> assertThat(p.rogue()).isZero());
	}

}
