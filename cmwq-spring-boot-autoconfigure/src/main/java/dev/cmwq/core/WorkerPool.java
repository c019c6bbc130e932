package dev.cmwq.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool of worker threads shared by every workqueue that uses it (the kernel's {@code worker_pool}): per logical
 * CPU a normal and a highpri pool, plus an unbound normal and highpri pool.
 *
 * <h2>Concurrency management</h2>
 * A bound pool whose CPU is online is <em>associated</em> and concurrency managed: it starts an item only while
 * none of its workers counts as running ({@link #nrRunning} is 0). A worker stops counting while it is blocked
 * (found by the {@link BlockDetector} or announced through {@link Blocking}) or runs a CPU-intensive item, and
 * the pool then kicks another worker if items are pending. Unbound pools, and bound pools whose CPU is offline
 * (their workers are <em>rogue</em>), start items as soon as a worker can take them.
 *
 * <h2>Workers</h2>
 * A worker is IDLE (on {@link #idle}, parked), WAKING (kicked, or created, and about to look for work: counted in
 * {@link #nrWaking}), BUSY (in its work loop) or DEAD. Kicking takes an idle worker off the idle list under the
 * lock, so an idle worker that times out and decides to exit (also under the lock) can never be the one an item
 * was handed to: no item is lost to an exiting worker (the race of the lazy-workqueue patches).
 *
 * <p>Legend for fields: {@code I} set at construction; {@code L} guarded by {@link #lock}; {@code V} volatile
 * mirror written under the lock and read without it.
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

	final ReentrantLock lock = new ReentrantLock();

	/** Activated items waiting for a worker, oldest first. L */
	private final ArrayDeque<Work> worklist = new ArrayDeque<>();

	/** Idle workers, most recently idle first. L */
	final ArrayDeque<Worker> idle = new ArrayDeque<>();

	/** All live workers. L; {@link #workerArray} is its copy for lock-free readers. */
	private final List<Worker> workers = new ArrayList<>();

	/** V: copy of {@link #workers}, replaced on every change. */
	volatile Worker[] workerArray = new Worker[0];

	/** Workers counted as running. L */
	int nrRunning;

	/** Workers kicked or created and not yet in their work loop. L */
	int nrWaking;

	/** Whether the pool's CPU is online (bound pools); unbound pools are never associated. L, V */
	volatile boolean associated;

	/** V: worklist size. */
	volatile int nrPending;

	private int nextWorkerId; // L

	/** Whether a mayday timer is armed. L */
	private boolean maydayArmed;

	/** V: System.nanoTime() of the last item start, or of the moment the worklist last became non-empty. */
	volatile long lastProgress = System.nanoTime();

	/** Whether the watchdog reports the pool as stalled; written by the watchdog only. */
	volatile boolean stalled;

	/** Times the watchdog reported the pool as stalled; written by the watchdog only. */
	volatile long stalls;

	WorkerPool(WorkqueueSystem system, int index, int cpu, boolean highpri) {
		this.system = system;
		this.index = index;
		this.cpu = cpu;
		this.highpri = highpri;
		this.associated = cpu >= 0;
		this.id = (cpu >= 0 ? "cpu" + cpu : "unbound") + (highpri ? "-highpri" : "");
	}

	Kind kind() {
		return this.cpu < 0 ? Kind.UNBOUND : (this.highpri ? Kind.HIGHPRI : Kind.NORMAL);
	}

	// --- queueing ----------------------------------------------------------------------------------------------

	/**
	 * Links a claimed item for {@code pwq}: straight onto the worklist if the queue's limit allows, else onto its
	 * held-back list. Kicks a worker if one is needed.
	 */
	void enqueue(Work work, PoolWorkqueue pwq) {
		Worker toWake = null;
		boolean watch;
		this.lock.lock();
		try {
			work.pwq = pwq;
			work.color = pwq.wq.workColor;
			work.queuedAt = System.nanoTime();
			pwq.nrInFlight[work.color]++;
			if (pwq.mayActivateNew()) {
				pwq.nrActive++;
				addToWorklist(work);
				toWake = kick();
			}
			else {
				pwq.inactive.addLast(work);
				work.link = Work.Link.INACTIVE;
			}
			work.linkedPool = this;
			watch = this.associated && this.nrPending > 0;
		}
		finally {
			this.lock.unlock();
		}
		wake(toWake);
		if (watch) {
			this.system.detector.watch();
		}
		this.system.watchdog.arm();
	}

	/** L */
	private void addToWorklist(Work work) {
		if (this.worklist.isEmpty()) {
			this.lastProgress = System.nanoTime();
		}
		this.worklist.addLast(work);
		work.link = Work.Link.WORKLIST;
		this.nrPending = this.worklist.size();
	}

	/** L: the next item to start, or null. */
	Work pollWorklist() {
		Work work = this.worklist.pollFirst();
		if (work != null) {
			this.nrPending = this.worklist.size();
		}
		return work;
	}

	/**
	 * Removes a pending item from wherever it is linked on this pool (cancel and mod-delayed paths).
	 * @return false if the item is no longer linked here
	 */
	boolean unlinkPending(Work work) {
		List<Worker> toWake;
		this.lock.lock();
		try {
			if (work.linkedPool != this) {
				return false;
			}
			PoolWorkqueue pwq = work.pwq;
			switch (work.link) {
				case WORKLIST -> {
					this.worklist.remove(work);
					this.nrPending = this.worklist.size();
					pwq.nrActive--;
				}
				case SCHEDULED -> {
					work.scheduledOn.scheduled.remove(work);
					work.scheduledOn = null;
					pwq.nrActive--;
				}
				case INACTIVE -> pwq.inactive.remove(work);
				default -> throw new IllegalStateException("linked item without a list: " + work);
			}
			work.linkedPool = null;
			work.link = Work.Link.NONE;
			pwq.inFlightDone(work.color);
			toWake = activateHeld(pwq, null);
		}
		finally {
			this.lock.unlock();
		}
		wakeAll(toWake);
		return true;
	}

	/**
	 * Activates held-back items of {@code pwq} while its limit allows. L
	 * @return workers to wake once the lock is released (may be {@code into} or a new list)
	 */
	List<Worker> activateHeld(PoolWorkqueue pwq, List<Worker> into) {
		while (pwq.mayActivateHeld()) {
			Work work = pwq.inactive.pollFirst();
			pwq.nrActive++;
			addToWorklist(work);
			Worker w = kick();
			if (w != null) {
				if (into == null) {
					into = new ArrayList<>(2);
				}
				into.add(w);
			}
		}
		return into;
	}

	/**
	 * Takes activated, not yet started items of {@code pwq} back to the front of its held-back list, in order
	 * (freezing). L
	 */
	void deactivatePending(PoolWorkqueue pwq) {
		ArrayDeque<Work> taken = new ArrayDeque<>();
		for (Iterator<Work> it = this.worklist.iterator(); it.hasNext();) {
			Work work = it.next();
			if (work.pwq == pwq) {
				it.remove();
				taken.addLast(work);
			}
		}
		this.nrPending = this.worklist.size();
		for (Iterator<Work> it = taken.descendingIterator(); it.hasNext();) {
			Work work = it.next();
			pwq.inactive.addFirst(work);
			work.link = Work.Link.INACTIVE;
			pwq.nrActive--;
		}
	}

	/** Removes and returns the worklist items of {@code pwq}, in order (the rescuer takes them). L */
	List<Work> takePending(PoolWorkqueue pwq) {
		List<Work> taken = new ArrayList<>();
		for (Iterator<Work> it = this.worklist.iterator(); it.hasNext();) {
			Work work = it.next();
			if (work.pwq == pwq) {
				it.remove();
				taken.add(work);
			}
		}
		this.nrPending = this.worklist.size();
		return taken;
	}

	// --- workers -----------------------------------------------------------------------------------------------

	/** Whether another worker should be woken: items wait and no worker will take them. L */
	boolean needMoreWorker() {
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
		return !this.worklist.isEmpty() && (!this.associated || this.nrRunning == 0) && !this.system.isTerminated();
	}

	/** Whether a worker that finished an item should take the next one. L */
	boolean keepWorking() {
		return !this.worklist.isEmpty() && (!this.associated || this.nrRunning <= 1) && !this.system.isTerminated();
	}

	/**
	 * Picks a worker to handle pending items if one is needed: the most recently idle one, else a new one.
	 * The caller must pass the result to {@link #wake(Worker)} after releasing the lock. L
	 * @return the worker to wake or start, or null
	 */
	Worker kick() {
		if (!needMoreWorker() || this.system.isTerminated()) {
			return null;
		}
		Worker worker = this.idle.pollFirst();
		if (worker == null) {
			if (this.workers.size() >= this.system.maxWorkersPerPool) {
				noteShortage();
				return null;
			}
			worker = new Worker(this, this.nextWorkerId++, false);
			addWorker(worker);
		}
		worker.state = Worker.State.WAKING;
		this.nrWaking++;
		return worker;
	}

	/** Unparks a kicked worker, or starts the thread of a new one. Call without the lock. */
	void wake(Worker worker) {
		if (worker == null) {
			return;
		}
		if (worker.thread != null) {
			LockSupport.unpark(worker.thread);
			return;
		}
		Thread thread = null;
		try {
			ThreadFactory factory = this.system.threadFactory;
			thread = factory.newThread(worker);
			if (thread != null) {
				thread.setName("cmwq-" + this.id + "-w" + worker.id);
				thread.setDaemon(true);
				worker.thread = thread;
				thread.start();
			}
		}
		catch (Throwable ex) { // OutOfMemoryError "unable to create native thread", a refusing factory, ...
			WorkqueueSystem.LOG.warn("Pool {} could not start a worker thread: {}", this.id, ex.toString());
			thread = null;
		}
		if (thread == null) {
			this.lock.lock();
			try {
				removeWorker(worker);
				this.nrWaking--;
				worker.state = Worker.State.DEAD;
				noteShortage(); // items stay pending; the mayday timer retries and calls the rescuers
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	void wakeAll(List<Worker> toWake) {
		if (toWake != null) {
			for (Worker worker : toWake) {
				wake(worker);
			}
		}
	}

	/** L */
	private void addWorker(Worker worker) {
		this.workers.add(worker);
		this.workerArray = this.workers.toArray(new Worker[0]);
	}

	/** L */
	void removeWorker(Worker worker) {
		this.workers.remove(worker);
		this.workerArray = this.workers.toArray(new Worker[0]);
	}

	/**
	 * Whether an idle worker that has been idle for the idle timeout should exit: the pool keeps one idle worker
	 * per four busy ones, and lets the rest go (down to none when nothing is busy). L
	 */
	boolean tooManyWorkers() {
		int nrIdle = this.idle.size();
		int nrBusy = this.workers.size() - nrIdle;
		return nrIdle * 4 > nrBusy;
	}

	/**
	 * Recomputes whether {@code worker} counts as running after its flags or state changed. L
	 * @return a worker to wake if the change left pending items without a running worker
	 */
	Worker recount(Worker worker) {
		boolean counts = worker.inLoop && worker.flags == 0;
		if (counts == worker.counted) {
			return null;
		}
		worker.counted = counts;
		if (counts) {
			this.nrRunning++;
			return null;
		}
		this.nrRunning--;
		return kick();
	}

	// --- mayday ------------------------------------------------------------------------------------------------

	/** A worker is needed but none can be had: arm the mayday timer. L */
	private void noteShortage() {
		if (!this.maydayArmed && !this.system.isTerminated()) {
			this.maydayArmed = true;
			this.system.timers.schedule(this::maydayTimeout, this.system.maydayIntervalNanos);
		}
	}

	/**
	 * The mayday timer fired: if items still wait for a worker, ask the rescuers of their queues for help and try
	 * again to get a worker (the kernel's {@code pool_mayday_timeout}).
	 */
	private void maydayTimeout() {
		Worker toWake;
		List<PoolWorkqueue> maydays = new ArrayList<>();
		this.lock.lock();
		try {
			this.maydayArmed = false;
			if (!needMoreWorker()) {
				return;
			}
			for (Work work : this.worklist) {
				PoolWorkqueue pwq = work.pwq;
				if (pwq.wq.rescuer != null && !maydays.contains(pwq)) {
					maydays.add(pwq);
				}
			}
			toWake = kick(); // retry; re-arms the timer if it still cannot get a worker
		}
		finally {
			this.lock.unlock();
		}
		for (PoolWorkqueue pwq : maydays) {
			pwq.wq.rescuer.mayday(pwq);
		}
		wake(toWake);
	}

	// --- operator controls ---------------------------------------------------------------------------------------

	/** CPU offline: stop concurrency management; the workers turn rogue and drain what is here. */
	void disassociate() {
		List<Worker> toWake = null;
		this.lock.lock();
		try {
			this.associated = false;
			Worker w;
			while ((w = kick()) != null) {
				if (toWake == null) {
					toWake = new ArrayList<>();
				}
				toWake.add(w);
			}
		}
		finally {
			this.lock.unlock();
		}
		wakeAll(toWake);
	}

	/** CPU online: the rogue workers are bound again and concurrency management resumes. */
	void associate() {
		Worker toWake;
		this.lock.lock();
		try {
			this.associated = true;
			toWake = kick();
		}
		finally {
			this.lock.unlock();
		}
		wake(toWake);
	}

	/** Wakes every idle worker so that it sees the system has terminated and exits. */
	void terminate() {
		List<Worker> idleWorkers;
		this.lock.lock();
		try {
			idleWorkers = new ArrayList<>(this.idle);
		}
		finally {
			this.lock.unlock();
		}
		for (Worker worker : idleWorkers) {
			if (worker.thread != null) {
				LockSupport.unpark(worker.thread);
			}
		}
	}

	/** Items (and their owners) of the workers that are running something now, for the watchdog's report. */
	List<String> describeBusyWorkers() {
		List<String> result = new ArrayList<>();
		this.lock.lock();
		try {
			for (Worker worker : this.workers) {
				Work work = worker.currentWork;
				if (work != null) {
					result.add((worker.thread != null ? worker.thread.getName() : "w" + worker.id) + " running "
							+ work.task() + " of " + worker.currentPwq.wq.name());
				}
			}
		}
		finally {
			this.lock.unlock();
		}
		return result;
	}

	PoolSnapshot snapshot() {
		this.lock.lock();
		try {
			int nrWorkers = this.workers.size();
			int nrIdle = this.idle.size();
			boolean online = this.cpu < 0 || this.associated;
			int nrBlocked = 0;
			for (Worker worker : this.workers) {
				if ((worker.flags & (Worker.SLEEPING | Worker.BLOCKING)) != 0) {
					nrBlocked++;
				}
			}
			return new PoolSnapshot(this.id, (this.cpu < 0) ? null : this.cpu, kind().label, online, nrWorkers,
					nrWorkers - nrIdle, nrIdle, online ? 0 : nrWorkers, this.nrRunning, nrBlocked, this.worklist.size(),
					this.stalled, this.stalls);
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public String toString() {
		return "WorkerPool[" + this.id + "]";
	}

}
