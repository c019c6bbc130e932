package dev.cmwq.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A work item: a task that can be queued on a {@link Workqueue}, like the kernel's {@code work_struct}.
 *
 * <h2>States</h2>
 * A work item is <em>idle</em>, <em>pending</em> (queued, not yet started), <em>running</em>, or pending and
 * running at once (queued again while it runs). The pending bit is the {@code PENDING} bit of {@link #state}:
 * <pre>
 *   idle    --queue()-----------------&gt; pending     (the caller won the PENDING bit; queue() returns true)
 *   pending --queue()-----------------&gt; pending     (returns false, adds no run)
 *   pending --a worker starts it------&gt; running     (PENDING cleared under the pool lock as it starts)
 *   running --queue()-----------------&gt; running + pending (exactly one more run, on the same pool)
 *   running --returns or throws-------&gt; idle
 *   pending --cancel()----------------&gt; idle        (the canceller steals the PENDING bit and unlinks it)
 *   idle    --runInline()-------------&gt; running inline (INLINE bit: queueing returns false until it ends)
 * </pre>
 * {@code cancelSync()} also holds the {@code CANCELING} bit until the running instance has finished, so that
 * queueing during a synchronous cancel returns false, as in the kernel.
 *
 * <p>An item never runs concurrently with itself. Queued again while it runs for the same, unordered queue, it goes to
 * the pool where it runs, and a worker there that picks it hands it to the worker running it (the kernel's
 * non-reentrancy rule). Queued on another queue, or an ordered one, it keeps that queue's limits and order; a
 * worker of another pool that picks it while the previous instance runs <em>defers</em> it ({@link Link#DEFERRED}),
 * and it is linked again once that instance ends.
 *
 * <h2>Requests and their answers</h2>
 * Every successful queueing opens a <em>request</em> (moving a pending item with {@code modDelayed} moves its open
 * request). The engine answers each request exactly once, with how it ended ({@link Outcome}): it ran and
 * completed; it ran and failed, and the {@link WorkFailureHandler} was told; it ran and failed with a failure the
 * task had handled itself ({@link #failedHandled}); a caller cancelled it before it started; or the system shut down
 * before it started. One engine method answers: it counts the ending in the queue's statistics, calls the failure
 * handler, tells the {@link WorkListener}s, and then calls this item's {@link #done(Outcome, Throwable)}, on the
 * thread that ended the request and outside every engine lock. Whoever takes a request out of the place that holds
 * it for good (see {@code package-info.java}) answers it; at most two requests of an item are open at once, one
 * pending and one running. {@code queued} counts requests, {@code resolved} the answered ones, and {@link #flush()}
 * waits for {@code resolved} to reach the {@code queued} it saw, so that when it returns {@code done} has returned.
 *
 * <h2>Memory</h2>
 * An item is kept for as long as it is queued, so its fields are as small as their ranges allow: the link, the
 * flush color and the deferred flag are bytes, the wait count lives in the monitor that only waiters create, and the
 * two request counters are ints that wrap, compared by their difference (they are never more than two apart).
 */
public class Work extends Incoming {

	/** How a request of an item ended; see the class comment. */
	public enum Outcome {

		/** It ran and returned. */
		COMPLETED,
		/** It ran and threw; the {@link WorkFailureHandler} was told. */
		FAILED,
		/** It ran and recorded, with {@link #failedHandled}, a failure it had handled itself. */
		FAILED_HANDLED,
		/** A caller cancelled it before it started ({@link #cancel()}, {@link #cancelSync()}). */
		CANCELLED,
		/** It never started: the system shut down first (its timer was stopped, or its drain timed out). */
		ABANDONED;

		/**
		 * Whether the item ran.
		 * @return true for {@link #COMPLETED}, {@link #FAILED} and {@link #FAILED_HANDLED}
		 */
		public boolean ran() {
			return this.compareTo(FAILED_HANDLED) <= 0;
		}

	}

	static final int PENDING = 1;

	static final int CANCELING = 2;

	/** Set while the item runs inline ({@link Workqueue#runInline}): it is neither pending nor claimable. */
	static final int INLINE = 4;

	/**
	 * Set on the node of an {@code execute(Runnable)} item ({@link #heldTask}) while no thread but the one holding it
	 * can reach it: no caller has it, and it is linked only on its pool's lists, under the pool lock, or runs on a
	 * worker. Its engine fields are then written with plain stores, no fence or CAS ({@link #startedByWorker},
	 * {@link #runBy}, {@link #unlink}, {@link #resolve}): every other thread that reads them takes the pool lock
	 * first. Cleared ({@link #escape}) on the running thread before the item's own code or a failure handler is
	 * handed the node ({@link #currentWork()}, a failed run), from when it lives as any other item. While set the
	 * state is never 0, so nothing can claim the node.
	 */
	static final int EXECUTED = 8;

	private static final int STEAL_CANCEL = 0;

	private static final int STEAL_SYNC = 1;

	private static final int STEAL_REQUEUE = 2;

	private static final VarHandle STATE;

	private static final VarHandle RESOLVED;

	private static final VarHandle WAITERS;

	private static final VarHandle DEFERRED;

	private static final VarHandle OWED;

	private static final VarHandle QUEUED;

	private static final VarHandle QUEUED_ON;

	private static final VarHandle LINKED_POOL;

	private static final VarHandle CURRENT;

	private static final Link[] LINKS = Link.values();

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			STATE = lookup.findVarHandle(Work.class, "state", int.class);
			RESOLVED = lookup.findVarHandle(Work.class, "resolved", int.class);
			WAITERS = lookup.findVarHandle(Work.class, "waiters", Waiters.class);
			DEFERRED = lookup.findVarHandle(Work.class, "deferred", byte.class);
			OWED = lookup.findVarHandle(Work.class, "owed", byte.class);
			QUEUED = lookup.findVarHandle(Work.class, "queued", int.class);
			QUEUED_ON = lookup.findVarHandle(Work.class, "queuedOn", DefaultWorkqueue.class);
			LINKED_POOL = lookup.findVarHandle(Work.class, "linkedPool", WorkerPool.class);
			CURRENT = lookup.findVarHandle(Work.class, "current", Worker.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Runnable task; // I

	/** C: the PENDING, CANCELING and INLINE bits. */
	private volatile int state;

	/** Pool whose lists hold this item, or null while not linked on one. V: written under that pool's lock. */
	private volatile WorkerPool linkedPool;

	/** Where in {@link #linkedPool} the item is linked: a {@link Link}'s ordinal. L (linkedPool's lock) */
	private byte link;

	/** The worker whose scheduled list holds the item while {@code link == SCHEDULED}. L (linkedPool's lock) */
	private Worker scheduledOn;

	/**
	 * 1 while the item is {@link Link#DEFERRED}: picked by a worker of one pool while its previous instance still
	 * runs on another pool. Whoever clears it with a CAS (that worker, the one running the previous instance as it
	 * ends, or a canceller) owns the item's next step. CAS.
	 */
	private volatile byte deferred;

	/**
	 * The pool-workqueue the pending instance belongs to. P while the queuer hands the item to the pool
	 * ({@link #prepareIncoming}), then L (linkedPool's lock).
	 */
	PoolWorkqueue pwq;

	/** Flush color of the pending instance, 0 or 1. P, then L: see {@link #pwq}. */
	byte color;

	/** System.nanoTime() when the pending instance was queued, or 0 (only listeners are told). P: see {@link #pwq}. */
	long queuedAt;

	/**
	 * The worker running this item, or null. V, written under that worker's pool lock ({@link #runBy}; a plain store
	 * while {@link #EXECUTED}).
	 */
	volatile Worker current;

	/** The queue of the latest successful queueing. P, V. */
	volatile DefaultWorkqueue queuedOn;

	/** The queue whose capacity slot the pending instance holds, or null (an unbounded queue). P */
	DefaultWorkqueue slot;

	/** Successful queueings so far, modulo 2^32. P, V. */
	private volatile int queued;

	/** Runs finished plus pending instances cancelled so far, modulo 2^32 ({@code queued - resolved} is 0 to 2). C. */
	private volatile int resolved;

	/** The leaf monitor of the threads in {@link #awaitResolved}; made by the first one (most items have none). C. */
	private volatile Waiters waiters;

	/** A failure the running task handled itself ({@link #failedHandled}). W (the thread running the task). */
	private Throwable handledFailure;

	/** Requests opened and not answered yet, kept only while assertions are enabled (0 to 2). C. */
	private volatile byte owed;

	/**
	 * Creates a work item, like {@code INIT_WORK}.
	 * @param task what the item runs
	 */
	public Work(Runnable task) {
		this.task = Objects.requireNonNull(task, "task");
	}

	/**
	 * The task this item runs.
	 * @return the task
	 */
	public Runnable task() {
		return this.task;
	}

	/**
	 * Whether the item is queued and has not started yet (the kernel's {@code work_pending}).
	 * @return true while pending
	 */
	public boolean isPending() {
		return (this.state & PENDING) != 0;
	}

	/**
	 * Whether a worker is running the item now.
	 * @return true while running
	 */
	public boolean isRunning() {
		return this.current != null || (this.state & INLINE) != 0;
	}

	/**
	 * Waits until the last queueing of this item has finished executing (the kernel's {@code flush_work}).
	 * @return true if it waited, false if the item was already idle
	 * @throws IllegalStateException naming the queue, before anything changes, if called by the item itself, or from
	 * an item of an ordered queue for an item pending behind it on that queue: it would wait for itself
	 */
	public boolean flush() {
		FlushDependency.checkWork(this, "Work.flush()", true);
		return awaitResolved(this.queued, Long.MAX_VALUE);
	}

	/**
	 * Cancels the pending instance, if any, without waiting for a running one (the kernel's {@code cancel_work}).
	 * Its request is answered {@link Outcome#CANCELLED} before this returns, on this thread.
	 * @return true if the item was pending
	 */
	public final boolean cancel() {
		if (steal(STEAL_CANCEL) > 0) {
			DefaultWorkqueue wq = this.queuedOn; // read while we own PENDING: a new queueing may change it after
			answer(wq, Outcome.CANCELLED, null, 0);
			resolve(wq.system);
			clearState(PENDING);
			return true;
		}
		return false;
	}

	/**
	 * Cancels the pending instance, if any, and waits for a running one to finish (the kernel's
	 * {@code cancel_work_sync}). Queueing the item while this runs returns false.
	 * @return true if the item was pending
	 * @throws IllegalStateException naming the queue, before anything changes, if called by the item itself: it would
	 * wait for its own run
	 */
	public final boolean cancelSync() {
		FlushDependency.checkWork(this, "Work.cancelSync()", false);
		boolean wasPending = steal(STEAL_SYNC) > 0;
		try {
			if (wasPending) {
				DefaultWorkqueue wq = this.queuedOn; // read while we own PENDING and CANCELING
				answer(wq, Outcome.CANCELLED, null, 0);
				resolve(wq.system);
			}
			awaitResolved(this.queued, Long.MAX_VALUE);
		}
		finally {
			clearState(PENDING | CANCELING);
		}
		return wasPending;
	}

	/**
	 * Called once for every request of this item when it ends, with how it ended; does nothing unless overridden.
	 * The engine calls it last, after it has counted the ending, told the failure handler and the listeners, on the
	 * thread that ended the request (the worker that ran it, a canceller, the thread closing the system, or another
	 * engine thread that found the item abandoned), outside every engine lock. It must be fast and must not wait
	 * for items (a flush, a cancelSync, a future's get): it may run on a thread that others wait for. While it runs
	 * for a request that did not run, the item is still pending, so queueing it again from here returns false, as
	 * during {@link #cancelSync()}. What it throws is logged.
	 * @param outcome how the request ended
	 * @param failure what the task threw ({@link Outcome#FAILED}) or recorded ({@link Outcome#FAILED_HANDLED}),
	 * else null
	 */
	protected void done(Outcome outcome, Throwable failure) {
	}

	/**
	 * Records that this run failed with a failure the task has handled itself (reported it to a caller's future,
	 * say): the run counts as failed and listeners see {@code failure}, but the {@link WorkFailureHandler} is not
	 * called, and the request ends {@link Outcome#FAILED_HANDLED} once the task returns. If the task throws
	 * anyway, the throw wins. Only the first call in a run counts.
	 * @param failure the failure
	 * @throws IllegalStateException unless called from this item's task while it runs
	 */
	public final void failedHandled(Throwable failure) {
		Objects.requireNonNull(failure, "failure");
		if (currentWork() != this) {
			throw new IllegalStateException("failedHandled(..) must be called from the task of " + this
					+ " while it runs, not from thread " + Thread.currentThread().getName());
		}
		if (this.handledFailure == null) {
			this.handledFailure = failure;
		}
	}

	/**
	 * What {@link #failedHandled} recorded in the current run, for code that runs inside the task (a task
	 * decorator, say).
	 * @return the failure, or null if none was recorded or the item is not running on the calling thread
	 */
	public final Throwable handledFailure() {
		return (currentWork() == this) ? this.handledFailure : null;
	}

	/**
	 * The item whose task the calling thread is running (the kernel's {@code current_work()}).
	 * @return the item, or null if the thread is not running an item's task
	 */
	public static Work currentWork() {
		ThreadContext context = ThreadContext.get();
		if (context.inline != null) {
			return context.inline;
		}
		Worker worker = context.worker;
		if (worker == null || !worker.inItem) {
			return null;
		}
		Work work = worker.currentWork;
		work.escape(); // the caller may hand it to other threads
		return work;
	}

	// --- engine internals -------------------------------------------------------------------------------------

	/** Takes the PENDING bit for a queueing; false if pending or being cancelled. */
	final boolean tryClaim() {
		return STATE.compareAndSet(this, 0, PENDING);
	}

	/** The PENDING holder commits its claim to {@code wq} (its timer or a pool): a request opens. */
	final void countQueued(DefaultWorkqueue wq) {
		assert owe() : this + " has more than two requests open";
		this.queued = this.queued + 1;
		this.queuedOn = wq;
		countAccepted(wq.system);
	}

	/**
	 * A request opens on {@code system} (for {@code awaitIdle}): with {@link #countQueued}, or by itself for an item
	 * held back as its bare task, before the item can be answered ({@link PoolWorkqueue#queueTask}).
	 */
	static void countAccepted(WorkqueueSystem system) {
		system.accepted.increment();
	}

	/**
	 * The node of an item queued with {@code execute(Runnable)} ({@link ExecutedTask}, or its bare task held back:
	 * {@link PoolWorkqueue#queueTask}), made where it is linked or leaves the held-back list: the same state as an
	 * item that was claimed, counted ({@link #countQueued}, whose system count the queuer made), handed to
	 * {@code pwq} with {@code color} ({@link #prepareIncoming}), and held back there. Its volatile fields are
	 * written with plain stores: the node is new, and reaches other threads only through the pool's lists, under
	 * the pool lock. L
	 */
	static Work heldTask(Runnable task, PoolWorkqueue pwq, int color, boolean slotted, long queuedAt) {
		Work work = new Work(task);
		STATE.set(work, PENDING | EXECUTED);
		assert work.owe();
		QUEUED.set(work, 1);
		QUEUED_ON.set(work, pwq.wq);
		work.slot = slotted ? pwq.wq : null;
		work.pwq = pwq;
		work.color = (byte) color;
		work.queuedAt = queuedAt;
		LINKED_POOL.set(work, pwq.pool);
		work.link = (byte) Link.INACTIVE.ordinal();
		return work;
	}

	/** A worker starts the pending instance: clears PENDING (we hold the pool lock it is linked under). */
	final void startedByWorker() {
		int s = this.state;
		if ((s & EXECUTED) != 0) {
			STATE.set(this, s & ~PENDING); // no other thread can reach it
		}
		else {
			clearState(PENDING);
		}
	}

	/** Whether no other thread can reach the node: see {@link #EXECUTED}. */
	final boolean executed() {
		return (this.state & EXECUTED) != 0;
	}

	/** A worker starts running the item ({@code worker}), or ends its run (null). L (the worker's pool lock) */
	final void runBy(Worker worker) {
		if ((this.state & EXECUTED) != 0) {
			CURRENT.set(this, worker); // no other thread can reach it
		}
		else {
			this.current = worker;
		}
	}

	/**
	 * The item's node is about to be handed to code that may pass it to other threads: from now on it is written
	 * as any other item's. On the thread running it, or holding its pool's lock.
	 */
	final void escape() {
		if ((this.state & EXECUTED) != 0) {
			STATE.getAndBitwiseAnd(this, ~EXECUTED);
		}
	}

	final void clearState(int bits) {
		for (;;) {
			int s = this.state;
			if ((s & bits) == 0 || STATE.compareAndSet(this, s, s & ~bits)) {
				return;
			}
		}
	}

	/** One queueing on {@code system} has been answered by a finished run or a cancellation. */
	final void resolve(WorkqueueSystem system) {
		if ((this.state & EXECUTED) != 0) { // no other thread can reach it: none waits for it
			resolveExecuted();
			system.resolved.increment();
			return;
		}
		RESOLVED.getAndAdd(this, 1);
		system.resolved.increment();
		Waiters waiting = this.waiters;
		if (waiting != null && waiting.count > 0) {
			synchronized (waiting) {
				waiting.notifyAll();
			}
		}
	}

	/**
	 * {@link #resolve} of a node no other thread can reach ({@link #EXECUTED}), but for the system's count, which the
	 * caller adds for several such items at once ({@code Worker.finishedBatch}).
	 */
	final void resolveExecuted() {
		assert (this.state & EXECUTED) != 0;
		RESOLVED.set(this, this.resolved + 1);
	}

	/** Takes the pending instance over to queue it again ({@code mod_delayed_work}). */
	final int stealForRequeue() {
		return steal(STEAL_REQUEUE);
	}

	/**
	 * Takes the pending instance away from wherever it waits: the delay timer or a pool's lists (the kernel's
	 * {@code try_to_grab_pending}). When this returns 1 the PENDING bit stays set and belongs to the caller.
	 * With {@link #STEAL_SYNC} the caller also holds CANCELING (and PENDING, even if the item was idle) to keep
	 * queuers out until it clears them.
	 * The caller resolves what it took: it answers it (cancel) or moves it ({@code modDelayed}).
	 * @return 1 if a pending instance was taken, 0 if there was none, -1 if a synchronous cancel or an inline run is
	 * under way (only for {@link #STEAL_CANCEL} and {@link #STEAL_REQUEUE}, which do not wait for it)
	 */
	private int steal(int mode) {
		for (;;) {
			int s = this.state;
			if ((s & (CANCELING | INLINE)) != 0) {
				if (mode != STEAL_SYNC) {
					return -1;
				}
				Thread.yield(); // another cancelSync owns the item, or it runs inline; wait for it to finish
				continue;
			}
			if ((s & PENDING) == 0) {
				if (mode != STEAL_SYNC) {
					return 0;
				}
				if (STATE.compareAndSet(this, s, PENDING | CANCELING)) {
					return 0;
				}
				continue;
			}
			if (tryStealFromTimer() || tryUnlink()) {
				if (mode != STEAL_REQUEUE) {
					freeSlot(); // a requeue keeps it (DefaultWorkqueue.modDelayed)
				}
				if (mode == STEAL_SYNC) {
					STATE.getAndBitwiseOr(this, CANCELING);
				}
				return 1;
			}
			// Pending but in transit between the timer and a pool, or just claimed: retry (the kernel's -EAGAIN).
			Thread.yield();
		}
	}

	/** modDelayed took the pending instance over to arm it again: its request moves, unanswered. P */
	final void moved() {
		assert repay() : this + " moved with no request open";
		resolve(this.queuedOn.system);
	}

	// --- answers: the one place where a request ends --------------------------------------------------------------

	/**
	 * Answers one request of this item (see the class comment): counts the ending on {@code wq}, tells the failure
	 * handler ({@link Outcome#FAILED} only) and the listeners, then calls {@link #done}. Its owner calls it exactly
	 * once per request, holding no pool lock, before the request is resolved.
	 * @param executionNanos how long it ran (for listeners), or 0
	 */
	final void answer(DefaultWorkqueue wq, Outcome outcome, Throwable failure, long executionNanos) {
		answer(wq, outcome, failure, executionNanos, null);
	}

	/**
	 * {@link #answer(DefaultWorkqueue, Outcome, Throwable, long)}, counting a {@link Outcome#COMPLETED} run in
	 * {@code counts} (the running worker's cell of {@code wq}'s counters) if not null.
	 */
	private void answer(DefaultWorkqueue wq, Outcome outcome, Throwable failure, long executionNanos,
			WorkqueueCounters.Cell counts) {
		WorkqueueSystem system = wq.system;
		assert repay() : this + " answered more often than it was queued (" + outcome + ")";
		assert system.holdsNoPoolLock() : this + " answered under a pool lock";
		switch (outcome) {
			case COMPLETED -> {
				if (counts != null) {
					counts.countCompleted();
				}
				else {
					wq.stats.completed.increment();
				}
			}
			case FAILED, FAILED_HANDLED -> wq.stats.failed.increment();
			case CANCELLED, ABANDONED -> wq.stats.cancelled.increment();
		}
		if (outcome == Outcome.FAILED) {
			escape(); // the failure handler may hand it to other threads
			system.reportFailure(wq, this, failure);
		}
		if (outcome != Outcome.ABANDONED && !system.isRunning()) {
			wq.shutdownTally.ended(outcome); // ABANDONED is counted by abandon(), which knows whether it was delayed
		}
		if (outcome.ran()) {
			system.listeners.finished(wq, executionNanos, failure);
		}
		else {
			system.listeners.cancelled(wq);
		}
		try {
			done(outcome, failure);
		}
		catch (Throwable ex) {
			WorkqueueSystem.LOG.error("Work item {} of workqueue '{}': done({}) threw", this, wq.name(), outcome, ex);
		}
	}

	/**
	 * Runs the task; returns what it threw, or null. The caller marks the thread as running this item (a worker's
	 * {@code inItem}, or the inline context), so that {@link #currentWork()} finds it.
	 */
	final Throwable runTask() {
		this.handledFailure = null;
		try {
			this.task.run();
			return null;
		}
		catch (Throwable ex) {
			return ex;
		}
	}

	/**
	 * Answers the run that {@link #runTask()} just made, on the thread that made it; a worker passes its cell of
	 * {@code wq}'s counters ({@code Worker.runItem}), an inline run null.
	 */
	final void answerRun(DefaultWorkqueue wq, Throwable thrown, long executionNanos, WorkqueueCounters.Cell counts) {
		Throwable handled = this.handledFailure;
		this.handledFailure = null;
		if (thrown != null) {
			answer(wq, Outcome.FAILED, thrown, executionNanos, counts);
		}
		else {
			answer(wq, (handled != null) ? Outcome.FAILED_HANDLED : Outcome.COMPLETED, handled, executionNanos,
					counts);
		}
	}

	/**
	 * The system shut down before the pending instance started: answers it {@link Outcome#ABANDONED}, resolves it
	 * and releases PENDING. The caller owns the request: it took the item out of its timer or a pool's lists, or
	 * could not hand it to one. No pool lock held.
	 * @param delayed whether it was still waiting for its timer
	 */
	final void abandon(DefaultWorkqueue wq, boolean delayed) {
		freeSlot();
		wq.shutdownTally.abandoned(delayed);
		if (wq.system.hasReported()) {
			WorkqueueSystem.LOG.warn("Workqueue '{}': item {} never started: the workqueue system is closed", wq.name(),
					this);
		}
		answer(wq, Outcome.ABANDONED, null, 0);
		resolve(wq.system);
		clearState(PENDING);
	}

	/**
	 * Runs the task on the calling thread as the run of a request of {@code wq} that the caller owns and has counted
	 * ({@link Workqueue#runInline}, or a view that runs items on the caller's thread), and answers it, as
	 * {@code Worker.runItem} does: counted as started, listeners told, {@link #currentWork()} set while the task
	 * runs, the caller's interrupt status put aside. The caller then resolves the request and releases its state bit.
	 */
	final void runHere(DefaultWorkqueue wq) {
		wq.stats.started.increment();
		wq.system.listeners.started(wq, 0);
		boolean interrupted = Thread.interrupted();
		long start = System.nanoTime();
		ThreadContext context = ThreadContext.get();
		Work outer = context.inline;
		context.inline = this;
		Throwable thrown;
		try {
			thrown = runTask();
		}
		finally {
			context.inline = outer;
		}
		Thread.interrupted(); // the item's interrupt does not leak to the caller
		answerRun(wq, thrown, System.nanoTime() - start, null);
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	/** Takes the INLINE bit of an idle item; false if it is pending, being cancelled, or running inline. */
	final boolean tryClaimInline() {
		return STATE.compareAndSet(this, 0, INLINE);
	}

	private boolean owe() {
		return addOwed(1) < 2;
	}

	private boolean repay() {
		return addOwed(-1) > 0;
	}

	/**
	 * Adds {@code delta} to {@link #owed} and returns its previous value. A CAS loop, not {@code getAndAdd}: on a
	 * byte field that returns wrong values for negative deltas on JDK 17 (17.0.15: -255 for 1 - 1).
	 */
	private int addOwed(int delta) {
		for (;;) {
			byte previous = this.owed;
			if (OWED.compareAndSet(this, previous, (byte) (previous + delta))) {
				return previous;
			}
		}
	}

	/** The pending instance ends (it starts, or is cancelled): gives back its capacity slot, if any. P */
	final void freeSlot() {
		DefaultWorkqueue wq = this.slot;
		if (wq != null) {
			this.slot = null;
			wq.slotFreed();
		}
	}

	// --- linkage: changed only under the lock of the pool the item is linked on ----------------------------------

	WorkerPool linkedPool() {
		return this.linkedPool;
	}

	/** L (or a racy read by tests) */
	Link link() {
		return LINKS[this.link];
	}

	/** L */
	Worker scheduledOn() {
		assert this.linkedPool.isLocked();
		return this.scheduledOn;
	}

	/**
	 * The queuer (the PENDING holder) hands the item to {@code pwq}'s pool: it takes the queue's current flush color
	 * and is linked to the pool, on no list yet, before it is pushed on the pool's incoming stack. From then on a
	 * canceller finds it there: the pool lock drains the stack onto the pool's lists.
	 */
	final void prepareIncoming(PoolWorkqueue pwq, long queuedAt) {
		this.pwq = pwq;
		this.color = (byte) pwq.wq.workColor;
		this.queuedAt = queuedAt;
		this.linkedPool = pwq.pool;
	}

	/** Links the item on one of {@code pool}'s lists. L */
	final void link(WorkerPool pool, Link where, Worker worker) {
		assert pool.isLocked() && (this.linkedPool == null || this.linkedPool == pool);
		if (this.linkedPool != pool) { // mostly it is linked already (handed over, or held back): no store, no fence
			this.linkedPool = pool;
		}
		this.link = (byte) where.ordinal();
		this.scheduledOn = worker;
	}

	/** Unlinks the item from {@code pool}: it starts, or is cancelled. L */
	final void unlink(WorkerPool pool) {
		assert pool.isLocked() && this.linkedPool == pool;
		if ((this.state & EXECUTED) != 0) {
			LINKED_POOL.set(this, null); // no other thread can reach it
		}
		else {
			this.linkedPool = null;
		}
		this.link = (byte) Link.NONE.ordinal();
		this.scheduledOn = null;
	}

	/** A worker of {@code pool} picked the item while its previous instance runs elsewhere: it waits. L */
	final void defer(WorkerPool pool) {
		link(pool, Link.DEFERRED, null);
		this.deferred = 1;
	}

	/** Whether the item is deferred, for the worker that ends the previous instance. */
	final boolean isDeferred() {
		return this.deferred != 0;
	}

	/** Takes the deferred item over; true for exactly one of the racing parties. */
	final boolean takeDeferred() {
		return DEFERRED.compareAndSet(this, (byte) 1, (byte) 0);
	}

	/** Overridden by {@link DelayedWork}: cancels a timer that has not fired. */
	boolean tryStealFromTimer() {
		return false;
	}

	private boolean tryUnlink() {
		WorkerPool pool = this.linkedPool;
		return pool != null && pool.unlinkPending(this);
	}

	/**
	 * Waits until {@code resolved} reaches {@code target}, a {@code queued} seen before (compared by their
	 * difference, as both wrap); the wait counts as blocking for concurrency management.
	 */
	final boolean awaitResolved(int target, long timeoutNanos) {
		if (this.resolved - target >= 0) {
			return false;
		}
		long deadline = System.nanoTime() + timeoutNanos;
		boolean interrupted = false;
		Waiters lock = waiters();
		try (Blocking.Section ignored = Blocking.begin()) {
			synchronized (lock) {
				lock.count++;
				try {
					while (this.resolved - target < 0) {
						long left = deadline - System.nanoTime();
						if (timeoutNanos != Long.MAX_VALUE && left <= 0) {
							break;
						}
						try {
							if (timeoutNanos == Long.MAX_VALUE) {
								lock.wait();
							}
							else {
								TimeUnit.NANOSECONDS.timedWait(lock, left);
							}
						}
						catch (InterruptedException ex) {
							interrupted = true; // like the kernel's flush_work, the wait is not interruptible
						}
					}
				}
				finally {
					lock.count--;
				}
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		return true;
	}

	private Waiters waiters() {
		Waiters lock = this.waiters;
		if (lock == null) {
			WAITERS.compareAndSet(this, null, new Waiters());
			lock = this.waiters;
		}
		return lock;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.task + "]";
	}

	/** The monitor threads waiting for an item's requests wait on, and how many wait. */
	private static final class Waiters {

		/** Threads in {@link #awaitResolved}: changed under this monitor, read without it by resolvers. */
		volatile int count;

	}

	/** Which list of its pool a pending item is linked on (stored as its ordinal). */
	enum Link {

		/** Not linked: idle, running, in a timer, or in transit (possibly on its pool's incoming stack). */
		NONE,
		/** On the pool's worklist, activated. */
		WORKLIST,
		/** On its pool-workqueue's held-back list. */
		INACTIVE,
		/** On a worker's scheduled list: collided with its running instance, or taken by a rescuer. */
		SCHEDULED,
		/** Activated, waiting for its previous instance on another pool to end. */
		DEFERRED

	}

}
