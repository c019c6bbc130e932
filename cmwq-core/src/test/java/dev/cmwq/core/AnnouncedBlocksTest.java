package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Blocks announced with {@link Blocking#begin()}: the detector leaves a worker in such a section alone, so it counts
 * as running again the moment its section ends; and a queue whose items announce their blocks is watched only now
 * and then, but an unannounced block of one of its items is still found. One CPU; items spin, which the detector
 * never takes for a block ({@link #spinUntil}), and nothing is ever marked CPU-intensive.
 */
class AnnouncedBlocksTest {

	private WorkqueueSystem system;

	/** Released at teardown too, so that a failed test leaves no item spinning or waiting. */
	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void tearDown() {
		this.release.countDown();
		this.system.close(Duration.ofSeconds(5));
	}

	private Workqueue start() {
		return start(Duration.ofMillis(1));
	}

	private Workqueue start(Duration detectorInterval) {
		this.system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.cpuIntensiveThreshold(Duration.ZERO)
			.detectorInterval(detectorInterval)
			.build();
		return this.system.allocWorkqueue("announcing", Set.of(), 0);
	}

	@Test
	void aWorkerCountsAsRunningAgainAsSoonAsItsBlockingSectionEnds() throws Exception {
		Workqueue wq = start();
		CountDownLatch inSection = new CountDownLatch(1);
		CountDownLatch leaveSection = new CountDownLatch(1);
		CountDownLatch spinning = new CountDownLatch(1);
		wq.execute(() -> { // A
			try (Blocking.Section ignored = Blocking.begin()) {
				inSection.countDown();
				awaitQuietly(leaveSection);
			}
			spinning.countDown();
			spinUntil(this.release);
		});
		assertThat(inSection.await(30, TimeUnit.SECONDS)).isTrue();
		CountDownLatch bRelease = new CountDownLatch(1);
		CountDownLatch cStarted = new CountDownLatch(1);
		wq.execute(() -> spinUntil(bRelease)); // B starts at once: A does not count while in its section
		wq.execute(() -> { // C waits behind B, so the detector scans the pool's workers, A among them
			cStarted.countDown();
			spinUntil(this.release);
		});
		Thread.sleep(50); // some 50 scans: before, one that found A waiting flagged it as blocked for good
		bRelease.countDown();
		assertThat(cStarted.await(30, TimeUnit.SECONDS)).isTrue();
		leaveSection.countDown(); // nothing is pending now: no scan will look at A again
		assertThat(spinning.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(pool().running()).as("A and C count as running").isEqualTo(2);
		assertThat(pool().blocked()).isZero();
	}

	@Test
	void anUnannouncedBlockIsFoundInAQueueWhoseItemsAnnounceTheirs() throws Exception {
		Workqueue wq = start();
		announceBlocks(wq);
		CountDownLatch aWaits = new CountDownLatch(1);
		wq.execute(() -> { // a wait it does not announce
			aWaits.countDown();
			awaitQuietly(this.release);
		});
		assertThat(aWaits.await(30, TimeUnit.SECONDS)).isTrue();
		CountDownLatch bStarted = new CountDownLatch(1);
		wq.execute(bStarted::countDown);
		assertThat(bStarted.await(30, TimeUnit.SECONDS)).as("B started while A waits").isTrue();
	}

	@Test
	void anItemOfAnotherQueueStartingWhileTheDetectorSleepsLongIsWatchedAtOnce() throws Exception {
		// 20 ms scans: while only a trusted queue's item runs, the detector sleeps up to 32 of them (640 ms)
		Workqueue trusted = start(Duration.ofMillis(20));
		Workqueue other = this.system.allocWorkqueue("other", Set.of(), 0);
		announceBlocks(trusted);
		CountDownLatch tRelease = new CountDownLatch(1);
		trusted.execute(() -> spinUntil(tRelease));
		CountDownLatch aWaits = new CountDownLatch(1);
		CountDownLatch bStarted = new CountDownLatch(1);
		other.execute(() -> { // waits behind the trusted item, then blocks without saying so
			aWaits.countDown();
			awaitQuietly(this.release);
		});
		other.execute(bStarted::countDown);
		await().atMost(Duration.ofSeconds(30)).until(() -> this.system.detector.slow);
		tRelease.countDown(); // the detector has just begun a sleep of 320 ms or more
		assertThat(aWaits.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(bStarted.await(250, TimeUnit.MILLISECONDS)).as("B started while A waits, before the detector's "
				+ "sleep would have ended").isTrue();
	}

	@Test
	void aDetectorHurriedIntoAScanThatFindsNothingToWatchLooksAgainSoon() throws Exception {
		// 40 ms scans: while only a trusted queue's item runs, the detector sleeps up to 32 of them (1.28 s)
		Workqueue trusted = start(Duration.ofMillis(40));
		Workqueue other = this.system.allocWorkqueue("other", Set.of(), 0);
		announceBlocks(trusted);
		CountDownLatch tRelease = new CountDownLatch(1);
		CountDownLatch trustedDone = new CountDownLatch(2);
		trusted.execute(() -> {
			spinUntil(tRelease);
			trustedDone.countDown();
		});
		trusted.execute(trustedDone::countDown); // keeps the pool watched while only trusted items run
		await().atMost(Duration.ofSeconds(30)).until(() -> this.system.detector.slow);
		tRelease.countDown();
		assertThat(trustedDone.await(30, TimeUnit.SECONDS)).isTrue(); // nothing is pending now
		CountDownLatch aWaits = new CountDownLatch(1);
		other.execute(() -> { // hurries the detector, whose scan finds nothing pending; then blocks unannounced
			aWaits.countDown();
			awaitQuietly(this.release);
		});
		assertThat(aWaits.await(30, TimeUnit.SECONDS)).isTrue();
		Thread.sleep(100); // the hurried scan: before, it went back to sleep for the long interval
		CountDownLatch bStarted = new CountDownLatch(1);
		other.execute(bStarted::countDown); // a queuer does not wake a detector that is not parked
		assertThat(bStarted.await(500, TimeUnit.MILLISECONDS)).as("B started while A waits, before a sleep of the "
				+ "long interval would have ended").isTrue();
	}

	/** Runs more than {@link PoolWorkqueue#ANNOUNCING} items that each announce a short block. */
	private static void announceBlocks(Workqueue wq) throws InterruptedException {
		int announcing = PoolWorkqueue.ANNOUNCING + 2;
		CountDownLatch announced = new CountDownLatch(announcing);
		for (int i = 0; i < announcing; i++) {
			wq.execute(() -> {
				try (Blocking.Section ignored = Blocking.begin()) {
					Thread.sleep(1);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				announced.countDown();
			});
		}
		assertThat(announced.await(30, TimeUnit.SECONDS)).isTrue();
	}

	private PoolSnapshot pool() {
		return this.system.snapshot().pool("cpu0").orElseThrow();
	}

	/**
	 * Spins until {@code latch} opens, seen by the detector through JVM states only: through the kernel's view a
	 * spinning thread can look asleep for a moment (a JVM-internal lock or a safepoint seen on two probes in a row,
	 * more likely while other tests load the machine), and the detector would take it for blocked and start the next
	 * item beside it (a false block costs a worker, by design). A full-suite run failed so, once: 2 workers running
	 * and 1 blocked at the end of the first test, which is what B taken for blocked gives (C starts early, and B is
	 * still flagged, not yet ended, when the test counts).
	 */
	private static void spinUntil(CountDownLatch latch) {
		Worker worker = Worker.current();
		ThreadStateProbe kernelView = worker.probe;
		worker.probe = ThreadStateProbe.NONE;
		try {
			while (latch.getCount() > 0) {
				Thread.onSpinWait();
			}
		}
		finally {
			worker.probe = kernelView;
		}
	}

	private static void awaitQuietly(CountDownLatch latch) {
		try {
			latch.await();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
