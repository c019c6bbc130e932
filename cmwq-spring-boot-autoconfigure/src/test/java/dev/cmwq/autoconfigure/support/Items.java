package dev.cmwq.autoconfigure.support;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.cmwq.core.Work;

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

}
