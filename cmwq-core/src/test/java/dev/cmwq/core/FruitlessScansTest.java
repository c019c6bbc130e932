package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The detector pays for what it finds: while its looks at running items find nothing, it looks less often; the
 * first block it finds makes it look as often as before. One CPU, a 20 ms interval; the items spin for three intervals,
 * so that each is looked at (not new) but none blocks, and waiting items keep the pool watched.
 */
class FruitlessScansTest {

	private static final long INTERVAL = TimeUnit.MILLISECONDS.toNanos(20);

	private WorkqueueSystem system;

	private final AtomicBoolean stop = new AtomicBoolean();

	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void tearDown() {
		this.stop.set(true);
		this.release.countDown();
		this.system.close(Duration.ofSeconds(10));
	}

	@Test
	void theIntervalGrowsWhileLooksFindNothingAndIsTheShortestAgainOnceABlockIsFound() throws Exception {
		this.system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.cpuIntensiveThreshold(Duration.ZERO)
			.detectorInterval(Duration.ofNanos(INTERVAL))
			.build();
		Workqueue wq = this.system.allocWorkqueue("stream", Set.of(), 0);
		BlockDetector detector = this.system.detector;
		AtomicBoolean blockNext = new AtomicBoolean();
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch startedBeside = new CountDownLatch(1);
		Runnable item = () -> {
			if (blockNext.compareAndSet(true, false)) {
				blocked.countDown();
				awaitQuietly(this.release);
				return;
			}
			if (blocked.getCount() == 0 && this.release.getCount() > 0) {
				startedBeside.countDown();
			}
			long end = System.nanoTime() + 3 * INTERVAL;
			while (!this.stop.get() && System.nanoTime() < end) {
				Thread.onSpinWait();
			}
		};
		for (int i = 0; i < 2000; i++) { // 2 minutes of items: far more than the test needs
			wq.execute(item);
		}
		// 64 fruitless scans of 20 ms: the interval doubles after about 1.3 s
		await().atMost(Duration.ofSeconds(30)).until(() -> detector.currentInterval >= 2 * INTERVAL);

		blockNext.set(true);
		assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(startedBeside.await(30, TimeUnit.SECONDS)).as("an item started beside the blocked one").isTrue();
		// found: the shortest interval again, for the 64 scans (1.3 s) of looks that find nothing more
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(1))
			.until(() -> detector.currentInterval == INTERVAL);
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
