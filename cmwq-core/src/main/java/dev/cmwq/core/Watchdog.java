package dev.cmwq.core;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reports pools that have pending items but have started none for the watchdog threshold (the kernel's
 * workqueue watchdog): a warning naming the pool, its pending count and what its busy workers are running, and
 * the pool's {@code stalled} flag and {@code stalls} count in the snapshot, until the pool progresses.
 *
 * <p>The check runs on the timer every quarter threshold, only while some pool has pending items or is stalled:
 * queueing arms it ({@link #arm()}), and it disarms itself when there is nothing left to watch. It has no thread
 * of its own: a check that throws is run again by the timer ({@link Timers}), which schedules the next one only at
 * its end, so the chain of checks never breaks.
 */
final class Watchdog {

	private final WorkqueueSystem system; // I

	private final long thresholdNanos; // I

	private final long intervalNanos; // I

	private final AtomicBoolean armed = new AtomicBoolean(); // C: a check is scheduled

	Watchdog(WorkqueueSystem system, long thresholdNanos) {
		this.system = system;
		this.thresholdNanos = thresholdNanos;
		this.intervalNanos = Math.max(thresholdNanos / 4, TimeUnit.MILLISECONDS.toNanos(1));
	}

	/**
	 * Called whenever a pool gains work: one volatile read unless the watchdog needs arming (and one more: if the
	 * timer thread could not be started, try again, or nothing armed would ever fire).
	 */
	void arm() {
		if (this.system.timers.threadMissing) {
			this.system.timers.retryStart();
		}
		if (this.thresholdNanos > 0 && !this.armed.get() && this.armed.compareAndSet(false, true)) {
			if (this.system.timers.schedule(this::check, this.intervalNanos) == null) {
				this.armed.set(false);
			}
		}
	}

	private void check() {
		boolean watching = false;
		long now = System.nanoTime();
		for (WorkerPool pool : this.system.pools()) {
			boolean pending = pool.hasPending();
			boolean stuck = pending && now - pool.lastProgress >= this.thresholdNanos;
			if (stuck && !pool.stalled) {
				pool.stalls = pool.stalls + 1;
				pool.stalled = true;
				List<String> busy = pool.describeBusyWorkers();
				WorkqueueSystem.LOG.warn("Workqueue pool {} is stalled: {} items pending and none started for {} ms; "
						+ "busy workers: {}", pool.id, pool.nrPending,
						TimeUnit.NANOSECONDS.toMillis(now - pool.lastProgress), busy.isEmpty() ? "none" : busy);
			}
			else if (!stuck && pool.stalled) {
				pool.stalled = false;
				WorkqueueSystem.LOG.info("Workqueue pool {} is making progress again", pool.id);
			}
			watching |= pending || pool.stalled;
		}
		if (watching && this.system.timers.schedule(this::check, this.intervalNanos) != null) {
			return;
		}
		this.armed.set(false);
		for (WorkerPool pool : this.system.pools()) {
			if (pool.hasPending()) {
				arm(); // something was queued while we were deciding to stop
				return;
			}
		}
	}

}
