package dev.cmwq.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps count of the failures of one kind of the engine's own threads (the block detector, the timer, the
 * rescuers), which must survive any {@code Throwable}, an {@code OutOfMemoryError} included: concurrency
 * management, delayed items, mayday and the watchdog depend on them.
 *
 * <p>What fails is a <em>unit</em> of the thread's work: the detector's scan loop (or the start of its thread), a
 * rescuer's loop, one timer task (or the start of the timer thread). Its owner catches the failure, tells
 * {@link #failed} (with the unit's failures in a row so far), backs off for the time it returns and retries the unit;
 * once the unit succeeds after failing it tells {@link #recovered}. The thread is {@code working} while no unit is
 * in that state ({@link HousekeepingStatus}).
 *
 * <p>Logging is rate-limited per episode (from the first failure while every unit worked, until every unit works
 * again): the first failure with its stack trace, then at most one summary line per {@link #REPORT_INTERVAL_NANOS}
 * with the count, and one line when the episode ends. Reporting never throws, even when out of memory.
 */
final class Housekeeping {

	/** How often at most an episode of failures is summarised in the log after its first failure. */
	static final long REPORT_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

	private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

	private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	final String name; // I

	/**
	 * Test hook (null in production): run at the start of every round of the thread's work and before its thread is
	 * started; what it throws is a failure of that round. V
	 */
	volatile Runnable fault;

	private final AtomicLong failures = new AtomicLong(); // C

	private volatile String lastFailure; // V

	/** Whether no unit is failing. V, written under this. */
	private volatile boolean working = true;

	/** Units that failed and have not succeeded since. Guarded by this. */
	private int broken;

	/** Failures in the current episode, and those not yet in the log. Guarded by this. */
	private long episodeFailures;

	private long unreported; // guarded by this: see episodeFailures

	/** When the episode was last written to the log. Guarded by this. */
	private long reportedAt;

	Housekeeping(String name) {
		this.name = name;
	}

	/** Called at the start of every round and before a thread is started; throws what the test hook throws. */
	void round() {
		Runnable hook = this.fault;
		if (hook != null) {
			hook.run();
		}
	}

	/**
	 * A unit failed: counts and logs it (rate-limited). Never throws.
	 * @param thread the thread that failed (for the rescuers, which one), for the log
	 * @param failure what it threw
	 * @param inARow the unit's failures since it last succeeded, before this one
	 * @return how long to back off before the unit is retried: 1 ms, doubling with each failure in a row, up to 100 ms
	 */
	long failed(String thread, Throwable failure, int inARow) {
		this.failures.incrementAndGet();
		boolean first;
		long summarised = 0;
		synchronized (this) {
			if (inARow == 0) {
				this.broken++;
				this.working = false;
			}
			this.episodeFailures++;
			first = this.episodeFailures == 1;
			long now = System.nanoTime();
			if (first || now - this.reportedAt >= REPORT_INTERVAL_NANOS) {
				summarised = this.unreported + 1;
				this.unreported = 0;
				this.reportedAt = now;
			}
			else {
				this.unreported++;
			}
		}
		try {
			this.lastFailure = thread.equals(this.name) ? failure.toString() : thread + ": " + failure;
			if (first) {
				WorkqueueSystem.LOG.error("Engine thread {} failed; it goes on and retries, and counts as not working "
						+ "until it succeeds (WorkqueueSystem.housekeeping())", thread, failure);
			}
			else if (summarised > 0) {
				WorkqueueSystem.LOG.warn("Engine thread {} failed {} more times; latest: {}", thread, summarised,
						failure.toString());
			}
		}
		catch (Throwable ex) {
			// out of memory again while reporting: the count above is what matters
		}
		return Math.min(MIN_BACKOFF_NANOS << Math.min(inARow, 7), MAX_BACKOFF_NANOS);
	}

	/** A unit that had failed succeeded. Never throws. */
	void recovered() {
		long episode;
		synchronized (this) {
			assert this.broken > 0 : this.name + ": recovered without a failure";
			if (--this.broken > 0) {
				return;
			}
			this.working = true;
			episode = this.episodeFailures;
			this.episodeFailures = 0;
			this.unreported = 0;
		}
		try {
			WorkqueueSystem.LOG.info("Engine thread {} works again after {} failures", this.name, episode);
		}
		catch (Throwable ex) {
			// nothing to do: the status says it works
		}
	}

	HousekeepingStatus status() {
		return new HousekeepingStatus(this.name, this.working, this.failures.get(), this.lastFailure);
	}

}
