package dev.cmwq.core;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reports pools that have pending items but have started none for the watchdog threshold (the kernel's
 * workqueue watchdog): a warning naming the pool, its pending count and what its busy workers are running, and
 * the pool's {@code stalled} flag and {@code stalls} count in the snapshot, until the pool progresses.
 *
 * <p>Progress is a pool's count of item starts ({@code WorkerPool.progress}; starting an item reads no clock), so a
 * stall is timed by the checks: from the first check that saw the count change (or the pool with nothing pending)
 * until one that finds it pending and unchanged a threshold later, i.e. between one threshold and one and a half
 * after the last start.
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

	/**
	 * Per pool (by index in {@code system.pools()}): its {@code progress} count at the last check that saw it change,
	 * and when that check ran (or the last one that found the pool with nothing pending); null while disarmed. T
	 */
	private long[] seen, since;

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
		List<WorkerPool> pools = this.system.pools();
		if (this.seen == null) { // the first check since the watchdog was armed: every pool starts its stall clock now
			this.seen = new long[pools.size()];
			this.since = new long[pools.size()];
			for (int i = 0; i < pools.size(); i++) {
				this.seen[i] = pools.get(i).progress;
				this.since[i] = now;
			}
		}
		for (int i = 0; i < pools.size(); i++) {
			WorkerPool pool = pools.get(i);
			boolean pending = pool.hasPending();
			long progress = pool.progress;
			if (progress != this.seen[i] || !pending) { // it moved, or has nothing to move: the stall clock restarts
				this.seen[i] = progress;
				this.since[i] = now;
			}
			boolean stuck = pending && now - this.since[i] >= this.thresholdNanos;
			if (stuck && !pool.stalled) {
				pool.stalls = pool.stalls + 1;
				pool.stalled = true;
				List<String> busy = pool.describeBusyWorkers();
				WorkqueueSystem.LOG.warn("Workqueue pool {} is stalled: {} items pending and none started for {} ms; "
						+ "busy workers: {}", pool.id, pool.nrPending,
						TimeUnit.NANOSECONDS.toMillis(now - this.since[i]), busy.isEmpty() ? "none" : busy);
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
		this.seen = null; // before disarming: the check after the next arm() starts afresh
		this.armed.set(false);
		for (WorkerPool pool : this.system.pools()) {
			if (pool.hasPending()) {
				arm(); // something was queued while we were deciding to stop
				return;
			}
		}
	}

}
