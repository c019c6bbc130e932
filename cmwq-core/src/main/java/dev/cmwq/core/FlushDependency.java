package dev.cmwq.core;

/**
 * Waits called from an item that can only wait for that item fail fast with an {@link IllegalStateException}
 * naming the queue and the operation, before anything changes, instead of hanging (the kernel's lockdep reports the
 * same dependencies: {@code __flush_workqueue} and {@code start_flush_work} acquire the queue's lockdep map). They
 * are, for a caller running item X of queue Q (on a worker or a rescuer, or for its caller: {@link
 * Overflow#CALLER_RUNS}, {@link Workqueue#runInline}):
 * <ul>
 * <li>{@code Q.flush()}, {@code Q.flush(timeout)}, {@code Q.drain()} and {@code Q.destroy()}: X is in flight on Q
 * and would be waited for;</li>
 * <li>{@code X.flush()} and {@code X.cancelSync()}, also on a {@link DelayedWork}: they wait for the run of X that
 * is the caller;</li>
 * <li>{@code Y.flush()} for an item Y pending on Q when Q is ordered: Y cannot start before X ends;</li>
 * <li>{@code system.awaitIdle(timeout)}: the system is not idle while X runs.</li>
 * </ul>
 * Other waits are legal from an item (flushing another queue, waiting for another item, cancelling an item pending
 * behind X on its ordered queue) and count as blocking for concurrency management. One of them the kernel warns
 * about ({@code check_flush_dependency}), and so do we, once per pair of queues: an item of a {@link
 * WorkqueueFlag#MEM_RECLAIM} queue that waits for a queue without a rescuer, whose progress then depends on that
 * queue getting a worker.
 */
final class FlushDependency {

	private FlushDependency() {
	}

	/** {@code wq.flush()}, {@code drain()} or {@code destroy()} ({@code operation}) is about to wait. */
	static void checkQueue(DefaultWorkqueue wq, String operation) {
		DefaultWorkqueue running = workerQueue();
		if (running == wq) {
			throw new IllegalStateException("Workqueue '" + wq.name() + "': " + operation + " called from one of its "
					+ "own items would wait for that item, that is for itself; queue a follow-up item, or wait from "
					+ "outside the workqueue");
		}
		warnIfReclaimWaitsFor(running, wq, operation);
	}

	/** {@code work.flush()} or {@code cancelSync()} ({@code operation}) is about to wait. */
	static void checkWork(Work work, String operation, boolean flush) {
		Worker owner = work.current;
		boolean onWorker = owner != null && owner.thread == Thread.currentThread();
		if (onWorker || ThreadContext.get().inline == work) { // run by a worker of ours, or here for the caller
			PoolWorkqueue pwq = (onWorker && owner.pool != null) ? owner.currentPwq : null; // ours: our thread's
			DefaultWorkqueue wq = (pwq != null) ? pwq.wq : work.queuedOn;
			throw new IllegalStateException("Workqueue '" + wq.name() + "': " + operation + " called by the item "
					+ "itself would wait for its own run; return from the item instead");
		}
		DefaultWorkqueue running = workerQueue();
		DefaultWorkqueue target = work.queuedOn;
		if (flush && running != null && running.isOrdered() && target == running && work.isPending()) {
			throw new IllegalStateException("Workqueue '" + running.name() + "': " + operation + " called from one "
					+ "of its items for an item pending behind it would wait for ever: the workqueue is ordered, so "
					+ "that item cannot start before the caller's ends");
		}
		if (target != null) {
			warnIfReclaimWaitsFor(running, target, operation);
		}
	}

	/** {@code system.awaitIdle(timeout)} is about to wait. */
	static void checkAwaitIdle() {
		Work inline = ThreadContext.get().inline; // run on this thread for its caller (runInline, CALLER_RUNS)
		DefaultWorkqueue running = (inline != null) ? inline.queuedOn : workerQueue();
		if (running != null) {
			throw new IllegalStateException("Workqueue '" + running.name() + "': awaitIdle() called from one of its "
					+ "items can never be true, since that item is running");
		}
	}

	/**
	 * The queue of the item the calling worker or rescuer runs, or null. Items run for their callers (on this
	 * thread, above it) are in flight on no queue: no flush waits for them, so only the worker's item matters.
	 */
	private static DefaultWorkqueue workerQueue() {
		Worker worker = Worker.current();
		PoolWorkqueue pwq = (worker != null) ? worker.currentPwq : null; // written by this thread only
		return (pwq != null) ? pwq.wq : null;
	}

	private static void warnIfReclaimWaitsFor(DefaultWorkqueue running, DefaultWorkqueue target, String operation) {
		if (running != null && running.rescuer != null && target.rescuer == null && running != target
				&& running.warnedFlushTargets.add(target.name())) {
			WorkqueueSystem.LOG.warn("Workqueue '{}' (mem-reclaim): an item calls {} on workqueue '{}', which has no "
					+ "rescuer: its progress then depends on '{}' getting a worker (logged once)", running.name(),
					operation, target.name(), target.name());
		}
	}

}
