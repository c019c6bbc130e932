package dev.cmwq.core;

/**
 * The link between one workqueue and one worker pool (the kernel's {@code pool_workqueue}): it enforces the
 * queue's {@code maxActive} on that pool, holds the items over the limit (and, while frozen, all of them) in
 * FIFO order, and counts items in flight per flush color.
 *
 * <p>Once thousands of items are held back ({@link WorkqueueSystem#bareTasksAfter}), a further item queued with
 * {@code execute(Runnable)} is kept as its bare task, with no {@link Work} node ({@link #queueTask}): such an item
 * has no identity a caller could name (it cannot be cancelled or flushed alone), so it needs only its task, its flush
 * color, whether it holds a capacity slot (the same for long runs of items: {@link #taskRuns} counts them) and, only
 * while listeners are registered, when it was queued ({@link #queuedAt}). It gets its node when it is activated
 * ({@link Work#heldTask}). A flood that outruns the workers thus costs a reference per item, as a thread pool's
 * array-backed queue does, while a producer that is only a little ahead keeps queueing without the pool lock.
 *
 * <p>Every mutable field is guarded by {@code pool}'s lock (L) and changed only by the methods below, named after
 * the event (the kernel's {@code pwq_activate_*}, {@code pwq_dec_nr_in_flight}).
 */
final class PoolWorkqueue {

	final DefaultWorkqueue wq; // I

	final WorkerPool pool; // I

	/** The queue's limit as last applied to this pool. L */
	private int maxActive;

	/** Whether the system is frozen and the queue is freezable: nothing is activated. L */
	private boolean frozen;

	/** Items activated: on the worklist, on a worker's scheduled list, deferred, or running. L */
	private int nrActive;

	/** Items of this queue running on this pool now. L */
	private int nrRunning;

	/**
	 * Items queued but held back by maxActive or freezing, oldest first: a {@link Work}, or the bare task of an item
	 * queued with {@code execute} ({@link #queueTask}). L
	 */
	private final Ring<Object> inactive = new Ring<>(4);

	/** {@code inactive.size()}; L, read without the lock as a hint ({@link #holdsMany}). */
	private int nrHeld;

	/**
	 * The flush color, slot and timing of the bare tasks in {@link #inactive}, in the same order: one {@link TaskRun}
	 * per run of consecutive bare tasks (Work items in between do not break a run) that share all three. L
	 */
	private final Ring<TaskRun> taskRuns = new Ring<>(2);

	/** When each bare task of a timed {@link TaskRun} was queued, oldest first (listeners are told). L */
	private final LongRing queuedAt = new LongRing();

	/** Items queued and not finished, per flush color (see {@link DefaultWorkqueue#flush()}). L */
	private final int[] nrInFlight = new int[2];

	/** Whether {@link #retryActivation} is scheduled (an activation failed). L */
	private boolean retryArmed;

	/** The color a flusher waits for on this pool, or -1. L */
	private int flushColor = -1;

	/**
	 * Blocks of this queue's items here that were announced ({@link Blocking}) since the block detector last found
	 * one that was not, up to {@link #ANNOUNCING}. L; read by the detector without the lock, as a hint.
	 */
	private int announcedBlocks;

	/** Announced blocks in a row after which the detector trusts a queue's items to announce theirs. */
	static final int ANNOUNCING = 8;

	PoolWorkqueue(DefaultWorkqueue wq, WorkerPool pool, int maxActive, boolean frozen) {
		this.wq = wq;
		this.pool = pool;
		this.maxActive = maxActive;
		this.frozen = frozen;
	}

	/** An item of this queue announced a block ({@link Blocking}). L */
	void blockAnnounced() {
		assert this.pool.isLocked();
		if (this.announcedBlocks < ANNOUNCING) {
			this.announcedBlocks++;
		}
	}

	/** The block detector found an item of this queue blocked that had not said so: its items are watched again. L */
	void blockFound() {
		assert this.pool.isLocked();
		this.announcedBlocks = 0;
	}

	/**
	 * Whether this queue's items have announced their last {@link #ANNOUNCING} blocks, with none found unannounced
	 * since: the detector then looks at workers running them only every few milliseconds ({@link BlockDetector}). A
	 * hint (no lock).
	 */
	boolean announcesBlocks() {
		return this.announcedBlocks >= ANNOUNCING;
	}

	/**
	 * An item of flush color {@code color} is queued here under the lock ({@link #queueTask}): it counts in flight
	 * until it ends, and in its pool's load. L
	 */
	void addInFlight(int color) {
		countInFlight(color);
		this.pool.itemsQueued(1);
	}

	/**
	 * An item of flush color {@code color} arrives here from its pool's incoming stack, counted in the pool's load
	 * already ({@code WorkerPool.drainIncoming}): it counts in flight until it ends. L
	 */
	void countInFlight(int color) {
		assert this.pool.isLocked();
		this.nrInFlight[color]++;
		if (color == this.flushColor) {
			// queued with the color a flusher awaits, but linked only after the flusher counted this pool (the queuer
			// took the color before the flip and pushed after the visit): the flusher waits for it too, since its
			// end counts down (inFlightDone)
			this.wq.flushAwaits();
		}
	}

	/**
	 * Whether so many items are held back here that a new one should be held as a bare task ({@link #queueTask}):
	 * a racy read of a field guarded by the lock, so only a hint ({@code queueTask} decides under the lock).
	 */
	boolean holdsMany() {
		return this.nrHeld >= this.wq.system.bareTasksAfter;
	}

	/**
	 * An item queued with {@code execute(Runnable)} arrives, accepted (its capacity slot taken if {@code slotted})
	 * with flush color {@code color}: held back as its bare task, or, if it may start at once, given its
	 * {@link Work} node and activated. Commits entirely or, if it throws (out of memory), changes nothing. L
	 */
	void queueTask(Runnable task, int color, boolean slotted, long queuedAt) {
		placeTask(task, color, slotted, queuedAt);
		addInFlight(color);
	}

	/**
	 * {@link #queueTask} of an item counted in flight already ({@link #addInFlight(int)}): held back or activated.
	 * Commits entirely or, if it throws (out of memory), changes nothing. L
	 */
	void placeTask(Runnable task, int color, boolean slotted, long queuedAt) {
		assert this.pool.isLocked() && !(task instanceof Work) && !this.pool.system.isTerminated();
		if (mayActivateNew()) {
			this.pool.addToWorklist(Work.heldTask(task, this, color, slotted, queuedAt));
			activate();
			return;
		}
		boolean timed = queuedAt != 0;
		TaskRun last = this.taskRuns.peekLast();
		boolean sameRun = last != null && last.color == color && last.slotted == slotted && last.timed == timed;
		this.pool.mayFailToAllocate();
		TaskRun run = sameRun ? null : new TaskRun(color, slotted, timed);
		// three lists grow here: one that cannot grow (out of memory) changes nothing, and the ones before it are undone
		this.inactive.addLast(task);
		try {
			if (run != null) {
				this.taskRuns.addLast(run);
			}
			if (timed) {
				this.queuedAt.addLast(queuedAt);
			}
		}
		catch (Throwable ex) {
			if (run != null && this.taskRuns.peekLast() == run) {
				this.taskRuns.pollLast();
			}
			this.inactive.pollLast();
			throw ex;
		}
		if (sameRun) {
			last.count++;
		}
		this.nrHeld++;
		activateIfRoom();
	}

	/** Whether a newly queued item may go straight to the worklist (keeps FIFO with held-back items). L */
	boolean mayActivateNew() {
		assert this.pool.isLocked();
		return !this.frozen && this.inactive.isEmpty() && this.nrActive < this.maxActive;
	}

	/** An item becomes active (goes to the worklist). L */
	void activate() {
		assert this.pool.isLocked();
		this.nrActive++;
	}

	/** An active item that had not started leaves: cancelled, or taken back by a freeze. L */
	void deactivate() {
		assert this.pool.isLocked() && this.nrActive > 0;
		this.nrActive--;
	}

	/** A newly queued item is held back, last in line. Changes nothing if it throws (out of memory). L */
	void hold(Work work) {
		assert this.pool.isLocked();
		this.pool.mayFailToAllocate();
		this.inactive.addLast(work);
		this.nrHeld++;
		work.link(this.pool, Work.Link.INACTIVE, null);
		activateIfRoom();
	}

	/**
	 * An item was held back only because others are, though the limit has room: an activation failed (out of
	 * memory); try again now. L
	 */
	private void activateIfRoom() {
		if (!this.frozen && this.nrActive < this.maxActive) {
			activateHeld();
		}
	}

	/** Makes room on the held-back list for {@code n} items taken back by a freeze. Changes nothing if it throws. L */
	void roomToHold(int n) {
		assert this.pool.isLocked();
		this.inactive.ensureRoom(n);
	}

	/** An activated item is taken back to the front of the line (freezing), where {@link #roomToHold} made room. L */
	void holdFirst(Work work) {
		assert this.pool.isLocked();
		this.inactive.addFirst(work);
		this.nrHeld++;
		work.link(this.pool, Work.Link.INACTIVE, null);
	}

	/** A held-back item is cancelled. L */
	void unhold(Work work) {
		assert this.pool.isLocked();
		boolean held = this.inactive.remove(work);
		assert held : work + " is not held back here";
		this.nrHeld--;
	}

	/** Takes the oldest held-back item out (termination, activation), or null. Changes nothing if it throws. L */
	Work pollHeld() {
		Work work = peekHeld();
		if (work != null) {
			removeFirstHeld();
		}
		return work;
	}

	/**
	 * The oldest held-back item, still held, or null: a bare task gets its {@link Work} node here (each call a new
	 * one), so this may throw (out of memory), and changes nothing. L
	 */
	private Work peekHeld() {
		assert this.pool.isLocked();
		Object held = this.inactive.peekFirst();
		if (held == null || held instanceof Work) {
			return (Work) held;
		}
		this.pool.mayFailToAllocate();
		TaskRun run = this.taskRuns.getFirst();
		return Work.heldTask((Runnable) held, this, run.color, run.slotted, run.timed ? this.queuedAt.peekFirst() : 0);
	}

	/** Removes the oldest held-back item, whose node {@link #peekHeld} gave. L */
	private void removeFirstHeld() {
		Object held = this.inactive.pollFirst();
		this.nrHeld--;
		if (held instanceof Work) {
			return;
		}
		TaskRun run = this.taskRuns.getFirst();
		if (--run.count == 0) {
			this.taskRuns.pollFirst();
		}
		if (run.timed) {
			this.queuedAt.pollFirst();
		}
	}

	/**
	 * Activates held-back items while the limit allows (the kernel's {@code pwq_activate_first_inactive}): after an
	 * item ends or is cancelled, when the limit is raised, at thaw, and when an item is held back behind others
	 * while the limit has room (after an activation that failed). Never throws: where an item cannot get its node
	 * or the worklist cannot grow (out of memory), it stays held, first in line, until the next of these. L
	 */
	void activateHeld() {
		assert this.pool.isLocked();
		while (!this.frozen && !this.inactive.isEmpty() && this.nrActive < this.maxActive) {
			try {
				this.pool.addToWorklist(peekHeld()); // both change nothing if they throw
			}
			catch (Throwable ex) {
				activationFailed(ex);
				return;
			}
			removeFirstHeld();
			this.nrActive++;
		}
		this.pool.allocationSucceeded();
	}

	/**
	 * Activating a held-back item failed (out of memory) and changed nothing: reports it and retries after the
	 * mayday interval, unless a retry is scheduled already. Never throws. L
	 */
	private void activationFailed(Throwable failure) {
		this.pool.allocationFailed(failure);
		try {
			if (!this.retryArmed
					&& this.wq.system.timers.schedule(this::retryActivation, this.wq.system.maydayIntervalNanos) != null) {
				this.retryArmed = true;
			}
		}
		catch (Throwable ex) {
			// out of memory again: the next item that ends, or is queued here, tries again
		}
	}

	private void retryActivation() {
		this.pool.lock();
		try {
			this.retryArmed = false;
			activateHeld();
		}
		finally {
			this.pool.unlock();
		}
	}

	/** Applies a new limit and activates what it lets in. L */
	void setMaxActive(int maxActive) {
		assert this.pool.isLocked();
		this.maxActive = maxActive;
		activateHeld();
	}

	/** Freezes (takes activated, not started items back into line) or thaws (activates them again). L */
	void setFrozen(boolean frozen) {
		assert this.pool.isLocked();
		this.frozen = frozen;
		if (frozen) {
			this.pool.deactivatePending(this);
		}
		else {
			activateHeld();
		}
	}

	/** An item of this queue starts on a worker of the pool. L */
	void startRunning() {
		assert this.pool.isLocked();
		this.nrRunning++;
	}

	/** Items taken into a worker's batch, counted as running, went back to the worklist unstarted. L */
	void notStarted(int n) {
		assert this.pool.isLocked() && this.nrRunning >= n;
		this.nrRunning -= n;
	}

	/**
	 * An item of this queue finished on the pool (the kernel's {@code pwq_dec_nr_in_flight}): it leaves the running
	 * and active counts and its flush color, and held-back items may move up. L
	 */
	void finishRunning(int color) {
		finishRunning(color, 1);
	}

	/** {@link #finishRunning(int)} for {@code n} items of color {@code color} at once. L */
	void finishRunning(int color, int n) {
		assert this.pool.isLocked() && this.nrRunning >= n && this.nrActive >= n;
		this.nrRunning -= n;
		this.nrActive -= n;
		inFlightDone(color, n);
		activateHeld();
	}

	/** One queued item of color {@code color} is finished or cancelled. L */
	void inFlightDone(int color) {
		inFlightDone(color, 1);
	}

	private void inFlightDone(int color, int n) {
		assert this.pool.isLocked() && this.nrInFlight[color] >= n;
		this.nrInFlight[color] -= n;
		this.pool.itemsAnswered(n);
		if (color == this.flushColor) {
			this.wq.flushProgress(n);
		}
	}

	/** A flusher starts waiting for {@code color} here: returns how many items of it are in flight. L */
	int flushColor(int color) {
		assert this.pool.isLocked();
		this.flushColor = color;
		return this.nrInFlight[color];
	}

	/** The flusher is done. L */
	void flushDone() {
		assert this.pool.isLocked();
		this.flushColor = -1;
	}

	/** Items queued and not finished here. L */
	int nrInFlight() {
		assert this.pool.isLocked();
		return this.nrInFlight[0] + this.nrInFlight[1];
	}

	/** Items activated here (running or about to run). L */
	int nrActive() {
		assert this.pool.isLocked();
		return this.nrActive;
	}

	/** Items running here now. L */
	int nrRunning() {
		assert this.pool.isLocked();
		return this.nrRunning;
	}

	/** Items queued and not started: activated and waiting, plus held back. L */
	int nrWaiting() {
		assert this.pool.isLocked();
		return this.nrActive - this.nrRunning + this.nrHeld;
	}

	/** Consecutive bare tasks held back with the same flush color, slot, and whether their queueing time is kept. L */
	private static final class TaskRun {

		final int color;

		final boolean slotted;

		final boolean timed;

		int count = 1;

		TaskRun(int color, boolean slotted, boolean timed) {
			this.color = color;
			this.slotted = slotted;
			this.timed = timed;
		}

	}

	/** A FIFO of longs in a growing circular array. L */
	private static final class LongRing {

		private long[] values = new long[0];

		private int head;

		private int size;

		void addLast(long value) {
			if (this.size == this.values.length) {
				long[] grown = new long[Math.max(8, this.size * 2)];
				for (int i = 0; i < this.size; i++) {
					grown[i] = this.values[(this.head + i) % this.values.length];
				}
				this.values = grown;
				this.head = 0;
			}
			this.values[(this.head + this.size++) % this.values.length] = value;
		}

		long peekFirst() {
			assert this.size > 0;
			return this.values[this.head];
		}

		long pollFirst() {
			assert this.size > 0;
			long value = this.values[this.head];
			this.head = (this.head + 1) % this.values.length;
			this.size--;
			return value;
		}

	}

}
