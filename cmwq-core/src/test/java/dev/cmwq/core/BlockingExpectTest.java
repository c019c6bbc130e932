package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link Blocking#expect()}: a worker that says it is about to block counts as blocked at once, and counts as
 * running again once the detector sees it run. One CPU; the items spin, which the detector never takes for a block.
 */
class BlockingExpectTest {

	private WorkqueueSystem system;

	/** Released at teardown too, so that a failed test leaves no item spinning. */
	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void tearDown() {
		this.release.countDown();
		this.system.close(Duration.ofSeconds(5));
	}

	private Workqueue start(Duration detectorInterval) {
		this.system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.cpuIntensiveThreshold(Duration.ZERO)
			.detectorInterval(detectorInterval)
			.build();
		return this.system.allocWorkqueue("expect", Set.of(), 0);
	}

	@Test
	void nextItemStartsAtOnceWithoutTheDetector() throws Exception {
		// the detector's first scan skips an item it has not seen before, and the next is an hour away
		Workqueue wq = start(Duration.ofHours(1));
		CountDownLatch expected = new CountDownLatch(1);
		CountDownLatch secondStarted = new CountDownLatch(1);
		AtomicBoolean firstDone = new AtomicBoolean();
		wq.execute(() -> {
			Blocking.expect();
			expected.countDown();
			spinUntil(secondStarted);
			firstDone.set(true);
		});
		assertThat(expected.await(30, TimeUnit.SECONDS)).isTrue();
		AtomicBoolean firstDoneAtSecondStart = new AtomicBoolean(true);
		wq.execute(() -> {
			firstDoneAtSecondStart.set(firstDone.get());
			secondStarted.countDown();
		});
		assertThat(secondStarted.await(30, TimeUnit.SECONDS)).as("second item started").isTrue();
		assertThat(firstDoneAtSecondStart).as("first item was done when the second started").isFalse();
	}

	@Test
	void workerCountsAsRunningAgainOnceTheDetectorSeesItRun() throws Exception {
		Workqueue wq = start(Duration.ofMillis(1));
		CountDownLatch release = this.release;
		CountDownLatch expected = new CountDownLatch(1);
		AtomicBoolean firstDone = new AtomicBoolean();
		wq.execute(() -> {
			Blocking.expect();
			expected.countDown();
			spinUntil(release);
			firstDone.set(true);
		});
		assertThat(expected.await(30, TimeUnit.SECONDS)).isTrue();
		// no block follows: the detector sees the worker run and unflags it
		awaitUnflagged();

		AtomicBoolean firstDoneAtNextStart = new AtomicBoolean();
		CountDownLatch nextStarted = new CountDownLatch(1);
		wq.execute(() -> {
			firstDoneAtNextStart.set(firstDone.get());
			nextStarted.countDown();
		});
		assertThat(nextStarted.await(200, TimeUnit.MILLISECONDS)).as("next item started beside a running one").isFalse();
		release.countDown();
		assertThat(nextStarted.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat(firstDoneAtNextStart).as("next item started after the first ended").isTrue();
	}

	@Test
	void aFutexSleepSeenOnceDoesNotConfirmAnExpectedBlock() throws Exception {
		// a JVM safepoint pause shows as a futex sleep for a moment: confirmed on it, the spinning worker would be
		// looked at again only while items wait, and stay flagged blocked
		expectThenSpinAndAwaitUnflagged(new ThreadStateProbe() {
			private boolean first = true;

			@Override
			int probe(Thread thread) {
				int state = this.first ? KERNEL_BLOCKED : RUNNING;
				this.first = false;
				return state;
			}
		});
	}

	@Test
	void futexSleepsDoNotConfirmAnExpectedBlock() throws Exception {
		// a JVM-internal wait shows as a futex sleep, and under load it was seen on two probes in a row of a worker
		// that then spun on: confirmed, it would be looked at again only while items wait, and stay flagged blocked
		expectThenSpinAndAwaitUnflagged(new ThreadStateProbe() {
			private int probes;

			@Override
			int probe(Thread thread) {
				return (++this.probes <= 3) ? KERNEL_BLOCKED : RUNNING;
			}
		});
	}

	/**
	 * An item that says it is about to block and then spins, its kernel view {@code probe}: the detector must count
	 * it as running again.
	 */
	private void expectThenSpinAndAwaitUnflagged(ThreadStateProbe probe) throws Exception {
		Workqueue wq = start(Duration.ofMillis(1));
		CountDownLatch release = this.release;
		CountDownLatch expected = new CountDownLatch(1);
		wq.execute(() -> {
			Worker.current().probe = probe;
			Blocking.expect();
			expected.countDown();
			spinUntil(release);
		});
		assertThat(expected.await(30, TimeUnit.SECONDS)).isTrue();
		awaitUnflagged();
	}

	@Test
	void outsideAWorkerNothingHappens() {
		start(Duration.ofMillis(1));
		Blocking.expect();
		assertThat(pool().blocked()).isZero();
	}

	/** Waits until the pool has no worker flagged blocked; on a timeout, says what the detector last saw. */
	private void awaitUnflagged() {
		try {
			await().atMost(Duration.ofSeconds(30)).until(() -> pool().blocked() == 0);
		}
		catch (ConditionTimeoutException ex) {
			throw new AssertionError("worker still flagged blocked\n" + this.system.detector.internals(), ex);
		}
	}

	private PoolSnapshot pool() {
		return this.system.snapshot().pool("cpu0").orElseThrow();
	}

	private static void spinUntil(CountDownLatch latch) {
		while (latch.getCount() > 0) {
			Thread.onSpinWait();
		}
	}

}
