package dev.cmwq.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker thread of a {@link WorkerPool} (the kernel's {@code worker}), or the rescuer thread of a
 * {@link WorkqueueFlag#MEM_RECLAIM} queue while it helps a pool.
 *
 * <h2>Flags</h2>
 * While in its work loop a worker counts as running for concurrency management unless one of its
 * {@link #flags} is set: {@link #SLEEPING} (the detector found it blocked), {@link #BLOCKING} (it announced a
 * block through {@link Blocking}) or {@link #CPU_INTENSIVE} (its item is CPU-intensive, by flag or by running
 * longer than the threshold without blocking). Flags are cleared when the item ends.
 *
 * <p>Legend: {@code I} set before the thread starts; {@code L} guarded by {@code pool.lock}; {@code W} written
 * only by the worker's own thread; {@code V} volatile, written by the worker or under the lock, read without it;
 * {@code D} owned by the block detector's thread.
 */
final class Worker implements Runnable {

	enum State {

		IDLE, WAKING, BUSY, DEAD

	}

	static final int SLEEPING = 1;

	static final int BLOCKING = 2;

	static final int CPU_INTENSIVE = 4;

	static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();

	private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

	private static final boolean CPU_TIME = THREADS.isCurrentThreadCpuTimeSupported();

	/** I for pool workers; for a rescuer, W (changed while it is attached to no pool). */
	WorkerPool pool;

	final int id; // I

	final boolean rescuer; // I

	/** I: set before the thread starts (null until a pool worker's thread is created). */
	volatile Thread thread;

	State state = State.WAKING; // L

	int flags; // L

	/** Whether the worker is in its work loop. L */
	boolean inLoop;

	/** Whether the worker is counted in pool.nrRunning. L */
	boolean counted;

	/** Nesting depth of {@link Blocking} sections. L */
	int blockDepth;

	/** Collided items: requeued while this worker runs them, to run after. L */
	final ArrayDeque<Work> scheduled = new ArrayDeque<>(2);

	Work currentWork; // L (also read by Blocking on the worker's own thread)

	PoolWorkqueue currentPwq; // L

	private int currentColor; // L

	private long idleSince; // L

	/** Whether the thread is inside an item's task (not in the engine's own bookkeeping). V */
	volatile boolean inItem;

	/** Incremented at each item start. V */
	volatile long itemSeq;

	/** When the item started, or last woke from a detected block. V */
	volatile long runningSince;

	/** Mirror of {@code flags & SLEEPING} for the detector. V */
	volatile boolean sleepingHint;

	/** The item at whose previous scan only the kernel saw this worker blocked, or -1. D */
	long kernelBlockedSeq = -1;

	/** The kernel's view of this thread's state; set by the worker at start. V */
	volatile ThreadStateProbe probe = ThreadStateProbe.NONE;

	private DefaultWorkqueue cpuWq; // W

	private long cpuMark; // W

	Worker(WorkerPool pool, int id, boolean rescuer) {
		this.pool = pool;
		this.id = id;
		this.rescuer = rescuer;
	}

	static Worker current() {
		return CURRENT.get();
	}

	@Override
	public void run() {
		CURRENT.set(this);
		this.probe = ThreadStateProbe.forCurrentThread();
		WorkerPool pool = this.pool;
		pool.lock.lock();
		try {
			workerThread(pool);
		}
		finally {
			pool.lock.unlock();
			CURRENT.remove();
			this.probe.close();
		}
	}

	/**
	 * The worker's life (the kernel's {@code worker_thread}). Entered WAKING with the lock held; returns with the
	 * lock held once the worker is DEAD.
	 */
	private void workerThread(WorkerPool pool) {
		for (;;) {
			pool.nrWaking--;
			this.state = State.BUSY;
			if (pool.mayStartWorking()) {
				this.inLoop = true;
				pool.recount(this);
				do {
					processOne(pool, pool.pollWorklist());
				}
				while (pool.keepWorking());
				this.inLoop = false;
				pool.wake(pool.recount(this)); // rarely needed (the worklist is empty or another worker runs)
			}
			accountCpu(null);
			if (!waitForWork(pool)) {
				return;
			}
		}
	}

	/**
	 * Parks on the idle list until kicked (true), or until the worker exits (false): after the idle timeout when
	 * the pool has too many idle workers, or when the system terminates. L on entry and exit.
	 */
	private boolean waitForWork(WorkerPool pool) {
		this.state = State.IDLE;
		this.idleSince = System.nanoTime();
		pool.idle.addFirst(this);
		long timeout = pool.system.idleTimeoutNanos;
		for (;;) {
			if (pool.system.isTerminated()) {
				break;
			}
			long idleFor = System.nanoTime() - this.idleSince;
			if (idleFor >= timeout && pool.tooManyWorkers()) {
				break;
			}
			pool.lock.unlock();
			try {
				LockSupport.parkNanos(this, (idleFor >= timeout) ? timeout : timeout - idleFor);
				Thread.interrupted(); // an interrupt must not turn parking into spinning
			}
			finally {
				pool.lock.lock();
			}
			if (this.state == State.WAKING) {
				return true; // kicked: the kicker took us off the idle list
			}
		}
		pool.idle.remove(this);
		pool.removeWorker(this);
		this.state = State.DEAD;
		return false;
	}

	/**
	 * Runs one item (the kernel's {@code process_one_work}), then any collided items handed to this worker.
	 * L on entry and exit; the lock is released while the task runs.
	 */
	void processOne(WorkerPool pool, Work work) {
		while (work != null) {
			Worker owner = work.current;
			if (owner != null) {
				// Non-reentrancy: the item is running on another worker of this pool; that worker runs it next.
				owner.scheduled.addLast(work);
				work.link = Work.Link.SCHEDULED;
				work.scheduledOn = owner;
				return;
			}
			runLocked(pool, work);
			work = this.scheduled.pollFirst();
		}
	}

	private void runLocked(WorkerPool pool, Work work) {
		PoolWorkqueue pwq = work.pwq;
		DefaultWorkqueue wq = pwq.wq;
		work.linkedPool = null;
		work.link = Work.Link.NONE;
		work.scheduledOn = null;
		work.current = this;
		work.startedByWorker();
		this.currentWork = work;
		this.currentPwq = pwq;
		this.currentColor = work.color;
		pwq.nrRunning++;
		long start = System.nanoTime();
		long waited = start - work.queuedAt;
		pool.lastProgress = start;
		this.runningSince = start;
		this.itemSeq++;
		Worker toWake = null;
		if (wq.cpuIntensive) {
			this.flags |= CPU_INTENSIVE;
			toWake = pool.recount(this);
		}
		else if (!pool.associated || this.rescuer) {
			toWake = pool.kick(); // unmanaged: let another worker take the next pending item at once
		}
		boolean watch = pool.associated && pool.nrPending > 0;
		pool.lock.unlock();
		Throwable failure = null;
		try {
			pool.wake(toWake);
			if (watch) {
				pool.system.detector.watch(); // items wait behind this one: watch whether it blocks
			}
			wq.stats.started.increment();
			accountCpu(wq);
			pool.system.listeners.started(wq, waited);
			this.inItem = true;
			try {
				work.task().run();
			}
			catch (Throwable ex) {
				failure = ex;
			}
			finally {
				this.inItem = false;
			}
			Thread.interrupted(); // an item's interrupt must not leak into the next one
			long executed = System.nanoTime() - start;
			if (failure != null) {
				wq.stats.failed.increment();
				pool.system.reportFailure(wq, work, failure);
			}
			else {
				wq.stats.completed.increment();
			}
			if (this.rescuer) {
				wq.stats.rescued.increment();
			}
			pool.system.listeners.finished(wq, executed, failure);
		}
		finally {
			pool.lock.lock();
		}
		List<Worker> toWakeAfter;
		if (this.flags != 0) {
			if ((this.flags & CPU_INTENSIVE) != 0 && !wq.cpuIntensive) {
				wq.stats.cpuIntensive.increment();
			}
			this.flags = 0;
			this.sleepingHint = false;
			this.blockDepth = 0;
			pool.recount(this);
		}
		work.current = null;
		this.currentWork = null;
		this.currentPwq = null;
		pwq.nrRunning--;
		pwq.nrActive--;
		pwq.inFlightDone(this.currentColor);
		toWakeAfter = pool.activateHeld(pwq, null);
		work.resolve(pool.system);
		if (toWakeAfter != null) {
			pool.lock.unlock();
			try {
				pool.wakeAll(toWakeAfter);
			}
			finally {
				pool.lock.lock();
			}
		}
	}

	/** Charges the CPU time used since the last mark to the queue whose items ran, and marks for {@code next}. W */
	private void accountCpu(DefaultWorkqueue next) {
		if (!CPU_TIME || next == this.cpuWq) {
			return;
		}
		long now = THREADS.getCurrentThreadCpuTime();
		if (this.cpuWq != null) {
			this.cpuWq.stats.cpuNanos.add(now - this.cpuMark);
		}
		this.cpuWq = next;
		this.cpuMark = now;
	}

	/** Sets or clears a flag and recounts; returns a worker to wake. L */
	Worker setFlag(int flag, boolean on) {
		this.flags = on ? (this.flags | flag) : (this.flags & ~flag);
		this.sleepingHint = (this.flags & SLEEPING) != 0;
		return this.pool.recount(this);
	}

	@Override
	public String toString() {
		Thread t = this.thread;
		return (t != null) ? t.getName() : ("worker-" + this.id);
	}

}
