package dev.cmwq.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool of worker threads shared by every workqueue that uses it (the kernel's {@code worker_pool}): per logical
 * CPU a normal and a highpri pool, plus an unbound normal and highpri pool. See {@code package-info.java} for the
 * design and the legend of field tags.
 *
 * <h2>Concurrency management</h2>
 * A bound pool whose CPU is online is <em>associated</em> and concurrency managed: it starts an item only while
 * none of its workers counts as running ({@link #nrRunning} is 0). A worker stops counting while it is blocked
 * (found by the {@link BlockDetector} or announced through {@link Blocking}) or runs a CPU-intensive item, and
 * the pool then kicks another worker if items are pending. Unbound pools, and bound pools whose CPU is offline
 * (their workers are <em>rogue</em>), start items as soon as a worker can take them.
 *
 * <h2>Gaining work, and waking up</h2>
 * Every item that becomes runnable goes through {@link #addToWorklist}, whatever made it runnable (queueing,
 * activating a held-back item when an item ends, {@code setMaxActive}, thaw, a deferred item whose other instance
 * ended); {@link #associate()} is the one other way a pool's pending items become managed again. Both note it in
 * {@link #gainedWork} and kick a worker if one is needed; kicked workers are collected in {@link #toWake}. Nothing
 * is woken under the lock: {@link #unlock()} releases it, then wakes the kicked workers, makes the block detector
 * watch if a worker of the managed pool counts as running while items are pending (a block of it would hold them
 * back; until a worker runs, the kicked one starts them), and arms the watchdog if the pool gained work. So every
 * path that adds work ends in the same place, and the pool lock must only ever be released through {@link
 * #unlock()}.
 *
 * <h2>Handing items over without the lock</h2>
 * A queuer pushes its item on the lock-free {@link #incoming} stack, and takes the lock only if no worker would
 * otherwise look at it: while the pool is concurrency managed and one of its workers counts as running or is waking
 * up, that worker takes the lock before it starts or ends anything, and {@link #lock()} drains the stack onto the
 * pool's lists, oldest first, before anything else. So every lock holder sees every item queued before it, and a
 * producer that feeds a busy pool pays one CAS per item instead of a lock round trip shared with the workers. The
 * Dekker pair that keeps an item from being left there: a queuer pushes, then reads whether a worker is active
 * ({@link #workerWillTakeIt}); whoever makes the pool stop having one does so under the lock and, after
 * {@link #unlock()}, reads the stack. One of the two sees the other.
 *
 * <h2>Workers</h2>
 * A worker is IDLE (on {@link #idle}, parked), WAKING (kicked, or created, or napping ({@link #napper}), and about to
 * look for work: counted in {@link #nrWaking}), BUSY (in its work loop) or DEAD. Kicking takes an idle worker off
 * the idle list under the lock, so an idle worker that times out and decides to exit (also under the lock) can never
 * be the one an item was handed to: no item is lost to an exiting worker (the race of the lazy-workqueue patches).
 */
final class WorkerPool {

	enum Kind {

		NORMAL("normal"), HIGHPRI("highpri"), UNBOUND("unbound");

		final String label;

		Kind(String label) {
			this.label = label;
		}

	}

	final WorkqueueSystem system; // I

	final int index; // I: position in system.pools, and in every workqueue's pwq array

	final int cpu; // I: -1 for unbound pools

	final boolean highpri; // I

	final String id; // I

	/**
	 * Items queued to the pool and not finished beyond which queuers take the lock for each item, as workers do:
	 * without it, producers that outrun the workers would grow the backlog as fast as a CAS allows.
	 */
	private static final int BACKLOG_LIMIT = 1 << 16;

	/** Retries of a contended pool lock before parking; see {@link #lock()}. */
	private static final int LOCK_SPINS = 64;

	/** Least time between two idle workers let go by the idle timer. */
	private static final long IDLE_REAP_STEP_NANOS = 1_000_000;

	private final ReentrantLock lock = new ReentrantLock();

	private static final VarHandle INCOMING;

	private static final VarHandle NR_QUEUED;

	private static final VarHandle PROGRESS;

	private static final VarHandle LAST_START;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			INCOMING = lookup.findVarHandle(WorkerPool.class, "incoming", Incoming.class);
			NR_QUEUED = lookup.findVarHandle(WorkerPool.class, "nrQueued", int.class);
			PROGRESS = lookup.findVarHandle(WorkerPool.class, "progress", long.class);
			LAST_START = lookup.findVarHandle(WorkerPool.class, "lastStart", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/**
	 * Items queued here and not yet on a list, newest first (linked through {@link Incoming#nextIncoming}): a
	 * {@link Work}, or an {@link ExecutedTask}. C
	 */
	private volatile Incoming incoming;

	/**
	 * Items taken off {@link #incoming} and counted in flight, but not placed on a list: placing the first of them
	 * failed (out of memory; a failed placing changes nothing), oldest first, linked through
	 * {@link Incoming#nextIncoming}. The next lock holder places them before what was pushed since; null otherwise.
	 * L, V (read by {@link #hasPending} without the lock)
	 */
	private volatile Incoming unlinked;

	/**
	 * Failures to link or activate items (out of memory) since either last succeeded, for the log: the first is
	 * logged, and the next success. L
	 */
	private int allocationFailures;

	/** Activated items waiting for a worker, oldest first. L */
	private final Ring<Work> worklist = new Ring<>(16);

	/** Idle workers, most recently idle first. L */
	private final ArrayDeque<Worker> idle = new ArrayDeque<>();

	/** Whether the idle timer is armed ({@link #idleTimeout}). L */
	private boolean idleTimerArmed;

	/** All live workers. L; {@link #workerArray} is its copy for lock-free readers. */
	private final List<Worker> workers = new ArrayList<>();

	/** V: copy of {@link #workers}, replaced on every change. */
	volatile Worker[] workerArray = new Worker[0];

	/** Workers kicked under the lock, to be woken by {@link #unlock()}. L */
	private final ArrayList<Worker> toWake = new ArrayList<>(2);

	/** Whether runnable work was added since the lock was taken; acted on by {@link #unlock()}. L */
	private boolean gainedWork;

	/** Items to answer as abandoned once the lock is released (termination only). L */
	private final List<Abandoned> toAbandon = new ArrayList<>(0);

	/**
	 * Rescuers attached to the pool while they run its items (the kernel attaches them to the pool), so that
	 * termination finds their scheduled lists. L
	 */
	private final List<Worker> rescuers = new ArrayList<>(0);

	/** Workers counted as running. L (changed only by {@link #recount}); V for {@link #workerWillTakeIt}. */
	private volatile int nrRunning;

	/** Items queued to the pool and not finished. L, R (for {@link #load()} and the backlog check). */
	private volatile int nrQueued;

	/** Workers kicked or created and not yet in their work loop. L; V for {@link #workerWillTakeIt}. */
	private volatile int nrWaking;

	/**
	 * A worker that ran dry and naps ({@link Worker#nap}), counted as waking meanwhile: queuers push without the lock
	 * and kick no one; it looks for work when the nap ends, or at once when a kick needs a worker. At most one. L
	 */
	private Worker napper;

	/** Whether the pool's CPU is online (bound pools); unbound pools are never associated. L, V */
	volatile boolean associated;

	/**
	 * Test hook (null in production): run by a worker that woke up, under the lock, just before it looks for work
	 * ({@link #mayStartWorking}).
	 */
	volatile Runnable beforeLookingForWork;

	/** Test hook (null in production): run by a worker that starts a nap, without the lock, before it parks. */
	volatile Runnable beforeNap;

	/**
	 * Test hook (null in production): run by an idle worker just after it released the lock on its way to parking
	 * ({@link Worker#waitForWork}), where that unlock may wait for other pools' locks.
	 */
	volatile Runnable afterIdleUnlock;

	/**
	 * Test hook (null in production): run by a queuer after its item took its flush color, just before it is pushed
	 * on the incoming stack ({@link #push}).
	 */
	volatile Runnable beforePush;

	/**
	 * Test hook (null in production): run under the lock where linking an item or activating a held-back one
	 * allocates ({@link #mayFailToAllocate}); what it throws stands for an {@code OutOfMemoryError} there. A plain
	 * field, read on every item's path: as volatile it cost 8 % on the tiny-task harness. A test sets it before it
	 * releases what makes a worker link (a volatile write the worker reads), so the worker sees it; the model-based
	 * test's faults may be seen late, which changes nothing it checks. L
	 */
	Runnable allocationFault;

	/**
	 * V: items on the worklist or in workers' batches ({@link #nrBatched}) when the lock was last released: written
	 * only by {@link #publishPending}, read only without the lock.
	 */
	volatile int nrPending;

	/**
	 * Items taken off the worklist into the batches of workers ({@code Worker.takeBatch}) whose runs have not ended:
	 * they count as pending, so that the detector watches a worker whose batch holds items back. L
	 */
	private int nrBatched;

	/** Workers whose {@link Worker#expecting} is set. L, V (changed only by {@link #expectingChanged}) */
	volatile int nrExpecting;

	private int nextWorkerId; // L

	/** Whether a mayday timer is armed. L */
	private boolean maydayArmed;

	/**
	 * Item starts and times the worklist became non-empty, counted: the watchdog's sign of progress (a count, not a
	 * time, so that an item of a batch starts without a clock read). R, changed only by {@link #progressed}: under
	 * L, or by a worker starting an item of its batch; two such workers may lose one's increment, which changes the
	 * count all the same, and changing is all the watchdog looks for.
	 */
	volatile long progress;

	/**
	 * When a worker last started an item taken with the lock (an item of a batch reads no clock): of two pools
	 * equally loaded, the one whose item started first is likely the first to be free ({@link #freeBefore}). R,
	 * written by {@link #started}.
	 */
	private long lastStart;

	/**
	 * Whether this pool is likely free before {@code other}, as loaded: a worker runs an item here, and it started
	 * before the one running there, if any. A pool where no worker counts as running has its items wait for a worker
	 * that is waking, or for one that blocked. Read without locks, a hint.
	 */
	boolean freeBefore(WorkerPool other) {
		if (this.nrRunning == 0) {
			return false;
		}
		return other.nrRunning == 0 || (long) LAST_START.getOpaque(this) - (long) LAST_START.getOpaque(other) < 0;
	}

	/** A worker starts an item it took with the lock, at {@code now}. L */
	void started(long now) {
		assert isLocked();
		LAST_START.setRelease(this, now);
	}

	/** Whether the watchdog reports the pool as stalled. T (the timer thread's watchdog check) */
	volatile boolean stalled;

	/** Times the watchdog reported the pool as stalled. T */
	volatile long stalls;

	/** Concurrency-management wake-ups: a worker blocked and another was kicked. L */
	private long cmWakeups;

	/** Worker threads that could not be started (see {@link #startThread}) over the pool's life. L */
	private long failedStarts;

	/** Failed starts since the last worker thread that did start: an episode, logged once as it begins and ends. L */
	private int episodeFailedStarts;

	WorkerPool(WorkqueueSystem system, int index, int cpu, boolean highpri) {
		this.system = system;
		this.index = index;
		this.cpu = cpu;
		this.highpri = highpri;
		this.associated = cpu >= 0;
		this.id = (cpu >= 0 ? "cpu" + cpu : "unbound") + (highpri ? "-highpri" : "");
	}

	/**
	 * How busy the pool is, for choosing a CPU: the items queued to it and not finished (on the incoming stack, the
	 * worklist, held back by a queue's max-active, or running). Read without the lock, so only a hint.
	 */
	int load() {
		return this.nrQueued + incomingDepth();
	}

	/**
	 * An item starts, or the worklist becomes non-empty: counted in {@link #progress}. L, or a worker starting an
	 * item of its batch without it.
	 */
	void progressed() {
		PROGRESS.setRelease(this, this.progress + 1);
	}

	/** Items were queued to the pool's pool-workqueues. L */
	void itemsQueued(int n) {
		assert isLocked();
		NR_QUEUED.setRelease(this, this.nrQueued + n);
	}

	/** Items queued here finished or were cancelled. L */
	void itemsAnswered(int n) {
		assert isLocked() && this.nrQueued >= n;
		NR_QUEUED.setRelease(this, this.nrQueued - n);
	}

	Kind kind() {
		return this.cpu < 0 ? Kind.UNBOUND : (this.highpri ? Kind.HIGHPRI : Kind.NORMAL);
	}

	// --- the lock ----------------------------------------------------------------------------------------------

	/**
	 * Takes the pool lock, then links what queuers pushed on the incoming stack. Its critical sections are short
	 * (no user code runs under it), so a contended lock is first retried for a moment: parking and unparking the
	 * waiter costs far more than the wait itself.
	 */
	void lock() {
		ReentrantLock lock = this.lock;
		assert !lock.isHeldByCurrentThread();
		for (int spins = LOCK_SPINS; spins > 0; spins--) {
			if (lock.tryLock()) {
				drainIncoming();
				return;
			}
			Thread.onSpinWait();
		}
		lock.lock();
		drainIncoming();
	}

	boolean isLocked() {
		return this.lock.isHeldByCurrentThread();
	}

	/**
	 * Releases the lock, then wakes the workers kicked meanwhile and, if the pool gained runnable work, makes sure
	 * concurrency management can act on it. The only way the pool lock is released.
	 */
	void unlock() {
		unlock(false);
	}

	/**
	 * {@link #unlock()}; with {@code threadsOnTimer}, new worker threads are started by the timer thread rather than
	 * the caller (the block detector, which must not stall its scan for a thread start).
	 */
	void unlock(boolean threadsOnTimer) {
		do {
			release(threadsOnTimer);
		}
		while (this.incoming != null && !workerWillTakeIt() && this.lock.tryLock() && drainIncoming());
	}

	/**
	 * Releases the lock and does what the holder left to do without it. If items were pushed meanwhile and no worker
	 * will take them, {@link #unlock(boolean)} takes the lock again (if it cannot, the holder will look).
	 */
	private void release(boolean threadsOnTimer) {
		assert isLocked();
		Worker one = null;
		Worker[] more = null;
		int n = this.toWake.size();
		if (n == 1) {
			one = this.toWake.get(0);
		}
		else if (n > 1) {
			more = this.toWake.toArray(new Worker[0]);
		}
		if (n > 0) {
			this.toWake.clear();
		}
		boolean gained = this.gainedWork;
		if (gained) {
			this.gainedWork = false;
		}
		publishPending(); // before the Dekker reads after the unlock: detector.watch() (parked), watchdog.arm() (armed)
		boolean watch = runningWithPending();
		Abandoned[] abandoned = null;
		if (!this.toAbandon.isEmpty()) {
			abandoned = this.toAbandon.toArray(new Abandoned[0]);
			this.toAbandon.clear();
		}
		this.lock.unlock();
		if (abandoned != null) {
			for (Abandoned a : abandoned) {
				a.work.abandon(a.wq, false);
			}
		}
		if (one != null) {
			wake(one, threadsOnTimer);
		}
		else if (more != null) {
			for (Worker worker : more) {
				wake(worker, threadsOnTimer);
			}
		}
		if (watch) {
			this.system.detector.watch();
		}
		if (gained) {
			this.system.watchdog.arm();
		}
	}

	// --- queueing ----------------------------------------------------------------------------------------------

	/**
	 * Hands a claimed item to {@code pwq}'s pool: pushes it on the incoming stack, and takes the lock (which links
	 * it) unless a worker of the pool will. See "Handing items over without the lock" above.
	 */
	void enqueue(Work work, PoolWorkqueue pwq) {
		assert pwq.pool == this;
		work.prepareIncoming(pwq, this.system.listeners.any() ? System.nanoTime() : 0);
		push(work);
	}

	/** Hands an item of {@code execute(Runnable)} to its pool-workqueue's pool, as {@link #enqueue(Work, PoolWorkqueue)}. */
	void enqueue(ExecutedTask task) {
		assert task.pwq.pool == this;
		push(task);
	}

	private void push(Incoming item) {
		Runnable hook = this.beforePush;
		if (hook != null) {
			hook.run();
		}
		Incoming head;
		int depth;
		do {
			head = this.incoming;
			depth = (head != null) ? head.incomingDepth + 1 : 1;
			item.nextIncoming = head;
			item.incomingDepth = depth;
		}
		while (!INCOMING.compareAndSet(this, head, item));
		boolean backlog = depth + this.nrQueued >= BACKLOG_LIMIT;
		// once terminated, the queuer links (so abandons) the item itself: a running worker may never take the lock
		// again. Termination sets the state, then takes every pool lock: one of the two sees the other's write.
		boolean terminated = this.system.isTerminated();
		if (!backlog && !terminated && workerWillTakeIt()) {
			if (head == null) { // the pool has pending items now: as addToWorklist's gainedWork, without the lock
				if (this.nrRunning > 0) { // else the waking worker makes the detector watch as it starts an item
					this.system.detector.watch();
				}
				this.system.watchdog.arm();
			}
			return;
		}
		if (backlog || terminated) {
			lock(); // a backlog: queuers wait their turn for the lock, as workers do, rather than outrun them
			unlock();
		}
		else if (this.lock.tryLock()) { // else the holder will look at the stack as it unlocks
			drainIncoming();
			unlock();
		}
	}

	/**
	 * Whether a worker of this concurrency-managed pool counts as running or is waking up: it takes the lock before
	 * it starts anything else, so items pushed now will be seen. V
	 */
	private boolean workerWillTakeIt() {
		return this.associated && (this.nrRunning > 0 || this.nrWaking > 0);
	}

	/** Items on the incoming stack, not yet linked (a racy read: a hint). */
	int incomingDepth() {
		Incoming head = this.incoming;
		return (head != null) ? head.incomingDepth : 0;
	}

	/** Whether items wait in {@link #unlinked}, after an allocation failure: they go first. L */
	boolean hasUnlinked() {
		assert isLocked();
		return this.unlinked != null;
	}

	/** Whether items wait here: on the worklist, or pushed and not yet linked. V */
	boolean hasPending() {
		return this.nrPending > 0 || this.incoming != null || this.unlinked != null;
	}

	/**
	 * The pool's internal state, for a test's diagnosis of a stall: read without the lock (a stalled pool may never
	 * give it up), so only a hint.
	 */
	String internals() {
		return this.id + ": maydayArmed=" + this.maydayArmed + " unlinked=" + (this.unlinked != null) + " worklist="
				+ this.worklist.size() + " nrWaking=" + this.nrWaking + " nrRunning=" + this.nrRunning + " workers="
				+ this.workers.size() + " idle=" + this.idle.size();
	}

	/** Where linking or activating an item allocates: runs the test hook {@link #allocationFault}. L */
	void mayFailToAllocate() {
		Runnable hook = this.allocationFault;
		if (hook != null) {
			hook.run();
		}
	}

	/**
	 * Links the items pushed on the incoming stack, oldest first: each is counted in flight on its pool-workqueue
	 * (for flushes), then placed onto the worklist where the queue's limit allows, else onto its held-back list;
	 * abandoned instead once the system has terminated. Never throws: placing an item allocates (its {@link Work}
	 * node, a list that grows), and where that fails (out of memory) the item and those after it are counted all the
	 * same and wait in {@link #unlinked}, in order, for the next lock holder, who places them before anything pushed
	 * since; the mayday timer takes the lock again if nobody else does. L
	 * @return true (for use in a condition)
	 */
	private boolean drainIncoming() {
		assert isLocked();
		Incoming waiting = this.unlinked;
		if (this.incoming == null && waiting == null) {
			return true;
		}
		if (waiting != null) { // after a failure (rare): counted already
			this.unlinked = null;
			placeCounted(waiting);
		}
		Incoming newest = (Incoming) INCOMING.getAndSet(this, null);
		// The whole stack goes into the load at once, not item by item as it is placed: a queuer choosing a CPU
		// meanwhile ({@link #load}) would see this pool short of it (a backlog queued from one thread went lopsided,
		// 1,150 items against 850, and the pool with more ended 300 ms later).
		int depth = (newest != null) ? newest.incomingDepth : 0;
		if (depth > 0) {
			itemsQueued(depth);
		}
		Incoming oldest = null;
		int n = 0;
		while (newest != null) { // reverse: the stack is newest first
			Incoming next = newest.nextIncoming;
			newest.nextIncoming = oldest;
			oldest = newest;
			newest = next;
			n++;
		}
		assert n == depth : "incoming stack of " + this.id + " held " + n + " items, its depth said " + depth;
		while (oldest != null) {
			Incoming item = oldest;
			oldest = item.nextIncoming;
			item.nextIncoming = null;
			count(item);
			if (this.unlinked != null || !place(item)) { // behind items that could not be placed, or cannot be itself
				waitUnlinked(item, oldest);
				break;
			}
		}
		if (this.unlinked == null) {
			allocationSucceeded();
		}
		return true;
	}

	/** Places counted items, oldest first, until one cannot be placed: it waits in {@link #unlinked} with the rest. L */
	private void placeCounted(Incoming oldest) {
		while (oldest != null) {
			Incoming item = oldest;
			oldest = item.nextIncoming;
			item.nextIncoming = null;
			if (!place(item)) {
				item.nextIncoming = oldest;
				this.unlinked = item;
				return;
			}
		}
	}

	/**
	 * Places a counted item (abandons it once the system has terminated); where that fails (out of memory) it
	 * changes nothing, and the caller keeps the item in {@link #unlinked}. L
	 * @return false if it failed
	 */
	private boolean place(Incoming item) {
		try {
			if (this.system.isTerminated()) {
				abandonCounted(item);
			}
			else if (item instanceof ExecutedTask task) {
				task.pwq.placeTask(task.task, task.color, task.slotted, task.queuedAt);
			}
			else {
				Work work = (Work) item;
				PoolWorkqueue pwq = work.pwq;
				if (pwq.mayActivateNew()) {
					addToWorklist(work);
					pwq.activate();
				}
				else {
					pwq.hold(work);
				}
			}
			return true;
		}
		catch (Throwable ex) {
			allocationFailed(ex);
			this.gainedWork = true; // the watchdog watches the pool meanwhile
			noteShortageQuietly();
			return false;
		}
	}

	/**
	 * Counts a pushed item, counted in the pool's load already, in flight on its pool-workqueue: from here on it
	 * waits for a flush. L
	 */
	private static void count(Incoming item) {
		if (item instanceof ExecutedTask task) {
			task.pwq.countInFlight(task.color);
		}
		else {
			Work work = (Work) item;
			work.pwq.countInFlight(work.color);
		}
	}

	/**
	 * Puts {@code item}, counted, then {@code rest}, which it counts (pushed, not yet counted), at the end of
	 * {@link #unlinked}. L
	 */
	private void waitUnlinked(Incoming item, Incoming rest) {
		for (Incoming next = rest; next != null; next = next.nextIncoming) {
			count(next);
		}
		item.nextIncoming = rest;
		Incoming tail = this.unlinked;
		if (tail == null) {
			this.unlinked = item;
			return;
		}
		while (tail.nextIncoming != null) {
			tail = tail.nextIncoming;
		}
		tail.nextIncoming = item;
	}

	/** Placing or activating an item failed (out of memory); it stays queued. Logs the first in a row. Never throws. L */
	void allocationFailed(Throwable failure) {
		allocationFailed(failure, "could not link or activate queued items; they stay queued in order, and are retried");
	}

	/**
	 * An allocation under the lock failed (out of memory), with the items safe as {@code outcome} says: logs it if it
	 * is the first failure in a row (the next success logs the end). Never throws. L
	 */
	private void allocationFailed(Throwable failure, String outcome) {
		try {
			if (this.allocationFailures++ == 0) {
				WorkqueueSystem.LOG.error("Workqueue pool {} {}", this.id, outcome, failure);
			}
		}
		catch (Throwable ex) {
			// out of memory again while logging: the items are safe, which is what matters
		}
	}

	/** Items were placed or activated: logs the end of a run of {@link #allocationFailed}. L */
	void allocationSucceeded() {
		if (this.allocationFailures > 0) {
			int failures = this.allocationFailures;
			this.allocationFailures = 0;
			WorkqueueSystem.LOG.info("Workqueue pool {} links and activates queued items again after {} failures",
					this.id, failures);
		}
	}

	/** A counted item, once the system has terminated: abandoned as a linked one is. Changes nothing if it throws. L */
	private void abandonCounted(Incoming item) {
		Work work = (item instanceof ExecutedTask task) ? task.toWork() : (Work) item;
		mayFailToAllocate();
		this.toAbandon.add(new Abandoned(work, work.pwq.wq));
		work.unlink(this);
		work.pwq.inFlightDone(work.color);
	}

	/**
	 * The one place where an item becomes runnable on this pool. Changes nothing if it throws (the worklist cannot
	 * grow: out of memory). L
	 */
	void addToWorklist(Work work) {
		assert isLocked();
		boolean first = this.worklist.isEmpty();
		mayFailToAllocate();
		this.worklist.ensureRoom(1 + this.nrBatched); // room kept for the batches' items too: see returnFromBatch
		this.worklist.addLast(work);
		if (first) {
			progressed();
		}
		work.link(this, Work.Link.WORKLIST, null);
		this.gainedWork = true;
		kick();
	}

	/** L: the next item to start, or null. */
	Work pollWorklist() {
		assert isLocked();
		return this.worklist.pollFirst();
	}

	/**
	 * Publishes {@link #nrPending}, its only writer: {@link #release} as it unlocks, so that a lock holder that links
	 * and takes many items pays for one volatile store, not one per item. L
	 */
	private void publishPending() {
		int pending = this.worklist.size() + this.nrBatched;
		if (pending != this.nrPending) {
			this.nrPending = pending;
		}
	}

	/**
	 * The worklist's first item, taken off it into the batch of a worker running an item of {@code pwq}
	 * ({@code Worker.takeBatch}), or null if it may not be: only an {@code execute(Runnable)} item of the same queue
	 * that holds no capacity slot. It counts as pending until the batch ends. L
	 */
	Work pollIntoBatch(PoolWorkqueue pwq) {
		assert isLocked();
		Work work = this.worklist.peekFirst();
		if (work == null || work.pwq != pwq || !work.executed() || work.slot != null) {
			return null;
		}
		this.worklist.pollFirst();
		work.unlink(this);
		this.nrBatched++;
		return work;
	}

	/**
	 * The unstarted items {@code batch[from..to)} of a worker's batch go back to the front of the worklist, in order.
	 * Never allocates, so never fails: the worklist always has room for the items in batches (they left it, and
	 * {@link #addToWorklist} grows it for them before it adds). L
	 */
	void returnFromBatch(Work[] batch, int from, int to) {
		assert isLocked() && this.nrBatched >= to - from && from < to;
		for (int i = to - 1; i >= from; i--) {
			this.worklist.addFirst(batch[i]); // within its capacity: see above
			batch[i].link(this, Work.Link.WORKLIST, null);
		}
		this.nrBatched -= to - from;
		this.gainedWork = true;
		kick();
	}

	/** A worker's batch ended, {@code started} of its items started (the others went back to the worklist). L */
	void batchEnded(int started) {
		assert isLocked() && this.nrBatched >= started;
		this.nrBatched -= started;
	}

	/**
	 * Every worker gives the unstarted items of its batch back to the worklist, in order. Over {@link #workerArray}:
	 * giving back kicks, which may add a worker (one with no batch). L
	 */
	private void takeBackBatches() {
		for (Worker worker : this.workerArray) {
			worker.giveBack();
		}
	}

	/**
	 * Removes a pending item from wherever it is linked on this pool (cancel and mod-delayed paths).
	 * @return false if the item is no longer linked here, or is being handed back by the worker that ran it
	 */
	boolean unlinkPending(Work work) {
		lock();
		try {
			if (work.linkedPool() != this) {
				return false;
			}
			PoolWorkqueue pwq = work.pwq;
			switch (work.link()) {
				case WORKLIST -> {
					this.worklist.remove(work);
					pwq.deactivate();
				}
				case SCHEDULED -> {
					work.scheduledOn().scheduled.remove(work);
					pwq.deactivate();
				}
				case DEFERRED -> {
					if (!work.takeDeferred()) {
						return false; // the worker that ran the other instance is linking it again: retry
					}
					pwq.deactivate();
				}
				case INACTIVE -> pwq.unhold(work);
				case NONE -> {
					return false; // handed to this pool but not pushed yet (the lock drained the stack): retry
				}
			}
			work.unlink(this);
			pwq.inFlightDone(work.color);
			pwq.activateHeld();
			return true;
		}
		finally {
			unlock();
		}
	}

	/**
	 * Takes activated, not yet started items of {@code pwq} back to the front of its held-back list, in order
	 * (freezing). It allocates only to make room on that list, before it moves anything: where that fails (out of
	 * memory) the items stay activated, in order, and run as items let in before the freeze do (the freeze counts them
	 * busy until they end); that is logged. L
	 */
	void deactivatePending(PoolWorkqueue pwq) {
		assert isLocked();
		takeBackBatches();
		int n = 0;
		for (int i = 0; i < this.worklist.size(); i++) {
			if (this.worklist.get(i).pwq == pwq) {
				n++;
			}
		}
		if (n == 0) {
			return;
		}
		try {
			mayFailToAllocate();
			pwq.roomToHold(n);
		}
		catch (Throwable ex) {
			allocationFailed(ex, "could not take " + n + " activated items of '" + pwq.wq.name()
					+ "' back for a freeze; they stay queued and run as items let in before the freeze");
			return;
		}
		for (int i = this.worklist.size() - 1; i >= 0; i--) { // newest first: each goes to the front of the line
			Work work = this.worklist.get(i);
			if (work.pwq == pwq) {
				this.worklist.removeAt(i);
				pwq.holdFirst(work);
				pwq.deactivate();
			}
		}
		allocationSucceeded();
	}

	/**
	 * Moves the worklist items of {@code pwq}, in order, onto the rescuer's scheduled list, where cancel can still
	 * unlink them (the kernel's {@code rescuer->scheduled}). L
	 */
	void moveToRescuer(PoolWorkqueue pwq, Worker rescuer) {
		assert isLocked();
		takeBackBatches();
		for (Iterator<Work> it = this.worklist.iterator(); it.hasNext();) {
			Work work = it.next();
			if (work.pwq == pwq) {
				rescuer.schedule(work); // first: it changes nothing if it throws (out of memory)
				it.remove();
			}
		}
	}

	/**
	 * The previous instance of a deferred item ended on another pool: the item is runnable here now, or abandoned
	 * if the system terminated meanwhile. The caller won {@link Work#takeDeferred()}. Where the worklist cannot grow
	 * (out of memory), the caller retries after a back-off, without the lock: the item is its to place.
	 */
	void relinkDeferred(Work work) {
		for (long backoff = TimeUnit.MILLISECONDS.toNanos(1);; backoff = Math.min(2 * backoff, RELINK_BACKOFF_MAX)) {
			lock();
			try {
				if (this.system.isTerminated()) {
					work.pwq.deactivate();
					abandonLinked(work);
					return;
				}
				try {
					addToWorklist(work);
					allocationSucceeded();
					return;
				}
				catch (Throwable ex) {
					allocationFailed(ex);
				}
			}
			finally {
				unlock();
			}
			LockSupport.parkNanos(backoff);
		}
	}

	/** The longest back-off of {@link #relinkDeferred} between attempts. */
	private static final long RELINK_BACKOFF_MAX = TimeUnit.MILLISECONDS.toNanos(100);

	/**
	 * The system terminated: abandons every item still waiting on this pool (its worklist, the held-back lists of
	 * {@code queues}, and the scheduled lists of its workers and attached rescuers: items queued again while they run,
	 * or taken by a rescuer), and wakes the idle workers so that they exit. Running items finish; their workers find
	 * nothing more to run. Items deferred here until their previous instance ends elsewhere are left to
	 * {@link #abandonDeferred()}, which the closer calls once every pool has terminated.
	 */
	void terminate(List<DefaultWorkqueue> queues) {
		List<Worker> idleWorkers;
		lock();
		try {
			takeBackBatches();
			Work work;
			while ((work = pollWorklist()) != null) {
				work.pwq.deactivate();
				abandonLinked(work);
			}
			for (DefaultWorkqueue wq : queues) {
				while ((work = wq.pwqs[this.index].pollHeld()) != null) {
					abandonLinked(work);
				}
			}
			abandonScheduled(this.workers);
			abandonScheduled(this.rescuers);
			idleWorkers = new ArrayList<>(this.idle);
			Worker napping = endNapNow();
			if (napping != null) {
				idleWorkers.add(napping); // it sees the termination now, not when its nap would end
			}
		}
		finally {
			unlock();
		}
		for (Worker worker : idleWorkers) {
			if (worker.thread != null) {
				LockSupport.unpark(worker.thread);
			}
		}
	}

	/** Abandons the items on the scheduled lists of {@code workers}, which run items of this pool. L */
	private void abandonScheduled(List<Worker> workers) {
		for (Worker worker : workers) {
			Work work;
			while ((work = worker.scheduled.pollFirst()) != null) {
				work.pwq.deactivate();
				abandonLinked(work);
			}
		}
	}

	/**
	 * After every pool has terminated (so no worker defers anything any more): abandons the next instances, deferred
	 * on other pools, of the items this pool's workers and attached rescuers are running. Whoever of this, the worker
	 * that ends the running instance ({@link #relinkDeferred}) and a canceller wins {@link Work#takeDeferred()}
	 * answers the deferred instance.
	 */
	void abandonDeferred() {
		List<Work> next = new ArrayList<>(0);
		lock();
		try {
			for (List<Worker> workers : List.of(this.workers, this.rescuers)) {
				for (Worker worker : workers) {
					Work work = worker.currentWork;
					if (work != null && work.isDeferred()) {
						next.add(work);
					}
				}
			}
		}
		finally {
			unlock();
		}
		for (Work work : next) {
			WorkerPool pool = work.linkedPool();
			if (pool != null) {
				pool.abandonIfDeferred(work);
			}
		}
	}

	/** Abandons {@code work} if it is still deferred here and the deferral is ours to take. */
	private void abandonIfDeferred(Work work) {
		lock();
		try {
			if (work.linkedPool() == this && work.link() == Work.Link.DEFERRED && work.takeDeferred()) {
				work.pwq.deactivate();
				abandonLinked(work);
			}
		}
		finally {
			unlock();
		}
	}

	/**
	 * Abandons an item just taken off this pool's lists, and no longer active, as the system terminated; the answer
	 * (counts, listeners, {@code done}, waiters) happens in {@link #unlock()}, so that no callback runs under the
	 * pool lock. L
	 */
	private void abandonLinked(Work work) {
		PoolWorkqueue pwq = work.pwq;
		work.unlink(this);
		pwq.inFlightDone(work.color);
		this.toAbandon.add(new Abandoned(work, pwq.wq));
	}

	/** An accepted item that will never run, to answer once the lock is released. */
	private record Abandoned(Work work, DefaultWorkqueue wq) {
	}

	/** A rescuer starts running items of this pool. L */
	void attachRescuer(Worker rescuer) {
		assert isLocked() && rescuer.rescuer;
		this.rescuers.add(rescuer);
	}

	/** The rescuer is done here. L */
	void detachRescuer(Worker rescuer) {
		assert isLocked();
		this.rescuers.remove(rescuer);
	}

	// --- workers -----------------------------------------------------------------------------------------------

	/** Whether another worker should be woken: items wait and no worker will take them. L */
	private boolean needMoreWorker() {
		if (this.worklist.isEmpty()) {
			return false;
		}
		if (this.associated) {
			return this.nrRunning == 0 && this.nrWaking == 0;
		}
		return this.worklist.size() > this.nrWaking;
	}

	/** Whether a worker entering its loop should start items. L */
	boolean mayStartWorking() {
		assert isLocked();
		return drainIncoming() && !this.worklist.isEmpty() && (!this.associated || this.nrRunning == 0)
				&& !this.system.isTerminated();
	}

	/**
	 * Whether a block could hold this pool's items back: it is managed, items are pending and a worker counts as
	 * running. The detector is made to watch whenever the lock is released in that state, or an item is pushed
	 * without the lock in it; while no worker counts, a kicked worker will start the items, and the lock it takes
	 * to do so is released in that state if others still wait. V
	 */
	private boolean runningWithPending() {
		return this.associated && this.nrRunning > 0 && hasPending();
	}

	/** Whether a worker that finished an item should take the next one. L */
	boolean keepWorking() {
		assert isLocked();
		return drainIncoming() && !this.worklist.isEmpty() && (!this.associated || this.nrRunning <= 1)
				&& !this.system.isTerminated();
	}

	/**
	 * Picks a worker to handle pending items if one is needed: the most recently idle one, else a new one. It is
	 * woken by {@link #unlock()}. Never throws (out of memory included): its callers have linked an item, or
	 * changed counts, that they must not take back. L
	 */
	void kick() {
		assert isLocked();
		if (!needMoreWorker() || this.system.isTerminated()) {
			wakeNapper();
			return;
		}
		try {
			this.toWake.ensureCapacity(this.toWake.size() + 1); // before any change: the add below cannot fail
		}
		catch (Throwable ex) { // out of memory: the mayday timer retries, as for a worker that cannot be had
			noteShortageQuietly();
			return;
		}
		Worker worker = this.idle.pollFirst();
		if (worker == null) {
			if (this.workers.size() >= this.system.maxWorkersPerPool) {
				noteShortageQuietly(); // never throws: callers have linked the item by now (addToWorklist)
				return;
			}
			try {
				worker = new Worker(this, this.nextWorkerId++, false);
				addWorker(worker);
			}
			catch (Throwable ex) {
				noteShortageQuietly();
				return;
			}
		}
		worker.state = Worker.State.WAKING;
		this.nrWaking++;
		this.toWake.add(worker);
		assert workerCountsAgree();
	}

	/**
	 * A worker that ran dry naps instead of parking, if the pool ran dry (nothing pending, no worker running), is
	 * managed, and has no napper yet: it counts as waking ({@link #workerWillTakeIt}) until {@link #endNap}. Not a
	 * virtual thread: its timed park costs the JDK's scheduler a timer. L
	 * @return whether it may nap
	 */
	boolean startNap(Worker worker) {
		assert isLocked() && worker.state == Worker.State.BUSY;
		if (this.napper != null || !this.associated || this.nrRunning > 0 || !this.worklist.isEmpty()
				|| this.system.virtualThreads.isVirtual() || this.system.isTerminated()) {
			return false;
		}
		this.napper = worker;
		worker.napping = true;
		worker.state = Worker.State.WAKING;
		this.nrWaking++;
		assert workerCountsAgree();
		return true;
	}

	/** The nap ended, or was cut short by {@link #wakeNapper}: the worker goes on as a kicked one. L */
	void endNap(Worker worker) {
		assert isLocked() && worker.state == Worker.State.WAKING;
		if (this.napper == worker) {
			endNapNow();
		}
		assert !worker.napping; // whoever cut the nap short cleared it (endNapNow)
	}

	/**
	 * A kick found the napper counting as waking while items wait and no worker runs: it must look now, not when its
	 * nap ends. Only the queuers that push without the lock leave their items to the nap's end. L
	 */
	private void wakeNapper() {
		if (this.napper != null && this.nrRunning == 0 && !this.worklist.isEmpty()) {
			LockSupport.unpark(endNapNow().thread);
		}
	}

	/**
	 * Ends the napper's nap, if any: its flag is cleared before the caller unparks it, so a napper that did not
	 * park yet does not, and one woken by another unpark does not park again. L
	 * @return the worker to unpark, or null
	 */
	private Worker endNapNow() {
		Worker worker = this.napper;
		if (worker != null) {
			this.napper = null;
			worker.napping = false;
		}
		return worker;
	}

	/** {@link #noteShortage()} where it may fail too (out of memory): the next kick tries again. L */
	private void noteShortageQuietly() {
		try {
			noteShortage();
		}
		catch (Throwable ex) {
			// nothing more to do here
		}
	}

	/** Unparks a kicked worker, or starts the thread of a new one. Called without the lock. */
	private void wake(Worker worker, boolean threadsOnTimer) {
		if (worker.thread != null) {
			LockSupport.unpark(worker.thread);
			return;
		}
		if (threadsOnTimer && this.system.timers.schedule(() -> startThread(worker), 0) != null) {
			return;
		}
		startThread(worker);
	}

	/**
	 * Starts the thread of a new worker. The thread factory must return a new, unstarted thread that runs the worker;
	 * anything else is a refusal: null, a thread already started (whatever it runs, {@link #arrived} keeps it from
	 * touching the pool), an exception (an {@code OutOfMemoryError} "unable to create native thread", a factory that
	 * refuses), and a thread that does not run the worker in time ({@link #checkArrived}: only for an application's
	 * factory; the engine's own threads are not watched, so that a long GC pause does not cost their workers).
	 * Called without the lock.
	 */
	private void startThread(Worker worker) {
		assert !isLocked();
		boolean listed = this.system.listThreadless(worker);
		if (this.system.handOverIdleThread(this, worker, listed)) {
			return;
		}
		String refusal;
		try {
			Thread thread = this.system.threadFactory.newThread(worker);
			if (listed && !this.system.threadless.remove(worker)) {
				return; // a worker that went idle meanwhile took it off the list and gave it its thread: this one never starts
			}
			if (thread == null) {
				refusal = "the thread factory returned null";
			}
			else if (thread.getState() != Thread.State.NEW) {
				refusal = "the thread factory returned a thread already started (" + thread + ")";
			}
			else {
				thread.setName(worker.threadName());
				thread.setDaemon(true);
				worker.thread = thread;
				thread.start();
				// a virtual thread waits for a carrier, which busy items may hold for long: not a refusal
				if (!this.system.ownThreadFactory && !VirtualThreads.isVirtual(thread)) {
					this.system.timers.schedule(() -> checkArrived(worker), this.system.maydayIntervalNanos);
				}
				return;
			}
		}
		catch (Throwable ex) {
			if (listed && !this.system.threadless.remove(worker)) {
				return; // the factory threw, but a worker that went idle meanwhile gave it its thread
			}
			refusal = "starting a worker thread failed: " + ex;
		}
		refuse(worker, refusal);
	}

	/**
	 * A mayday interval after a worker's thread was started: if the thread has not run the worker yet, it gets one
	 * more interval if it is alive (it may just not have been scheduled, say after a long GC pause), else it is a
	 * refusal. Timer thread.
	 */
	private void checkArrived(Worker worker) {
		Thread thread = worker.thread;
		lock();
		try {
			if (worker.arrived || worker.state != Worker.State.WAKING) {
				return;
			}
			if (thread.isAlive() && worker.startChecks++ == 0) {
				this.system.timers.schedule(() -> checkArrived(worker), this.system.maydayIntervalNanos);
				return;
			}
		}
		finally {
			unlock();
		}
		refuse(worker, "the thread factory's thread " + thread + " did not run the worker within the mayday interval ("
				+ (thread.isAlive() ? "it runs something else" : "it has ended") + ")");
	}

	/**
	 * A worker could not be had: it is dropped, its items wait, and the mayday timer retries and calls the rescuers
	 * (the kernel's {@code pool_mayday_timeout}). The first failure of an episode is logged.
	 */
	private void refuse(Worker worker, String reason) {
		boolean first;
		lock();
		try {
			if (worker.arrived || worker.state != Worker.State.WAKING) {
				return; // its thread ran it after all
			}
			removeWorker(worker);
			this.nrWaking--;
			worker.state = Worker.State.DEAD;
			this.failedStarts++;
			first = this.episodeFailedStarts++ == 0;
			noteShortage();
			assert workerCountsAgree();
		}
		finally {
			unlock();
		}
		if (first) {
			WorkqueueSystem.LOG.warn("Pool {} could not start a worker: {}. Its items wait; the pool retries every "
					+ "mayday interval and mem-reclaim workqueues' rescuers step in. Further failures are counted "
					+ "until a worker starts", this.id, reason);
		}
	}

	/**
	 * A worker's thread begins to run it: true if it is the thread the engine started for this worker and the worker
	 * has not been given up; false for any other thread (a thread factory's stray run), which must touch nothing.
	 * Ends an episode of failed starts.
	 */
	boolean arrived(Worker worker) {
		int failures;
		lock();
		try {
			if (worker.thread != Thread.currentThread() || worker.state != Worker.State.WAKING || worker.arrived) {
				return false;
			}
			worker.arrived = true;
			failures = this.episodeFailedStarts;
			this.episodeFailedStarts = 0;
		}
		finally {
			unlock();
		}
		if (failures > 0) {
			WorkqueueSystem.LOG.info("Pool {} started a worker again, after {} failed start(s)", this.id, failures);
		}
		return true;
	}

	/** A kicked or new worker runs and looks for work. L */
	void awake(Worker worker) {
		assert isLocked() && worker.state == Worker.State.WAKING && worker.arrived && this.workers.contains(worker);
		this.nrWaking--;
		worker.state = Worker.State.BUSY;
		assert workerCountsAgree();
	}

	/** A worker found no work and parks on the idle list; the idle timer is armed for it. L */
	void enterIdle(Worker worker) {
		assert isLocked() && worker.state == Worker.State.BUSY && this.workers.contains(worker);
		worker.state = Worker.State.IDLE;
		this.idle.addFirst(worker);
		armIdleTimer(this.system.idleTimeoutNanos);
		assert workerCountsAgree();
	}

	/** Whether the idle timer is armed, so an idle worker may park without a timeout of its own. L */
	boolean idleTimerArmed() {
		assert isLocked();
		return this.idleTimerArmed;
	}

	/** Arms the idle timer unless it is armed (the kernel's {@code idle_timer}); stays unarmed without timers. L */
	private void armIdleTimer(long delayNanos) {
		if (!this.idleTimerArmed && this.system.timers.schedule(this::idleTimeout, delayNanos) != null) {
			this.idleTimerArmed = true;
		}
	}

	/**
	 * The idle timer fired (on the timer thread; the kernel's {@code idle_worker_timeout}): wakes the worker that has
	 * been idle longest once it is past the idle timeout and the pool has too many workers, so that it exits, and
	 * arms the timer again for the next one; or arms it for when that worker's timeout ends. With too few idle
	 * workers to let one go it stays unarmed: only a worker going idle can change that, and it arms the timer.
	 */
	private void idleTimeout() {
		lock();
		try {
			this.idleTimerArmed = false;
			Worker oldest = this.idle.peekLast();
			if (oldest == null || this.system.isTerminated()) {
				return;
			}
			long timeout = this.system.idleTimeoutNanos;
			long left = oldest.idleSince + timeout - System.nanoTime();
			if (left > 0) {
				armIdleTimer(left);
			}
			else if (tooManyWorkers()) {
				LockSupport.unpark(oldest.thread); // it sees its timeout and exits; the next one's turn after a while
				armIdleTimer(IDLE_REAP_STEP_NANOS);
			}
		}
		finally {
			unlock();
		}
	}

	/**
	 * Another pool needs a new worker, {@code next}, and would start a thread for it: if this pool has an idle worker,
	 * the one idle longest is given up instead, and its thread runs {@code next} once it sees that. Pools share no
	 * workers, but their threads are alike: without this, each pool grows to its own peak, and pools that peak at
	 * different times keep the sum of their peaks (workload 2 of the benchmarks: 15 to 17 threads for at most 12
	 * items in flight, 12 to 13 with it). Only an online CPU's pool, or an unbound one, gives. Called without any
	 * pool's lock.
	 * @param listed whether {@code next} is on {@link WorkqueueSystem#threadless}: then whoever takes it off the list
	 * gives it its thread (here, or a worker going idle in another pool: {@link #giveToThreadless})
	 * @return true if {@code next} has its thread: this pool's idle worker's, or another's that took it off the list
	 */
	boolean handOverIdleThread(Worker next, boolean listed) {
		if (this.idle.isEmpty() || !mayGiveWorkers()) { // a racy hint
			return false;
		}
		Thread thread;
		lock();
		try {
			if (this.idle.isEmpty() || !mayGiveWorkers() || this.system.isTerminated()) {
				return false;
			}
			if (listed && !this.system.threadless.remove(next)) {
				return true;
			}
			Worker given = this.idle.peekLast();
			exitIdle(given);
			given.handOver(next);
			thread = given.thread;
		}
		finally {
			unlock();
		}
		LockSupport.unpark(thread);
		return true;
	}

	/**
	 * {@code worker} just went idle: if a new worker (usually another pool's) waits for its thread ({@link
	 * WorkqueueSystem#threadless}: its thread is being made), this worker is given up and its thread runs that one,
	 * and the thread being made is never started. This closes the window {@link #handOverIdleThread} leaves: a worker
	 * that goes idle while the factory makes a thread for another pool (workload 2 of the benchmarks: a 13th thread for
	 * at most 12 items in flight). Only an online CPU's pool, or an unbound one, gives. L
	 * @return true if the worker was given up (DEAD): its thread goes on to run the other pool's worker
	 */
	boolean giveToThreadless(Worker worker) {
		assert isLocked() && worker.state == Worker.State.IDLE;
		if (this.system.threadless.isEmpty() || !mayGiveWorkers() || this.system.isTerminated()) {
			return false;
		}
		Worker next = this.system.threadless.poll(); // exactly one of this poll and the maker's remove gets it
		if (next == null) {
			return false;
		}
		assert next.thread == null;
		exitIdle(worker);
		worker.handOver(next);
		return true;
	}

	/** Whether an idle worker may go to another pool: this is an online CPU's pool, or an unbound one. */
	private boolean mayGiveWorkers() {
		return this.associated || this.cpu < 0;
	}

	/** An idle worker exits (idle timeout, or termination), or is handed over to another pool. L */
	void exitIdle(Worker worker) {
		assert isLocked() && worker.state == Worker.State.IDLE;
		boolean wasIdle = this.idle.remove(worker);
		assert wasIdle;
		removeWorker(worker);
		worker.state = Worker.State.DEAD;
		assert workerCountsAgree();
	}

	/** Changes nothing if it throws (out of memory). L */
	private void addWorker(Worker worker) {
		Worker[] array = Arrays.copyOf(this.workerArray, this.workerArray.length + 1);
		array[array.length - 1] = worker;
		this.workers.add(worker);
		this.workerArray = array;
	}

	/** L */
	private void removeWorker(Worker worker) {
		boolean removed = this.workers.remove(worker);
		assert removed : worker + " is not a worker of " + this;
		this.workerArray = this.workers.toArray(new Worker[0]);
	}

	/**
	 * The worker counts agree: idle and waking workers are among the workers (so busy = workers - idle is never
	 * negative), and no count is negative. L
	 */
	private boolean workerCountsAgree() {
		return this.nrWaking >= 0 && this.nrRunning >= 0 && this.idle.size() + this.nrWaking <= this.workers.size()
				&& this.nrRunning <= this.workers.size();
	}

	/**
	 * Whether an idle worker that has been idle for the idle timeout should exit: the pool keeps one idle worker
	 * per four busy ones, and lets the rest go (down to none when nothing is busy). L
	 */
	boolean tooManyWorkers() {
		assert isLocked();
		int nrIdle = this.idle.size();
		int nrBusy = this.workers.size() - nrIdle;
		return nrIdle * 4 > nrBusy;
	}

	/**
	 * Recomputes whether {@code worker} counts as running after its flags or loop state changed; kicks another
	 * worker if the change left pending items without a running worker. The only writer of {@link #nrRunning}. L
	 * @return true if the worker stopped counting and that woke another worker
	 */
	boolean recount(Worker worker) {
		assert isLocked();
		boolean counts = worker.inLoop && worker.flags == 0;
		if (counts == worker.counted) {
			return false;
		}
		worker.counted = counts;
		if (counts) {
			this.nrRunning++;
			return false;
		}
		this.nrRunning--;
		int before = this.toWake.size();
		kick();
		return this.toWake.size() > before;
	}

	/** A worker's {@link Worker#expecting} was set or cleared. L */
	void expectingChanged(boolean expecting) {
		assert isLocked();
		this.nrExpecting += expecting ? 1 : -1;
	}

	/**
	 * Whether the block detector should look at this pool: items wait, or a worker said it is about to block and
	 * has not been looked at since (if it does not block, items queued later must not start beside it). V
	 */
	boolean needsWatching() {
		return this.associated && (hasPending() || this.nrExpecting > 0);
	}

	/** A worker of this pool blocked and another was kicked for the pending items. L */
	void countCmWakeup() {
		assert isLocked();
		this.cmWakeups++;
	}

	// --- mayday ------------------------------------------------------------------------------------------------

	/**
	 * A worker is needed but none can be had: arm the mayday timer. Armed only once the timer is set: if setting it
	 * fails (out of memory), the next shortage tries again. The timer cannot fire before the flag is set: it takes
	 * this lock. L
	 */
	private void noteShortage() {
		if (!this.maydayArmed && !this.system.isTerminated()) {
			this.system.timers.schedule(this::maydayTimeout, this.system.maydayIntervalNanos);
			this.maydayArmed = true;
		}
	}

	/**
	 * The mayday timer fired: if items still wait for a worker, ask the rescuers of their queues for help and try
	 * again to get a worker (the kernel's {@code pool_mayday_timeout}).
	 */
	private void maydayTimeout() {
		List<PoolWorkqueue> maydays = new ArrayList<>();
		lock();
		try {
			this.maydayArmed = false;
			if (this.unlinked != null) { // placing them failed as this took the lock, which could not re-arm the timer
				noteShortage(); // if it throws, the timer runs this task again after a back-off
			}
			if (!needMoreWorker()) {
				return;
			}
			for (Work work : this.worklist) {
				PoolWorkqueue pwq = work.pwq;
				if (pwq.wq.rescuer != null && !maydays.contains(pwq)) {
					maydays.add(pwq);
				}
			}
			kick(); // retry; re-arms the timer if it still cannot get a worker
		}
		finally {
			unlock();
		}
		for (PoolWorkqueue pwq : maydays) {
			pwq.wq.rescuer.mayday(pwq);
		}
	}

	// --- operator controls ---------------------------------------------------------------------------------------

	/** CPU offline: stop concurrency management; the workers turn rogue and drain what is here. */
	void disassociate() {
		lock();
		try {
			this.associated = false;
			takeBackBatches();
			int before;
			do {
				before = this.toWake.size();
				kick();
			}
			while (this.toWake.size() > before);
		}
		finally {
			unlock();
		}
	}

	/** CPU online: the rogue workers are bound again and concurrency management resumes over what is pending. */
	void associate() {
		lock();
		try {
			this.associated = true;
			this.gainedWork = !this.worklist.isEmpty();
			kick();
		}
		finally {
			unlock();
		}
	}

	/** Items (and their owners) of the workers that are running something now, for the watchdog's report. */
	List<String> describeBusyWorkers() {
		List<String> result = new ArrayList<>();
		lock();
		try {
			for (Worker worker : this.workers) {
				Work work = worker.currentWork;
				if (work != null) {
					result.add(worker + " running " + work.task() + " of " + worker.currentPwq.wq.name());
				}
			}
		}
		finally {
			unlock();
		}
		return result;
	}

	PoolSnapshot snapshot() {
		lock();
		try {
			int nrWorkers = this.workers.size();
			int nrIdle = this.idle.size() + ((this.napper != null) ? 1 : 0); // a napper waits for work too
			boolean online = this.cpu < 0 || this.associated;
			int nrBlocked = 0;
			for (Worker worker : this.workers) {
				if ((worker.flags & (Worker.SLEEPING | Worker.BLOCKING)) != 0) {
					nrBlocked++;
				}
			}
			assert workerCountsAgree();
			return new PoolSnapshot(this.id, (this.cpu < 0) ? null : this.cpu, kind().label, online, nrWorkers,
					nrWorkers - nrIdle, nrIdle, online ? 0 : nrWorkers, this.nrRunning, nrBlocked, this.worklist.size(),
					this.stalled, this.stalls, this.cmWakeups, this.failedStarts);
		}
		finally {
			unlock();
		}
	}

	@Override
	public String toString() {
		return "WorkerPool[" + this.id + "]";
	}

}
