package dev.cmwq.core;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * How one queue's requests ended once its system began to close, for the shutdown report. Counted by the one
 * answer path ({@link Work#answer}, {@link Work#abandon}) while the system is not running; read by
 * {@link WorkqueueSystem#close(java.time.Duration)} after termination. Adders: answers come from many threads.
 */
final class ShutdownTally {

	private final LongAdder ran = new LongAdder();

	private final LongAdder cancelled = new LongAdder();

	final LongAdder abandonedQueued = new LongAdder();

	private final LongAdder abandonedDelayed = new LongAdder();

	/** A request that ran, or that a caller cancelled, was answered. */
	void ended(Work.Outcome outcome) {
		assert outcome != Work.Outcome.ABANDONED;
		(outcome.ran() ? this.ran : this.cancelled).increment();
	}

	/** A request never started: the system shut down first. */
	void abandoned(boolean delayed) {
		(delayed ? this.abandonedDelayed : this.abandonedQueued).increment();
	}

	/**
	 * Logs what became of the queue's items since close() began, if anything did: one line, WARN if some never
	 * started or still run. Each item in flight when close() began, or queued by items while it drained, is counted
	 * once: it ran (to the end, or to a failure), was cancelled by a caller, never started (queued, or waiting for
	 * its timer), or is still running. The running count is read before the others, so that an item ending meanwhile
	 * is never missed (at worst it is counted as both running and ran).
	 * @param stillRunning items of the queue running now, read before this call
	 * @param elapsedNanos how long close() has taken
	 */
	void log(String workqueue, int stillRunning, long elapsedNanos) {
		long ran = this.ran.sum();
		long cancelled = this.cancelled.sum();
		long queued = this.abandonedQueued.sum();
		long delayed = this.abandonedDelayed.sum();
		long abandoned = queued + delayed;
		if (ran + cancelled + abandoned + stillRunning == 0) {
			return;
		}
		String line = "Workqueue '{}' at shutdown: {} ran, {} cancelled by callers, {} never started ({} queued, {} "
				+ "delayed), {} still running after {} ms";
		Object[] args = { workqueue, ran, cancelled, abandoned, queued, delayed, stillRunning,
				TimeUnit.NANOSECONDS.toMillis(elapsedNanos) };
		if (abandoned + stillRunning > 0) {
			WorkqueueSystem.LOG.warn(line, args);
		}
		else {
			WorkqueueSystem.LOG.info(line, args);
		}
	}

}
