package dev.cmwq.core;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread of a system, started on first use: delayed work, mayday and watchdog checks. Its tasks are
 * short (they link items or look at counters), never user code.
 */
final class Timers {

	/** Guarded by this (a leaf monitor). */
	private ScheduledThreadPoolExecutor executor;

	/** Guarded by this (a leaf monitor). */
	private boolean shutdown;

	/**
	 * Runs {@code task} after {@code nanos}.
	 * @return the timer, or null once the system has shut its timers down
	 */
	synchronized ScheduledFuture<?> schedule(Runnable task, long nanos) {
		if (this.shutdown) {
			return null;
		}
		if (this.executor == null) {
			this.executor = new ScheduledThreadPoolExecutor(1, (r) -> {
				Thread t = new Thread(r, "cmwq-timer");
				t.setDaemon(true);
				return t;
			});
			this.executor.setRemoveOnCancelPolicy(true);
		}
		try {
			return this.executor.schedule(() -> {
				try {
					task.run();
				}
				catch (Throwable ex) {
					WorkqueueSystem.LOG.error("cmwq timer task failed", ex);
				}
			}, nanos, TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			return null;
		}
	}

	synchronized void shutdown() {
		this.shutdown = true;
		if (this.executor != null) {
			this.executor.shutdownNow();
		}
	}

}
