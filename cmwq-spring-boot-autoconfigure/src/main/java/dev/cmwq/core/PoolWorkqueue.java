package dev.cmwq.core;

import java.util.ArrayDeque;

/**
 * The link between one workqueue and one worker pool (the kernel's {@code pool_workqueue}): it enforces the
 * queue's {@code maxActive} on that pool, holds the items over the limit (and, while frozen, all of them) in
 * FIFO order, and counts items in flight per flush color.
 *
 * <p>Every mutable field is guarded by {@code pool.lock} (L).
 */
final class PoolWorkqueue {

	final DefaultWorkqueue wq; // I

	final WorkerPool pool; // I

	/** The queue's limit as last applied to this pool. L */
	int maxActive;

	/** Whether the system is frozen and the queue is freezable: nothing is activated. L */
	boolean frozen;

	/** Items activated: on the worklist, on a worker's scheduled list, or running. L */
	int nrActive;

	/** Items of this queue running on this pool now. L */
	int nrRunning;

	/** Items queued but held back by maxActive or freezing, oldest first. L */
	final ArrayDeque<Work> inactive = new ArrayDeque<>(4);

	/** Items queued and not finished, per flush color (see {@link DefaultWorkqueue#flush()}). L */
	final int[] nrInFlight = new int[2];

	/** The color a flusher waits for on this pool, or -1. L */
	int flushColor = -1;

	PoolWorkqueue(DefaultWorkqueue wq, WorkerPool pool, int maxActive, boolean frozen) {
		this.wq = wq;
		this.pool = pool;
		this.maxActive = maxActive;
		this.frozen = frozen;
	}

	/** Whether a newly queued item may go straight to the worklist (keeps FIFO with held-back items). L */
	boolean mayActivateNew() {
		return !this.frozen && this.inactive.isEmpty() && this.nrActive < this.maxActive;
	}

	/** Whether the oldest held-back item may be activated now. L */
	boolean mayActivateHeld() {
		return !this.frozen && !this.inactive.isEmpty() && this.nrActive < this.maxActive;
	}

	/** One queued item of color {@code color} is finished or cancelled. L */
	void inFlightDone(int color) {
		this.nrInFlight[color]--;
		if (color == this.flushColor) {
			this.wq.flushProgress();
		}
	}

	int nrInFlight() {
		return this.nrInFlight[0] + this.nrInFlight[1];
	}

}
