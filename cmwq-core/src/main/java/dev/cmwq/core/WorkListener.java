package dev.cmwq.core;

/**
 * Observes items as they start, finish and are cancelled, e.g. to record timers. Called on the worker's thread (or
 * the cancelling one) outside any engine lock; implementations must be fast and must not throw.
 */
public interface WorkListener {

	/**
	 * An item started.
	 * @param workqueue its queue
	 * @param waitNanos time from queueing (or from its timer firing) to start
	 */
	default void started(Workqueue workqueue, long waitNanos) {
	}

	/**
	 * An item finished.
	 * @param workqueue its queue
	 * @param executionNanos how long it ran
	 * @param failure what it threw, or null
	 */
	default void finished(Workqueue workqueue, long executionNanos, Throwable failure) {
	}

	/**
	 * A pending item was cancelled.
	 * @param workqueue its queue
	 */
	default void cancelled(Workqueue workqueue) {
	}

}
