package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * A view of a workqueue that runs each item at once on the thread that queues it, for tests that want to see the
 * effect of queued work when the call returns. Only the scheduling differs from the queue's: everything else is
 * the queue's own, as for an item a worker runs.
 * <ul>
 * <li>The pending bit: queueing an item that is pending (on any queue) returns false and adds no run; queueing one
 * while it runs here, from its own task or from another thread, returns true and adds exactly one more run, right
 * after the current one, on the thread running it (an item never runs concurrently with itself here).</li>
 * <li>Accounting: each run is counted in the queue's statistics (started, completed, failed; not CPU time), told to
 * the system's {@link WorkListener}s, and a failure goes to the system's {@link WorkFailureHandler}, not to the
 * caller. Queueings and runs are counted for {@link Work#flush()} and {@link WorkqueueSystem#awaitIdle}.</li>
 * <li>Refusal: a destroyed queue, or a system that is shutting down (except for items queued from this queue's
 * own items), refuses with a {@link RejectedExecutionException}, as the queue does.</li>
 * <li>{@code flush}, {@code drain}, {@code destroy}, limits and snapshots are the queue's.</li>
 * </ul>
 * Scheduling does not apply: delays are skipped, CPUs are only checked, {@code maxActive}, order and freezing hold
 * nothing back, an item queued from inside another runs at once (nested, as a direct call would), and a run here is
 * neither {@link Work#isRunning() running} for the engine nor seen by concurrency management. The same item queued
 * on an engine queue while it runs here may run there at the same time.
 */
public final class CallerRunsWorkqueue implements Workqueue {

	/** The items running on a caller's thread now, by item; guarded by the map's per-key atomicity. */
	private static final ConcurrentHashMap<Work, Run> running = new ConcurrentHashMap<>();

	/** The inline run in progress on this thread, if any: its queue (for chained work at shutdown). */
	private static final ThreadLocal<DefaultWorkqueue> current = new ThreadLocal<>();

	private final DefaultWorkqueue queue; // I

	private CallerRunsWorkqueue(DefaultWorkqueue queue) {
		this.queue = queue;
	}

	/**
	 * A view of {@code queue} that runs its items on the queuing thread.
	 * @param queue a workqueue of a {@link WorkqueueSystem}
	 * @return the view
	 * @throws IllegalArgumentException if the queue is not one a {@link WorkqueueSystem} made
	 */
	public static CallerRunsWorkqueue of(Workqueue queue) {
		if (queue instanceof CallerRunsWorkqueue callerRuns) {
			return callerRuns;
		}
		if (queue instanceof DefaultWorkqueue engine) {
			return new CallerRunsWorkqueue(engine);
		}
		throw new IllegalArgumentException("Workqueue " + queue + " was not made by a WorkqueueSystem");
	}

	@Override
	public boolean queue(Work work) {
		checkAccepting();
		return work.tryClaim() && runClaimed(work);
	}

	@Override
	public boolean queueOn(int cpu, Work work) {
		this.queue.system.topology.checkCpu(cpu);
		return queue(work);
	}

	@Override
	public void execute(Runnable command) {
		queue(new Work(command));
	}

	@Override
	public boolean queueDelayed(DelayedWork work, Duration delay) {
		checkDelay(delay);
		return queue(work);
	}

	@Override
	public boolean queueDelayedOn(int cpu, DelayedWork work, Duration delay) {
		checkDelay(delay);
		if (cpu != -1) {
			this.queue.system.topology.checkCpu(cpu);
		}
		return queue(work);
	}

	/**
	 * Runs the item now, taking it first from the timer or pool where it is pending, if it is.
	 * @return true if it was pending (and has been moved here), false if it was idle
	 */
	@Override
	public boolean modDelayed(DelayedWork work, Duration delay) {
		checkDelay(delay);
		checkAccepting();
		for (;;) {
			if (work.tryClaim()) {
				runClaimed(work);
				return false;
			}
			int stolen = work.stealForRequeue();
			if (stolen > 0) {
				work.moved(); // its request moves here, unanswered, as the queue's modDelayed
				runClaimed(work);
				return true;
			}
			if (stolen < 0) {
				return false; // being cancelled synchronously, as the queue's modDelayed
			}
		}
	}

	/**
	 * Runs the item here, or, if it runs here already, asks for one more run after the current one. The caller
	 * holds the item's PENDING bit.
	 * @return false if another run had been asked for already
	 */
	private boolean runClaimed(Work work) {
		boolean[] mine = new boolean[1];
		boolean[] asked = new boolean[1];
		Run run = running.compute(work, (key, existing) -> {
			if (existing == null) {
				mine[0] = true;
				return new Run();
			}
			if (existing.again == null) {
				existing.again = this.queue;
				asked[0] = true;
			}
			return existing;
		});
		if (!mine[0]) {
			work.clearState(Work.PENDING); // the runner claims and counts the next run when it starts it
			return asked[0];
		}
		try {
			if (work.isRunning()) {
				try {
					work.flush(); // its previous instance runs on a worker: this one starts after it, as on a pool
				}
				catch (RuntimeException | Error ex) { // refused (the item queues itself here from its own run)
					work.clearState(Work.PENDING); // nothing was counted: the item is idle again, not pending for good
					throw ex;
				}
			}
			DefaultWorkqueue wq = this.queue;
			while (wq != null) {
				work.countQueued(wq);
				runOnce(wq, work);
				wq = nextRun(work);
				while (wq != null && !work.tryClaim()) {
					wq = nextRun(work); // pending on an engine queue meanwhile: that queueing is its next run
				}
			}
		}
		finally {
			running.remove(work, run);
		}
		return true;
	}

	/**
	 * The queue of the run asked for while the item ran, taken; or null, and the item no longer runs here (both
	 * atomically with askers, so that no ask is lost).
	 */
	private static DefaultWorkqueue nextRun(Work work) {
		DefaultWorkqueue[] again = new DefaultWorkqueue[1];
		running.computeIfPresent(work, (key, run) -> {
			again[0] = run.again;
			run.again = null;
			return (again[0] != null) ? run : null;
		});
		return again[0];
	}

	/**
	 * One run, counted, reported and answered as a worker's ({@link Work#runHere}): the item starts (PENDING
	 * cleared), runs with the caller's interrupt status put aside, and its end answers the queueing.
	 */
	private static void runOnce(DefaultWorkqueue wq, Work work) {
		DefaultWorkqueue outer = current.get();
		work.clearState(Work.PENDING);
		current.set(wq);
		try {
			work.runHere(wq);
		}
		finally {
			current.set(outer);
			work.resolve(wq.system);
		}
	}

	/** As the queue refuses: destroyed, or the system shutting down and the caller not one of this queue's items. */
	private void checkAccepting() {
		WorkqueueSystem system = this.queue.system;
		if (system.workqueue(this.queue.name()).orElse(null) != this.queue) {
			throw new RejectedExecutionException("Workqueue '" + this.queue.name() + "' is destroyed");
		}
		if (!system.isRunning() && (system.isTerminated() || current.get() != this.queue)) {
			throw new RejectedExecutionException("Workqueue '" + this.queue.name() + "' does not accept work: the "
					+ "workqueue system is " + (system.isTerminated() ? "closed" : "shutting down"));
		}
	}

	private static void checkDelay(Duration delay) {
		if (delay == null || delay.isNegative()) {
			throw new IllegalArgumentException("Delay must be zero or positive, got " + delay);
		}
	}

	/** Every item runs on the caller's thread here: the same as {@link #queue}. */
	@Override
	public boolean runInline(Work work) {
		return queue(work);
	}

	@Override
	public void setCapacity(int capacity, Overflow overflow, Duration overflowTimeout) {
		this.queue.setCapacity(capacity, overflow, overflowTimeout);
	}

	@Override
	public int capacity() {
		return this.queue.capacity();
	}

	@Override
	public Overflow overflow() {
		return this.queue.overflow();
	}

	@Override
	public Duration overflowTimeout() {
		return this.queue.overflowTimeout();
	}

	@Override
	public void flush() {
		this.queue.flush();
	}

	@Override
	public boolean flush(Duration timeout) {
		return this.queue.flush(timeout);
	}

	@Override
	public void drain() {
		this.queue.drain();
	}

	@Override
	public void destroy() {
		this.queue.destroy();
	}

	@Override
	public String name() {
		return this.queue.name();
	}

	@Override
	public Set<WorkqueueFlag> flags() {
		return this.queue.flags();
	}

	@Override
	public int maxActive() {
		return this.queue.maxActive();
	}

	@Override
	public boolean isOrdered() {
		return this.queue.isOrdered();
	}

	@Override
	public void setMaxActive(int maxActive) {
		this.queue.setMaxActive(maxActive);
	}

	@Override
	public WorkqueueSnapshot snapshot() {
		return this.queue.snapshot();
	}

	@Override
	public String toString() {
		return this.queue + " (caller runs)";
	}

	/** An item running on a caller's thread. */
	private static final class Run {

		/** The queue of one more run asked for while it runs, or null. Guarded by the map's atomicity. */
		DefaultWorkqueue again;

	}

}
