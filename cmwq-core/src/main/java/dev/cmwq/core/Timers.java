package dev.cmwq.core;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread of a system, started on first use: delayed work, mayday and watchdog checks, the pools' idle
 * timers. Its tasks are
 * short (they link items or look at counters), never user code.
 *
 * <h2>Failures</h2>
 * The thread survives any {@code Throwable}. A task that throws (an {@code OutOfMemoryError} in a flood, a bug) is
 * reported to {@link #housekeeping} (counted, logged rate-limited; the timer counts as not working) and run again
 * after a back-off of a millisecond or more, until it succeeds. Every task may run again after a failure: a delayed
 * item's timer links the item only if it still owns it (its arming generation), mayday and watchdog checks look at
 * the pool as it is then. A timer thread that cannot be started (the JVM refuses one) leaves the tasks queued; it is
 * tried again at the next {@link #schedule} and, after a back-off, whenever work is queued ({@link #retryStart()})
 * and by the block detector's thread, which {@link #whenThreadMissing} wakes (or starts) for that, so that the
 * tasks fire even if nothing else happens; the timer counts as not working until a thread runs.
 */
final class Timers {

	static final String NAME = "cmwq-timer";

	final Housekeeping housekeeping = new Housekeeping(NAME); // I

	/** Guarded by this (a leaf monitor). */
	private Executor executor;

	/** Guarded by this (a leaf monitor). */
	private boolean shutdown;

	/** Failed attempts to start the timer thread since one last started. Guarded by this. */
	private int startFailures;

	/** Whether the last attempt to start the timer thread failed: tasks wait in the queue. V, written under this. */
	volatile boolean threadMissing;

	/** After a failed start: {@link #retryStart()} tries no sooner than this. Guarded by this. */
	private long retryStartAt;

	/**
	 * Told, outside this monitor, when a task was scheduled while the thread is missing: makes sure another thread
	 * calls {@link #retryStart()} after the back-off ({@code BlockDetector.wake}). I
	 */
	private final Runnable whenThreadMissing;

	Timers(Runnable whenThreadMissing) {
		this.whenThreadMissing = whenThreadMissing;
	}

	/**
	 * Runs {@code task} after {@code nanos}, and again after a back-off each time it throws.
	 * @return the timer, or null once the system has shut its timers down
	 */
	ScheduledFuture<?> schedule(Runnable task, long nanos) {
		ScheduledFuture<?> timer;
		synchronized (this) {
			Runnable hook = this.scheduleFault;
			if (hook != null) {
				hook.run();
			}
			timer = submit(new Task(task), nanos);
		}
		if (this.threadMissing) {
			try {
				this.whenThreadMissing.run();
			}
			catch (Throwable ex) { // out of memory: the next schedule, or queueing, tries again
			}
		}
		return timer;
	}

	/** Tasks waiting in the timer's queue (for tests). */
	synchronized int queued() {
		return (this.executor != null) ? this.executor.getQueue().size() : 0;
	}

	/**
	 * How long until {@link #retryStart()} tries to start the thread again (0: now), or -1 if the thread is not
	 * missing (or the timers are shut down).
	 */
	synchronized long nanosUntilRetry() {
		if (!this.threadMissing || this.shutdown) {
			return -1;
		}
		return Math.max(0, this.retryStartAt - System.nanoTime());
	}

	/**
	 * Test hook (null in production): run as a task is scheduled; what it throws stands for an
	 * {@code OutOfMemoryError} before the task is queued.
	 */
	volatile Runnable scheduleFault;

	private ScheduledFuture<?> submit(Task task, long nanos) {
		assert Thread.holdsLock(this);
		if (this.shutdown) {
			return null;
		}
		if (this.executor == null) {
			this.executor = new Executor();
		}
		this.executor.created = null;
		try {
			return this.executor.schedule(task, nanos, TimeUnit.NANOSECONDS);
		}
		catch (RejectedExecutionException ex) {
			return null;
		}
		catch (RuntimeException | Error ex) {
			// The executor queued the task, then failed to start its thread (OutOfMemoryError "unable to create
			// native thread"): the task waits for the next attempt. Anything else (out of memory before the task
			// was queued) is the caller's to see.
			RunnableScheduledFuture<?> queued = this.executor.created;
			if (queued == null || !this.executor.getQueue().contains(queued)) {
				throw ex;
			}
			startFailed(ex);
			return queued;
		}
	}

	/**
	 * Tries again to start the timer thread if the last attempt failed (and a back-off has passed): queueing calls
	 * it (through {@link Watchdog#arm()}), so that queued timers fire even when nothing new is scheduled.
	 */
	synchronized void retryStart() {
		if (!this.threadMissing || this.shutdown || System.nanoTime() - this.retryStartAt < 0) {
			return;
		}
		try {
			this.executor.prestartCoreThread();
		}
		catch (RuntimeException | Error ex) {
			startFailed(ex);
		}
	}

	private void startFailed(Throwable failure) {
		assert Thread.holdsLock(this);
		this.threadMissing = true;
		this.retryStartAt = System.nanoTime() + this.housekeeping.failed(NAME, failure, this.startFailures++);
	}

	/** The executor's thread factory: the timer thread tells when it runs. */
	private Thread newThread(Runnable executorWorker) {
		this.housekeeping.round(); // test hook: a thread that cannot be started
		Thread thread = new Thread(() -> {
			started();
			executorWorker.run();
		}, NAME);
		thread.setDaemon(true);
		return thread;
	}

	private synchronized void started() {
		this.threadMissing = false;
		if (this.startFailures > 0) {
			this.startFailures = 0;
			this.housekeeping.recovered();
		}
	}

	synchronized void shutdown() {
		this.shutdown = true;
		if (this.executor != null) {
			this.executor.shutdownNow();
		}
	}

	/** The timer thread, and which task it made last (to find it in its queue if starting the thread fails). */
	private final class Executor extends ScheduledThreadPoolExecutor {

		/** Guarded by Timers.this. */
		RunnableScheduledFuture<?> created;

		Executor() {
			super(1, Timers.this::newThread);
			setRemoveOnCancelPolicy(true);
		}

		@Override
		protected <V> RunnableScheduledFuture<V> decorateTask(Runnable runnable, RunnableScheduledFuture<V> task) {
			this.created = task;
			return task;
		}

	}

	/** A task of the timer, run again after a back-off when it throws. */
	private final class Task implements Runnable {

		private final Runnable task; // I

		private int failuresInARow; // T

		Task(Runnable task) {
			this.task = task;
		}

		@Override
		public void run() {
			try {
				Timers.this.housekeeping.round();
				this.task.run();
			}
			catch (Throwable ex) { // even an OutOfMemoryError: the thread goes on, and the task runs again
				long backoff = Timers.this.housekeeping.failed(NAME, ex, this.failuresInARow++);
				synchronized (Timers.this) {
					if (submit(this, backoff) == null) { // shut down: nothing is left to retry
						Timers.this.housekeeping.recovered();
					}
				}
				return;
			}
			if (this.failuresInARow > 0) {
				this.failuresInARow = 0;
				Timers.this.housekeeping.recovered();
			}
		}

	}

}
