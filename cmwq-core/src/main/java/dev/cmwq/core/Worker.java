package dev.cmwq.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker thread of a {@link WorkerPool} (the kernel's {@code worker}), or the rescuer thread of a
 * {@link WorkqueueFlag#MEM_RECLAIM} queue while it helps a pool.
 *
 * <h2>Flags</h2>
 * While in its work loop a worker counts as running for concurrency management unless one of its {@link #flags} is
 * set: {@link #SLEEPING} (the detector found it blocked, or it said it is about to block: {@link Blocking#expect}),
 * {@link #BLOCKING} (it announced a block through {@link Blocking}) or {@link #CPU_INTENSIVE} (its item is
 * CPU-intensive, by flag or by running longer than the threshold without blocking). Flags are cleared when the item
 * ends.
 *
 *
 * <h2>States</h2>
 * IDLE (on the pool's idle list, parked) → WAKING (kicked or new, counted in the pool's {@code nrWaking}) → BUSY (in
 * its work loop: {@link #inLoop}; rogue while its pool's CPU is offline) → IDLE ..., or DEAD once it exits. A worker
 * whose pool ran dry goes from BUSY to WAKING by itself for a nap ({@link #nap}) before it would go IDLE. Field
 * tags as in {@code package-info.java}.
 */
final class Worker implements Runnable {

	enum State {

		IDLE, WAKING, BUSY, DEAD

	}

	static final int SLEEPING = 1;

	static final int BLOCKING = 2;

	static final int CPU_INTENSIVE = 4;

	/** Spins of a worker that found no work before it parks (some microseconds); see {@link #waitForWork}. */
	private static final int IDLE_SPINS = 256;

	/**
	 * Items a worker must have run since it woke for its pool running dry to make it nap ({@link #nap}):
	 * a stream of items that came faster than one wake-up each. One item now and then is not worth a nap's delay.
	 */
	private static final int NAP_AFTER = 4;

	/** Most items a worker runs one after another without taking the pool lock between them ({@link #takeBatch}). */
	static final int BATCH = 16;

	private static final VarHandle ITEM_SEQ;

	private static final VarHandle IN_ITEM;

	private static final VarHandle BATCH_NEXT;

	static {
		try {
			ITEM_SEQ = MethodHandles.lookup().findVarHandle(Worker.class, "itemSeq", long.class);
			IN_ITEM = MethodHandles.lookup().findVarHandle(Worker.class, "inItem", boolean.class);
			BATCH_NEXT = MethodHandles.lookup().findVarHandle(Worker.class, "batchNext", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();

	/** I for pool workers; for a rescuer, W (changed while it is attached to no pool). */
	WorkerPool pool;

	final int id; // I

	final boolean rescuer; // I

	/**
	 * I: set before the thread starts (null until a pool worker's thread is created), or before an idle worker of
	 * another pool hands its thread over ({@link WorkerPool#handOverIdleThread}, {@link WorkerPool#giveToThreadless}),
	 * by whoever took the worker off {@link WorkqueueSystem#threadless}.
	 */
	volatile Thread thread;

	/**
	 * The worker of another pool this idle worker's thread was handed to: it runs that one once it sees this one
	 * given up ({@link State#DEAD}). L (this worker's pool lock)
	 */
	private Worker successor;

	/** L; V for the idle worker's spin in {@link #waitForWork}. */
	volatile State state = State.WAKING;

	/** Whether the thread the engine started for this worker has begun to run it ({@link WorkerPool#arrived}). L */
	boolean arrived;

	/** Times the pool checked whether this worker's thread has begun to run it. L */
	int startChecks;

	int flags; // L

	/** Whether the worker is in its work loop. L */
	boolean inLoop;

	/** Whether the worker is counted in pool.nrRunning. L */
	boolean counted;

	/** Nesting depth of {@link Blocking} sections. L */
	int blockDepth;

	/** Collided items: requeued while this worker runs them, to run after. L */
	final Ring<Work> scheduled = new Ring<>(2);

	/**
	 * L, and read without it on the worker's own thread (Blocking); between the items of a batch written by the
	 * worker without the lock, so another thread's read is a hint, checked against {@link #itemSeq}.
	 */
	Work currentWork;

	PoolWorkqueue currentPwq; // L

	private int currentColor; // L

	/** When the worker last went idle. L */
	long idleSince;

	/**
	 * When the current item started, or {@link #START_UNKNOWN}. W; read by the detector after {@link #itemSeq},
	 * which is written after it.
	 */
	long startedAt;

	/**
	 * {@link #startedAt} of an item of a batch while no listener wants times: the clock is not read, which saves a
	 * quarter of what a tiny item costs its worker; the detector takes such an item for a new one at its first look.
	 */
	static final long START_UNKNOWN = Long.MIN_VALUE;

	/**
	 * Whether the thread is inside an item's task (not in the engine's own bookkeeping). W, with a release store (no
	 * fence: the detector reads it only as a hint, and the worker's own thread reads its own writes); volatile reads.
	 */
	volatile boolean inItem;

	/**
	 * The items taken off the worklist with the current one, to run after it without the pool lock: {@code
	 * execute(Runnable)} items of the same queue (see {@link #takeBatch}). Filled and emptied under L by this worker;
	 * in between, each is either started by this worker, which takes the next with a CAS on {@link #batchNext}, or
	 * given back to the worklist by a lock holder ({@link #giveBack}), which moves {@code batchNext} to the end:
	 * never both. {@link #batchColors}: their flush colors when taken.
	 */
	private final Work[] batch = new Work[BATCH - 1];

	private final int[] batchColors = new int[BATCH - 1]; // L: see batch

	private int batchSize; // L: items in batch

	/** The index in {@link #batch} of the next item to start; {@link #batchSize} once given back. C */
	private volatile int batchNext;

	/** Items of the batch this worker started. W */
	private int batchStarted;

	/** Incremented at each item start. W, R */
	volatile long itemSeq;

	/** Mirror of {@code flags & SLEEPING} for the detector. V */
	volatile boolean sleepingHint;

	/** Flagged SLEEPING by {@link Blocking#expect} and not looked at by the detector since. L, V */
	volatile boolean expecting;

	/** The item the detector last looked at, and the scan it last looked at this worker in. D */
	long scanSeq;

	long scannedAt; // D: see scanSeq

	/** The item at whose previous look the detector saw this worker asleep (in any way), or -1. D */
	long asleepSeq = -1;

	/** CPU time (or, without a CPU clock, wall time) when the item was first seen running since it last blocked, or -1. D */
	long runMark = -1;

	/** The thread's CPU time at {@link #runMark} once the detector read it, or -1. D */
	long runMarkCpu = -1;

	/**
	 * The thread's CPU time when the detector last found the item running, and when (its {@code nanoTime}), or -1:
	 * a worker that has used at least half the wall time since then on a CPU still runs, and its kernel state need
	 * not be read. D
	 */
	long cpuSeen = -1;

	long cpuSeenAt; // D: see cpuSeen

	/**
	 * The thread's CPU time read just before the detector's last probe found it blocked (the worker flagged), or -1:
	 * while it has not changed the thread has not run since, so it is still in that block and needs no probe. D
	 */
	long blockedCpu = -1;

	/**
	 * When the detector first looked at the current item, or last probed it while its queue announces its blocks
	 * ({@link PoolWorkqueue#announcesBlocks}). D
	 */
	long probedAt;

	/** Whether the worker naps ({@link #nap}): set by the worker, cleared by the kick that ends the nap. L, V */
	volatile boolean napping;

	/** The kernel's view of this thread's state; set by the worker at start. V */
	volatile ThreadStateProbe probe = ThreadStateProbe.NONE;

	/** The queue whose items this worker runs, to which their CPU time and counts go ({@link #accountCpu}). W */
	private DefaultWorkqueue cpuWq;

	private long cpuMark; // W: the thread's CPU time when cpuWq was last charged

	/**
	 * This worker's cell of {@link #cpuWq}'s counters, held while {@code cpuWq} is not null; else the cell it held last
	 * (given back), or null. W
	 */
	private WorkqueueCounters.Cell counts;

	Worker(WorkerPool pool, int id, boolean rescuer) {
		this.pool = pool;
		this.id = id;
		this.rescuer = rescuer;
	}

	static Worker current() {
		return ThreadContext.get().worker;
	}

	@Override
	public void run() {
		if (this.pool == null || !this.pool.arrived(this)) {
			return; // not the thread the engine started for this worker (a thread factory's stray run): leave it be
		}
		ThreadStateProbe probe = ThreadStateProbe.forCurrentThread(); // the thread's, whichever worker it runs
		try {
			Worker worker = this;
			do {
				Worker next = worker.serve(probe);
				if (next != null) { // handed over to a new worker of another pool while idle
					Thread.currentThread().setName(next.threadName());
					next = next.pool.arrived(next) ? next : null;
				}
				worker = next;
			}
			while (worker != null);
		}
		finally {
			probe.close();
		}
	}

	/** The name of this worker's thread. */
	String threadName() {
		return "cmwq-" + this.pool.id + "-w" + this.id;
	}

	/**
	 * Runs this worker, which has arrived on the current thread, until it ends.
	 * @return the new worker of another pool the thread was handed to while this one was idle, or null
	 */
	private Worker serve(ThreadStateProbe probe) {
		ThreadContext.get().worker = this;
		this.probe = probe;
		WorkerPool pool = this.pool;
		pool.lock();
		try {
			workerThread(pool);
			return this.successor;
		}
		finally {
			pool.unlock();
			ThreadContext.get().worker = null;
		}
	}

	/** This idle worker is given up, and its thread goes to {@code next}, of another pool. L */
	void handOver(Worker next) {
		this.successor = next;
		next.thread = this.thread;
	}

	/**
	 * The worker's life (the kernel's {@code worker_thread}). Entered WAKING with the lock held; returns with the
	 * lock held once the worker is DEAD.
	 */
	private void workerThread(WorkerPool pool) {
		for (;;) {
			// Still WAKING while mayStartWorking links what was pushed meanwhile: so that linking does not kick
			// yet another worker for items this one is about to take (nothing counts as running until it starts).
			Runnable hook = pool.beforeLookingForWork;
			if (hook != null) {
				hook.run();
			}
			boolean work = pool.mayStartWorking();
			pool.awake(this);
			long startedBefore = this.itemSeq; // one more per item started, batched ones included
			if (work) {
				this.inLoop = true;
				pool.recount(this);
				do {
					processOne(pool, pool.pollWorklist());
				}
				while (pool.keepWorking());
				this.inLoop = false;
				pool.recount(this); // rarely kicks (the worklist is empty or another worker runs)
			}
			accountCpu(null);
			if (this.itemSeq - startedBefore >= NAP_AFTER && pool.startNap(this)) {
				nap(pool);
				continue;
			}
			if (!waitForWork(pool)) {
				return;
			}
		}
	}

	/**
	 * A worker whose pool ran dry after it ran a stream of items ({@link #NAP_AFTER}) naps, counted as waking, before
	 * it would park: a queuer that pushes meanwhile neither takes the lock nor wakes anyone, and the worker takes
	 * what was pushed when the nap ends, many items for one wake-up, where a parked worker is woken by the producer
	 * once per few items (a producer that outpaces nothing keeps running its pools dry). A kick that needs a worker
	 * (a running one blocked, an item linked under the lock) ends the nap at once ({@code WorkerPool.wakeNapper}).
	 * L on entry and exit.
	 */
	private void nap(WorkerPool pool) {
		pool.unlock();
		try {
			Runnable hook = pool.beforeNap;
			if (hook != null) {
				hook.run();
			}
			long deadline = System.nanoTime() + pool.system.napNanos;
			long left;
			while (this.napping && (left = deadline - System.nanoTime()) > 0) { // an early unpark naps on
				LockSupport.parkNanos(this, left);
			}
			Thread.interrupted(); // an interrupt must not end later naps and parks at once
		}
		finally {
			pool.lock();
		}
		pool.endNap(this);
	}

	/**
	 * Parks on the idle list until kicked (true), or until the worker exits (false): after the idle timeout when
	 * the pool has too many idle workers, or when the system terminates. The pool's idle timer wakes it for its
	 * timeout, so its park has no timeout of its own (a virtual thread's timed park costs the JDK's scheduler a timer
	 * per park); only when the timer cannot be armed does it time its park itself. L on entry and exit.
	 */
	private boolean waitForWork(WorkerPool pool) {
		assert pool.isLocked();
		this.idleSince = System.nanoTime();
		pool.enterIdle(this);
		if (pool.giveToThreadless(this)) {
			return false; // handed over to another pool's new worker, whose thread was being made
		}
		long timeout = pool.system.idleTimeoutNanos;
		for (;;) {
			if (pool.system.isTerminated()) {
				break;
			}
			long idleFor = System.nanoTime() - this.idleSince;
			if (idleFor >= timeout && pool.tooManyWorkers()) {
				break;
			}
			boolean timerWakes = pool.idleTimerArmed(); // else (no timer thread) it times its own park
			pool.unlock();
			try {
				Runnable hook = pool.afterIdleUnlock;
				if (hook != null) {
					hook.run();
				}
				// A kick that comes within a few microseconds (a producer that queues in bursts) finds the worker
				// still spinning: no park and unpark, which cost far more than the spin.
				for (int spins = IDLE_SPINS; spins > 0 && this.state == State.IDLE; spins--) {
					Thread.onSpinWait();
				}
				// Parks only while still idle: a worker kicked (WAKING) or handed over (DEAD) meanwhile may have lost
				// the unpark that told it so, to a lock it waited for in the unlock above (which starts the threads
				// of workers kicked under it, and so may take other pools' locks): a handed-over worker parked for
				// good, and the pool it was handed to waited for its thread (ModelBasedRandomTest, FLAKY_THREADS).
				if (this.state == State.IDLE) {
					if (timerWakes) {
						LockSupport.park(this); // the pool's idle timer wakes it once it has been idle too long
					}
					else {
						LockSupport.parkNanos(this, (idleFor >= timeout) ? timeout : timeout - idleFor);
					}
				}
				Thread.interrupted(); // an interrupt must not turn parking into spinning
			}
			finally {
				pool.lock();
			}
			if (this.state == State.WAKING) {
				return true; // kicked: the kicker took us off the idle list
			}
			if (this.state == State.DEAD) {
				return false; // handed over to another pool's new worker, which took us off the lists
			}
		}
		pool.exitIdle(this);
		return false;
	}

	/** Puts an item on this worker's scheduled list, to run after its current one. L (pool's lock) */
	void schedule(Work work) {
		assert this.pool.isLocked();
		this.scheduled.addLast(work);
		work.link(this.pool, Work.Link.SCHEDULED, this);
	}

	/**
	 * Runs one item (the kernel's {@code process_one_work}), then the items on this worker's scheduled list
	 * (collided items, or what a rescuer took). An item whose previous instance still runs is not started: on this
	 * pool it goes to the scheduled list of the worker running it; on another pool it is deferred, and the worker
	 * that ends the previous instance links it here again. L on entry and exit; released while a task runs.
	 */
	void processOne(WorkerPool pool, Work work) {
		assert pool.isLocked();
		while (work != null) {
			Worker owner = work.current;
			if (owner == null || !handOff(pool, work, owner)) {
				startItem(pool, work);
				takeBatch(pool, work);
				runItem(pool, work);
				finishItem(pool, work);
			}
			work = this.scheduled.pollFirst();
		}
	}

	/**
	 * Non-reentrancy: the item's previous instance runs on {@code owner}. Hands the item over, unless the previous
	 * instance ended meanwhile and the item is ours to start after all: onto the owner's scheduled list if it is of
	 * this pool and the list can grow, else deferred until the owner ends it (and relinks it here). L
	 * @return true if handed over
	 */
	private boolean handOff(WorkerPool pool, Work work, Worker owner) {
		assert pool.isLocked();
		if (owner.pool == pool) {
			try {
				pool.mayFailToAllocate();
				owner.schedule(work); // owner's current item is stable under our lock: it runs the item next
				return true;
			}
			catch (Throwable ex) { // its list cannot grow (out of memory): defer it, which allocates nothing
				pool.allocationFailed(ex);
			}
		}
		work.defer(pool);
		// The owner clears work.current, then looks for a deferred item; we set deferred, then look at current.
		// One of us sees the other, and the CAS on deferred decides who goes on with the item.
		return work.current != null || !work.takeDeferred();
	}

	/** The item starts: unlinked, accounted for, marked as this worker's. L */
	private void startItem(WorkerPool pool, Work work) {
		assert pool.isLocked();
		PoolWorkqueue pwq = work.pwq;
		work.unlink(pool);
		work.runBy(this);
		work.freeSlot(); // while we still own PENDING: a queueing after it takes a slot of its own
		work.startedByWorker();
		this.currentWork = work;
		this.currentPwq = pwq;
		this.currentColor = work.color;
		pwq.startRunning();
		long now = System.nanoTime();
		this.startedAt = now;
		pool.started(now);
		pool.progressed();
		ITEM_SEQ.setRelease(this, this.itemSeq + 1); // after startedAt: a reader that sees the new value sees it
		if (pwq.wq.cpuIntensive || pool.system.jdkScheduled) { // never counts as running
			this.flags |= CPU_INTENSIVE;
			pool.recount(this);
		}
		else if (!pool.associated || this.rescuer) {
			pool.kick(); // unmanaged: let another worker take the next pending item at once
		}
		else if (!pwq.announcesBlocks()) {
			pool.system.detector.hurry();
		}
	}

	/**
	 * Takes the {@code execute(Runnable)} items that follow {@code first} on the worklist, of its queue, into this
	 * worker's batch, to run after it without taking the lock between them: the lock round trip and the linking done
	 * with it are most of what a tiny item costs. Only for a worker of a managed pool that counts as running, whose
	 * item belongs to no CPU-intensive queue: another worker could not start those items before this one ends its
	 * item anyway. If this worker stops counting as running (it blocked, or turned CPU-intensive: {@link #setFlag}),
	 * or the pool must see every pending item (freeze, CPU offline, a rescuer, termination), the items it has not
	 * started go back to the worklist, in order ({@link #giveBack}). They count as pending until the batch ends. L
	 */
	private void takeBatch(WorkerPool pool, Work first) {
		assert pool.isLocked() && this.batchSize == 0;
		if (this.rescuer || !pool.associated || this.flags != 0 || !first.executed() || !this.scheduled.isEmpty()) {
			return;
		}
		PoolWorkqueue pwq = this.currentPwq;
		int n = 0;
		Work next;
		while (n < this.batch.length && (next = pool.pollIntoBatch(pwq)) != null) {
			this.batch[n] = next;
			this.batchColors[n++] = next.color;
			pwq.startRunning();
		}
		this.batchSize = n;
		this.batchStarted = 0;
		BATCH_NEXT.setRelease(this, 0); // published by the unlock that precedes the items' run
	}

	/**
	 * Gives the unstarted items of this worker's batch back to the front of the worklist, in order: by any lock
	 * holder. Allocates nothing, so never fails (the worklist keeps room for them). L
	 */
	void giveBack() {
		assert this.pool.isLocked();
		int n = this.batchSize;
		if (n == 0 || this.batchNext >= n) {
			return;
		}
		int next = (int) BATCH_NEXT.getAndSet(this, n);
		if (next < n) {
			this.pool.returnFromBatch(this.batch, next, n);
			this.currentPwq.notStarted(n - next);
		}
	}

	/**
	 * Runs the item's task, then the items of its batch, without the pool lock, and answers each run (statistics,
	 * failure handler, listeners, the item's {@code done}) before {@link #finishItem} resolves it.
	 */
	private void runItem(WorkerPool pool, Work work) {
		DefaultWorkqueue wq = work.pwq.wq;
		int batched = this.batchSize;
		pool.unlock();
		try {
			accountCpu(wq);
			run(pool, wq, work, this.startedAt);
			// an item whose node its own code or a failure handler got hold of ends the batch: until the batch ends
			// the item counts as running, and code holding the node could otherwise wait for it from a later item
			for (int i = 0; i < batched && work.executed() && BATCH_NEXT.compareAndSet(this, i, i + 1); i++) {
				this.batchStarted = i + 1;
				work = this.batch[i];
				run(pool, wq, work, startBatched(pool, work));
			}
		}
		finally {
			pool.lock();
			giveBack(); // the items it did not start: an item whose node got out ended the batch, or a failure did
		}
	}

	/**
	 * An item of the batch starts, as {@link #startItem} starts the first, without the lock: no other thread can
	 * reach its node ({@link Work#EXECUTED}), and its queue and pool accounting was done when it was taken. W
	 * @return its start time, or {@link #START_UNKNOWN} if no listener wants it
	 */
	private long startBatched(WorkerPool pool, Work work) {
		work.runBy(this);
		work.startedByWorker();
		this.currentWork = work;
		long start = pool.system.listeners.any() ? System.nanoTime() : START_UNKNOWN;
		this.startedAt = start;
		pool.progressed();
		ITEM_SEQ.setRelease(this, this.itemSeq + 1); // after startedAt: a reader that sees the new value sees it
		if (!this.currentPwq.announcesBlocks()) {
			pool.system.detector.hurry();
		}
		return start;
	}

	/** Runs one item's task and answers the run. Without the lock. */
	private void run(WorkerPool pool, DefaultWorkqueue wq, Work work, long start) {
		WorkqueueCounters.Cell counts = this.counts;
		counts.countStarted();
		boolean timed = start != START_UNKNOWN;
		pool.system.listeners.started(wq, (timed && work.queuedAt != 0) ? start - work.queuedAt : 0);
		IN_ITEM.setRelease(this, true);
		Throwable thrown;
		try {
			thrown = work.runTask();
		}
		finally {
			IN_ITEM.setRelease(this, false);
		}
		Thread.interrupted(); // an item's interrupt must not leak into the next one
		if (this.rescuer) {
			wq.stats.rescued.increment();
		}
		work.answerRun(wq, thrown, (timed && pool.system.listeners.any()) ? System.nanoTime() - start : 0, counts);
	}

	/**
	 * The item ended: the worker's flags are cleared, the pool-workqueue counts it done (activating held-back
	 * items), its flushers and waiters are told, and a deferred next instance on another pool is linked there. L
	 */
	private void finishItem(WorkerPool pool, Work work) {
		assert pool.isLocked();
		PoolWorkqueue pwq = this.currentPwq;
		if (this.flags != 0) {
			if ((this.flags & CPU_INTENSIVE) != 0 && !pwq.wq.cpuIntensive && !pool.system.jdkScheduled) {
				pwq.wq.stats.cpuIntensive.increment();
			}
			setFlags(0);
			this.blockDepth = 0;
			pool.recount(this);
		}
		int started = endBatch(pool);
		this.currentWork = null;
		this.currentPwq = null;
		finished(pool, pwq, work, this.currentColor);
		finishedBatch(pool, pwq, started);
	}

	/**
	 * The first {@code started} items of the batch ran: {@link #finished} for each, but the counts of those whose
	 * nodes reached no other thread ({@link Work#executed}) change once per run of one flush color, and the system's
	 * answered count once for all. Only the last can have escaped: a node escapes only while its item runs, and
	 * {@link #runItem} starts no item after one that escaped. L
	 */
	private void finishedBatch(WorkerPool pool, PoolWorkqueue pwq, int started) {
		int executed = (started > 0 && !this.batch[started - 1].executed()) ? started - 1 : started;
		int from = 0;
		for (int i = 0; i < executed; i++) {
			Work next = this.batch[i];
			this.batch[i] = null;
			assert next.executed();
			next.runBy(null);
			next.resolveExecuted();
			if (i + 1 == executed || this.batchColors[i + 1] != this.batchColors[i]) {
				pwq.finishRunning(this.batchColors[i], i + 1 - from);
				from = i + 1;
			}
		}
		if (executed > 0) {
			pool.system.resolved.add(executed);
		}
		if (executed < started) { // last: finished may release the lock, the others are counted already
			Work escaped = this.batch[executed];
			this.batch[executed] = null;
			finished(pool, pwq, escaped, this.batchColors[executed]);
		}
	}

	/** The batch ended: empties it but for the items this worker started, whose number it returns. L */
	private int endBatch(WorkerPool pool) {
		int n = this.batchSize;
		if (n == 0) {
			return 0;
		}
		int started = this.batchStarted;
		for (int i = started; i < n; i++) {
			this.batch[i] = null; // given back
		}
		this.batchSize = 0;
		pool.batchEnded(started);
		return started;
	}

	/** One item's run ended (see {@link #finishItem}). L */
	private void finished(WorkerPool pool, PoolWorkqueue pwq, Work work, int color) {
		work.runBy(null);
		pwq.finishRunning(color);
		work.resolve(pool.system);
		if (work.isDeferred() && work.takeDeferred()) {
			WorkerPool next = work.linkedPool(); // the item's next instance waits there for this one to end
			pool.unlock(); // never two pool locks at once
			try {
				next.relinkDeferred(work);
			}
			finally {
				pool.lock();
			}
		}
	}

	/**
	 * The queue whose items this worker runs becomes {@code next} (null: none, it goes idle): charges the CPU time
	 * used since the last mark to the previous one and gives back its cell of that queue's counters, then marks for
	 * {@code next} and takes a cell of its counters. W
	 */
	private void accountCpu(DefaultWorkqueue next) {
		if (next == this.cpuWq) {
			return;
		}
		WorkqueueCounters.Cell last = this.counts;
		if (this.cpuWq != null) {
			last.release();
		}
		if (CPU_TIME) {
			long now = THREADS.getCurrentThreadCpuTime();
			if (this.cpuWq != null) {
				this.cpuWq.stats.cpuNanos.add(now - this.cpuMark);
			}
			this.cpuMark = now;
		}
		this.cpuWq = next;
		if (next != null) {
			this.counts = next.stats.takeCell(last);
		}
	}

	/**
	 * Sets or clears a flag and recounts; counts a concurrency-management wake-up on the current item's queue if
	 * that made the pool kick another worker. L
	 */
	void setFlag(int flag, boolean on) {
		assert this.pool.isLocked();
		if (on) {
			giveBack(); // first: a worker that the recount kicks finds them
		}
		setFlags(on ? (this.flags | flag) : (this.flags & ~flag));
		if (this.pool.recount(this) && on && flag != CPU_INTENSIVE && this.currentPwq != null) {
			this.currentPwq.wq.stats.cmWakeups.increment();
			this.pool.countCmWakeup();
		}
	}

	/** L: the only writer of {@link #flags} (but for CPU_INTENSIVE set at item start) and {@link #sleepingHint}. */
	private void setFlags(int flags) {
		this.flags = flags;
		this.sleepingHint = (flags & SLEEPING) != 0;
		setExpecting(false);
	}

	/** The worker said it is about to block ({@link Blocking#expect}): flagged SLEEPING until the detector looks. L */
	void expectBlock() {
		this.currentPwq.blockAnnounced();
		setFlag(SLEEPING, true);
		setExpecting(true);
	}

	/** L: the only writer of {@link #expecting}. */
	void setExpecting(boolean on) {
		if (on != this.expecting) {
			this.expecting = on;
			this.pool.expectingChanged(on);
		}
	}

	@Override
	public String toString() {
		Thread t = this.thread;
		return (t != null) ? t.getName() : ("worker-" + this.id);
	}

}
