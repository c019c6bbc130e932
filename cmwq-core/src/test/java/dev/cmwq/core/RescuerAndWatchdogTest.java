package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Forward progress when no worker can be had (rescuers), and reports when a pool makes none (watchdog). */
class RescuerAndWatchdogTest {

	@Test
	void memReclaimQueueProgressesThroughItsRescuerWhilePlainItemsWait() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.maxWorkersPerPool(1)
			.maydayInterval(Duration.ofMillis(50))
			.build()) {
			Workqueue plain = system.allocWorkqueue("plain", Set.of(), 0);
			Workqueue reclaim = system.allocWorkqueue("reclaim", Set.of(WorkqueueFlag.MEM_RECLAIM), 0);
			CountDownLatch blocked = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			plain.execute(() -> {
				blocked.countDown();
				WorkSemanticsTest.awaitLatch(release);
			});
			assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();

			AtomicInteger plainRan = new AtomicInteger();
			CountDownLatch rescued = new CountDownLatch(3);
			plain.execute(plainRan::incrementAndGet);
			for (int i = 0; i < 3; i++) {
				reclaim.execute(rescued::countDown);
			}
			assertThat(rescued.await(30, TimeUnit.SECONDS)).as("mem-reclaim items ran through the rescuer").isTrue();
			assertThat(plainRan).as("plain item waits for the only worker").hasValue(0);
			// the counters move just after each task returns
			await().atMost(Duration.ofSeconds(30)).until(() -> reclaim.snapshot().stats().rescued() == 3);
			assertThat(reclaim.snapshot().stats().mayday()).isPositive();

			release.countDown();
			plain.flush();
			assertThat(plainRan).hasValue(1);
		}
	}

	@Test
	void aThreadFactoryThatRefusesIsRetriedAfterTheMaydayInterval() {
		AtomicInteger refusals = new AtomicInteger();
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.maydayInterval(Duration.ofMillis(20))
			.threadFactory((r) -> (refusals.incrementAndGet() <= 3) ? null : new Thread(r))
			.build()) {
			Workqueue wq = system.allocWorkqueue("refused", Set.of(), 0);
			AtomicInteger ran = new AtomicInteger();
			wq.execute(ran::incrementAndGet);
			wq.flush();
			assertThat(ran).hasValue(1);
			assertThat(refusals.get()).isGreaterThan(3);
		}
	}

	@Test
	void watchdogReportsAStalledPoolUntilItProgresses() throws Exception {
		Duration threshold = Duration.ofMillis(300);
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.maxWorkersPerPool(1)
			.watchdogThreshold(threshold)
			.build()) {
			Workqueue wq = system.allocWorkqueue("stuck", Set.of(), 0);
			CountDownLatch release = new CountDownLatch(1);
			CountDownLatch started = new CountDownLatch(1);
			wq.execute(() -> {
				started.countDown();
				WorkSemanticsTest.awaitLatch(release);
			});
			assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
			long queued = System.nanoTime();
			wq.execute(() -> {
			});
			await().atMost(Duration.ofSeconds(30)).until(() -> system.snapshot().pool("cpu0").orElseThrow().stalled());
			long reportedAfter = System.nanoTime() - queued;
			// within the threshold plus two check intervals (a quarter threshold each: one to see the item pending,
			// one to see it still waiting), with slack for a busy machine
			assertThat(reportedAfter).isGreaterThanOrEqualTo(threshold.toNanos())
				.isLessThan(threshold.toNanos() * 3 / 2 + TimeUnit.MILLISECONDS.toNanos(250));
			PoolSnapshot stalled = system.snapshot().pool("cpu0").orElseThrow();
			assertThat(stalled.stalls()).isEqualTo(1);
			assertThat(stalled.pending()).isEqualTo(1);

			release.countDown();
			wq.flush();
			await().atMost(Duration.ofSeconds(30)).until(() -> !system.snapshot().pool("cpu0").orElseThrow().stalled());
			assertThat(system.snapshot().pool("cpu0").orElseThrow().stalls()).isEqualTo(1);
		}
	}

	@Test
	void snapshotShowsEveryPoolField() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).build()) {
			CountDownLatch release = new CountDownLatch(1);
			CountDownLatch started = new CountDownLatch(1);
			Workqueue events = system.workqueue("events").orElseThrow();
			events.queueOn(0, new Work(() -> {
				started.countDown();
				long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
				while (release.getCount() > 0 && System.nanoTime() < end) {
					Thread.onSpinWait(); // running, not blocked
				}
			}));
			assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
			events.queueOn(0, new Work(() -> {
			}));
			SystemSnapshot snapshot = system.snapshot();
			assertThat(snapshot.pools()).extracting(PoolSnapshot::id)
				.containsExactly("cpu0", "cpu0-highpri", "cpu1", "cpu1-highpri", "unbound", "unbound-highpri");
			PoolSnapshot cpu0 = snapshot.pool("cpu0").orElseThrow();
			assertThat(cpu0.cpu()).isZero();
			assertThat(cpu0.kind()).isEqualTo("normal");
			assertThat(cpu0.online()).isTrue();
			assertThat(cpu0.workers()).isEqualTo(1);
			assertThat(cpu0.busy()).isEqualTo(1);
			assertThat(cpu0.idle()).isZero();
			assertThat(cpu0.rogue()).isZero();
			assertThat(cpu0.running()).isEqualTo(1);
			assertThat(cpu0.pending()).isEqualTo(1);
			assertThat(cpu0.stalled()).isFalse();
			assertThat(snapshot.pool("unbound").orElseThrow().cpu()).isNull();
			assertThat(snapshot.pool("unbound-highpri").orElseThrow().kind()).isEqualTo("unbound");
			assertThat(snapshot.workqueues()).extracting(WorkqueueSnapshot::name)
				.containsExactlyElementsOf(WorkqueueSystem.SYSTEM_WORKQUEUES);
			assertThat(snapshot.workqueue("events").orElseThrow().active()).isEqualTo(1);
			assertThat(snapshot.workqueue("events_unbound").orElseThrow().flags())
				.containsExactly(WorkqueueFlag.UNBOUND);
			release.countDown();
		}
	}

}
