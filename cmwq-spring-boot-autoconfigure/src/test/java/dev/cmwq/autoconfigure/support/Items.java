package dev.cmwq.autoconfigure.support;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import org.awaitility.Awaitility;

/**
 * Work items that hold a worker until the test lets them go, so that tests can look at a system while items run.
 * Every hold ends by itself after a minute, so a failed test cannot hang the build.
 */
public final class Items {

	private static final long HOLD_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(60);

	private Items() {
	}

	/**
	 * An item that blocks on {@code release} (concurrency management sees it as not running).
	 * @param started counted down when the item starts
	 * @param release what the item waits for
	 * @return the item
	 */
	public static Work blocking(CountDownLatch started, CountDownLatch release) {
		return new Work(() -> {
			started.countDown();
			await(release);
		});
	}

	/**
	 * An item that spins on the CPU without blocking until {@code release} opens (concurrency management sees it
	 * as running, as long as the system's CPU-intensive detection is off).
	 * @param started counted down when the item starts
	 * @param release what the item waits for, without blocking
	 * @return the item
	 */
	public static Work spinning(CountDownLatch started, CountDownLatch release) {
		return new Work(() -> {
			started.countDown();
			long deadline = System.nanoTime() + HOLD_LIMIT_NANOS;
			while (release.getCount() > 0 && System.nanoTime() < deadline) {
				Thread.onSpinWait();
			}
		});
	}

	/**
	 * Waits for a latch, up to the hold limit.
	 * @param latch the latch
	 */
	public static void await(CountDownLatch latch) {
		try {
			if (!latch.await(HOLD_LIMIT_NANOS, TimeUnit.NANOSECONDS)) {
				throw new IllegalStateException("Latch not released within the hold limit");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Spins until the latch is open: unlike a wait, the item keeps counting as running whenever the block detector
	 * looks (with CPU-intensive detection off), so only a blocking hint can let its pool start another item.
	 */
	public static void spinUntil(CountDownLatch latch) {
		long deadline = System.nanoTime() + HOLD_LIMIT_NANOS;
		while (latch.getCount() > 0) {
			if (System.nanoTime() - deadline > 0) {
				throw new IllegalStateException("latch not opened in time");
			}
			Thread.onSpinWait();
		}
	}

	/**
	 * For a system whose block detector scans once an hour, so that only blocking hints can start the next item while
	 * one blocks: makes sure the detector has made its first scan, which it makes at once when items first wait
	 * behind a running one, and sleeps in its interval. Without this, a first scan that comes late (a busy machine is
	 * slow to run a new thread) would find the item the test blocks in (it looks at the JVM's thread state at once)
	 * and start the next item itself. Queues an item behind a running one on CPU 0 of {@code wq} to start the
	 * detector, then waits until every block detector in the JVM sleeps (another system's that is idle sleeps too).
	 * @param wq a workqueue of the system
	 */
	public static void quietDetector(Workqueue wq) {
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch ran = new CountDownLatch(1);
		wq.queueOn(0, new Work(() -> {
			running.countDown();
			spinUntil(release);
		}));
		await(running);
		wq.queueOn(0, new Work(ran::countDown)); // pending behind a running item: the detector starts
		release.countDown();
		await(ran);
		Awaitility.await()
			.atMost(Duration.ofNanos(HOLD_LIMIT_NANOS))
			.until(() -> Thread.getAllStackTraces()
				.keySet()
				.stream()
				.filter((t) -> t.getName().equals("cmwq-block-detector"))
				.allMatch(Items::asleep));
	}

	private static boolean asleep(Thread detector) {
		Object blocker = LockSupport.getBlocker(detector);
		Thread.State state = detector.getState();
		return (state == Thread.State.TIMED_WAITING || state == Thread.State.WAITING) && blocker != null
				&& blocker.getClass().getName().equals("dev.cmwq.core.BlockDetector");
	}

}
