package dev.cmwq.core;

/**
 * An item of {@code execute(Runnable)} on its pool's incoming stack: its bare task and what its {@link Work} would
 * carry there (pool-workqueue, flush color, capacity slot, queueing time). Such an item has no identity a caller
 * could name (it cannot be re-queued, cancelled or flushed alone), so it needs no {@code Work} until it is linked:
 * whoever links it ({@code WorkerPool.drainIncoming}, usually the pool's own worker) gives it its node
 * ({@link PoolWorkqueue#queueTask}, {@link Work#heldTask}) on its own CPU, or keeps it as its bare task on the
 * held-back list. The queuer thus writes 40 bytes and no PENDING bit, and what crosses from the queuing CPU to the
 * worker's is half a cache line per item rather than a {@code Work}'s 80 bytes. Immutable once pushed.
 */
final class ExecutedTask extends Incoming {

	final Runnable task;

	final PoolWorkqueue pwq;

	/** System.nanoTime() when queued, or 0 (only listeners are told). */
	final long queuedAt;

	/** The flush color it took when queued. */
	final byte color;

	/** Whether it holds a capacity slot of its queue. */
	final boolean slotted;

	ExecutedTask(Runnable task, PoolWorkqueue pwq, int color, boolean slotted, long queuedAt) {
		assert !(task instanceof Work);
		this.task = task;
		this.pwq = pwq;
		this.color = (byte) color;
		this.slotted = slotted;
		this.queuedAt = queuedAt;
	}

	/** Its node, linked nowhere: for abandoning it, which needs a {@link Work} to answer. L */
	Work toWork() {
		return Work.heldTask(this.task, this.pwq, this.color, this.slotted, this.queuedAt);
	}

}
