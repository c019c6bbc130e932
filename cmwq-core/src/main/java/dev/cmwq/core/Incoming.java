package dev.cmwq.core;

/**
 * A node of a pool's lock-free incoming stack ({@code WorkerPool.enqueue}): a {@link Work}, or an item of
 * {@code execute(Runnable)} on its way to a pool ({@link ExecutedTask}). The pool lock drains the stack, oldest
 * first, onto the pool's lists. Field tags as in {@code package-info.java}.
 */
abstract class Incoming {

	/** The next node in its pool's incoming stack. P (written by the queuer before it pushes), then L. */
	Incoming nextIncoming;

	/** Items in the incoming stack from this one down, when it was pushed. P; read by later queuers as a hint. */
	int incomingDepth;

}
