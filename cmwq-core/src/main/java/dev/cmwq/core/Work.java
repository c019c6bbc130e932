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
 * <p>Every successful queue is answered by exactly one run or one cancellation: {@code queued} counts the former,
 * {@code resolved} the latter, and {@link #flush()} waits for {@code resolved} to reach the {@code queued} it saw.
 */
public class Work {

	static final int PENDING = 1;

	static final int CANCELING = 2;

	private static final int STEAL_CANCEL = 0;

	private static final int STEAL_SYNC = 1;

	private static final int STEAL_REQUEUE = 2;

	private static final VarHandle STATE;

	private static final VarHandle RESOLVED;

	private static final VarHandle WAIT_LOCK;

	private static final VarHandle DEFERRED;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			STATE = lookup.findVarHandle(Work.class, "state", int.class);
			RESOLVED = lookup.findVarHandle(Work.class, "resolved", long.class);
			WAIT_LOCK = lookup.findVarHandle(Work.class, "waitLock", Object.class);
			DEFERRED = lookup.findVarHandle(Work.class, "deferred", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Runnable task; // I

	/** C: the PENDING and CANCELING bits. */
	private volatile int state;

	/** Pool whose lists hold this item, or null while not linked on one. V: written under that pool's lock. */
	private volatile WorkerPool linkedPool;

	/** Where in {@link #linkedPool} the item is linked. L (linkedPool's lock) */
	private Link link = Link.NONE;

	/** The worker whose scheduled list holds the item while {@code link == SCHEDULED}. L (linkedPool's lock) */
	private Worker scheduledOn;

	/**
	 * 1 while the item is {@link Link#DEFERRED}: picked by a worker of one pool while its previous instance still
	 * runs on another pool. Whoever clears it with a CAS (that worker, the one running the previous instance as it
	 * ends, or a canceller) owns the item's next step. CAS.
	 */
	private volatile int deferred;

	/**
	 * The pool-workqueue the pending instance belongs to. P while the queuer hands the item to the pool
	 * ({@link #prepareIncoming}), then L (linkedPool's lock).
	 */
	PoolWorkqueue pwq;

	/** Flush color of the pending instance. P, then L: see {@link #pwq}. */
	int color;

	/** System.nanoTime() when the pending instance was queued, or 0 (only listeners are told). P: see {@link #pwq}. */
	long queuedAt;

	/** The next item in its pool's incoming stack. P (written by the queuer before it pushes), then L. */
	Work nextIncoming;

	/** Items in the incoming stack from this one down, when it was pushed. P; read by later queuers as a hint. */
	int incomingDepth;

	/** The worker running this item, or null. V, written under that worker's pool lock. */
	volatile Worker current;

	/** The queue of the latest successful queueing. P, V. */
	volatile DefaultWorkqueue queuedOn;

	/** The queue whose capacity slot the pending instance holds, or null (an unbounded queue). P */
	DefaultWorkqueue slot;

	/** Successful queueings so far. P, V. */
	private volatile long queued;

	/** Runs finished plus pending instances cancelled so far. C. */
	private volatile long resolved;

	/** Threads in {@link #awaitResolved}; guarded by {@link #waitLock} (V for the resolver's check). */
	private volatile int waiters;

	/** The leaf monitor waiters wait on; made by the first waiter (most items never have one). C. */
	private volatile Object waitLock;

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
		return this.current != null;
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
	 * @return true if the item was pending
	 */
	public boolean cancel() {
		if (steal(STEAL_CANCEL) > 0) {
			DefaultWorkqueue wq = this.queuedOn; // read while we own PENDING: a new queueing may change it after
			clearState(PENDING);
			countCancelled(wq);
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
	public boolean cancelSync() {
		FlushDependency.checkWork(this, "Work.cancelSync()", false);
		boolean wasPending = steal(STEAL_SYNC) > 0;
		DefaultWorkqueue wq = this.queuedOn; // read while we own PENDING and CANCELING
		try {
			awaitResolved(this.queued, Long.MAX_VALUE);
		}
		finally {
			clearState(PENDING | CANCELING);
		}
		if (wasPending) {
			countCancelled(wq);
		}
		return wasPending;
	}

	// --- engine internals -------------------------------------------------------------------------------------

	/** Takes the PENDING bit for a queueing; false if pending or being cancelled. */
	final boolean tryClaim() {
		return STATE.compareAndSet(this, 0, PENDING);
	}

	/** Called by the PENDING holder once the claim is committed to {@code wq} (its timer or a pool). */
	final void countQueued(DefaultWorkqueue wq) {
		this.queued = this.queued + 1;
		this.queuedOn = wq;
		wq.system.accepted.increment();
	}

	/** A worker starts the pending instance: clears PENDING (we hold the pool lock it is linked under). */
	final void startedByWorker() {
		clearState(PENDING);
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
		RESOLVED.getAndAdd(this, 1L);
		system.resolved.increment();
		if (this.waiters > 0) {
			Object lock = this.waitLock;
			synchronized (lock) {
				lock.notifyAll();
			}
		}
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
	 * @return 1 if a pending instance was taken, 0 if there was none, -1 if a synchronous cancel is under way
	 * (only for {@link #STEAL_CANCEL} and {@link #STEAL_REQUEUE}, which do not wait for it)
	 */
	private int steal(int mode) {
		for (;;) {
			int s = this.state;
			if ((s & CANCELING) != 0) {
				if (mode != STEAL_SYNC) {
					return -1;
				}
				Thread.yield(); // another cancelSync owns the item; wait for it to finish
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

	private static void countCancelled(DefaultWorkqueue wq) {
		wq.stats.cancelled.increment();
		wq.system.listeners.cancelled(wq);
	}

	/**
	 * Cancels an accepted item that no pool or timer holds (any more) because the system terminated: counts it
	 * cancelled on {@code wq}, answers the queueing and releases PENDING. The caller owns PENDING: it is the queuer,
	 * or unlinked the item from a pool.
	 * @param log whether to log it (else the caller reports a count)
	 */
	final void cancelUnlinked(DefaultWorkqueue wq, boolean log) {
		if (log) {
			WorkqueueSystem.LOG.warn("Workqueue '{}': item {} cancelled: the workqueue system has terminated",
					wq.name(), this.task);
		}
		freeSlot();
		countCancelled(wq);
		resolve(wq.system);
		clearState(PENDING);
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
		return this.link;
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
		this.color = pwq.wq.workColor;
		this.queuedAt = queuedAt;
		this.linkedPool = pwq.pool;
	}

	/** Links the item on one of {@code pool}'s lists. L */
	final void link(WorkerPool pool, Link where, Worker worker) {
		assert pool.isLocked() && (this.linkedPool == null || this.linkedPool == pool);
		this.linkedPool = pool;
		this.link = where;
		this.scheduledOn = worker;
	}

	/** Unlinks the item from {@code pool}: it starts, or is cancelled. L */
	final void unlink(WorkerPool pool) {
		assert pool.isLocked() && this.linkedPool == pool;
		this.linkedPool = null;
		this.link = Link.NONE;
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
		return DEFERRED.compareAndSet(this, 1, 0);
	}

	/** Overridden by {@link DelayedWork}: cancels a timer that has not fired. */
	boolean tryStealFromTimer() {
		return false;
	}

	private boolean tryUnlink() {
		WorkerPool pool = this.linkedPool;
		if (pool == null) {
			return false;
		}
		if (pool.unlinkPending(this)) {
			resolve(pool.system);
			return true;
		}
		return false;
	}

	/** Waits until {@code resolved >= target}; the wait counts as blocking for concurrency management. */
	final boolean awaitResolved(long target, long timeoutNanos) {
		if (this.resolved >= target) {
			return false;
		}
		long deadline = System.nanoTime() + timeoutNanos;
		boolean interrupted = false;
		Object lock = waitLock();
		try (Blocking.Section ignored = Blocking.begin()) {
			synchronized (lock) {
				this.waiters++;
				try {
					while (this.resolved < target) {
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
					this.waiters--;
				}
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
		return true;
	}

	private Object waitLock() {
		Object lock = this.waitLock;
		if (lock == null) {
			WAIT_LOCK.compareAndSet(this, null, new Object());
			lock = this.waitLock;
		}
		return lock;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[" + this.task + "]";
	}

	/** Which list of its pool a pending item is linked on. */
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
