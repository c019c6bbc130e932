package dev.cmwq.core;

import java.util.ArrayDeque;

/**
 * The link between one workqueue and one worker pool (the kernel's {@code pool_workqueue}): it enforces the
 * queue's {@code maxActive} on that pool, holds the items over the limit (and, while frozen, all of them) in
 * FIFO order, and counts items in flight per flush color.
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

	/** Items queued but held back by maxActive or freezing, oldest first. L */
	private final ArrayDeque<Work> inactive = new ArrayDeque<>(4);

	/** Items queued and not finished, per flush color (see {@link DefaultWorkqueue#flush()}). L */
	private final int[] nrInFlight = new int[2];

	/** The color a flusher waits for on this pool, or -1. L */
	private int flushColor = -1;

	PoolWorkqueue(DefaultWorkqueue wq, WorkerPool pool, int maxActive, boolean frozen) {
		this.wq = wq;
		this.pool = pool;
		this.maxActive = maxActive;
		this.frozen = frozen;
	}

	/** A claimed item arrives here, with the flush color it took when queued: it counts as in flight. L */
	void addInFlight(Work work) {
		assert this.pool.isLocked() && work.pwq == this;
		this.nrInFlight[work.color]++;
		this.pool.itemQueued();
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

	/** A newly queued item is held back, last in line. L */
	void hold(Work work) {
		assert this.pool.isLocked();
		this.inactive.addLast(work);
		work.link(this.pool, Work.Link.INACTIVE, null);
	}

	/** An activated item is taken back to the front of the line (freezing). L */
	void holdFirst(Work work) {
		assert this.pool.isLocked();
		this.inactive.addFirst(work);
		work.link(this.pool, Work.Link.INACTIVE, null);
	}

	/** A held-back item is cancelled. L */
	void unhold(Work work) {
		assert this.pool.isLocked();
		this.inactive.remove(work);
	}

	/** Takes the oldest held-back item out (termination), or null. L */
	Work pollHeld() {
		assert this.pool.isLocked();
		return this.inactive.pollFirst();
	}

	/**
	 * Activates held-back items while the limit allows (the kernel's {@code pwq_activate_first_inactive}): after an
	 * item ends or is cancelled, when the limit is raised, at thaw. L
	 */
	void activateHeld() {
		assert this.pool.isLocked();
		while (!this.frozen && !this.inactive.isEmpty() && this.nrActive < this.maxActive) {
			this.nrActive++;
			this.pool.addToWorklist(this.inactive.pollFirst());
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

	/**
	 * An item of this queue finished on the pool (the kernel's {@code pwq_dec_nr_in_flight}): it leaves the running
	 * and active counts and its flush color, and held-back items may move up. L
	 */
	void finishRunning(int color) {
		assert this.pool.isLocked() && this.nrRunning > 0 && this.nrActive > 0;
		this.nrRunning--;
		this.nrActive--;
		inFlightDone(color);
		activateHeld();
	}

	/** One queued item of color {@code color} is finished or cancelled. L */
	void inFlightDone(int color) {
		assert this.pool.isLocked() && this.nrInFlight[color] > 0;
		this.nrInFlight[color]--;
		this.pool.itemAnswered();
		if (color == this.flushColor) {
			this.wq.flushProgress();
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
		return this.nrActive - this.nrRunning + this.inactive.size();
	}

}
