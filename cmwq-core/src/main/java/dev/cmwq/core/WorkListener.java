package dev.cmwq.core;

/**
 * Observes items as they start, finish and are cancelled, e.g. to record timers. {@code finished} and
 * {@code cancelled} are part of an item's one answer (see {@link Work}): called once per request, just before the
 * item's {@link Work#done} hook, on the thread that ended it (its worker, a canceller, or the thread closing the
 * system), outside any engine lock. Implementations must be fast and must not throw.
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
	 * @param failure what it threw, or the failure it recorded with {@link Work#failedHandled}; null if it completed
	 */
	default void finished(Workqueue workqueue, long executionNanos, Throwable failure) {
	}

	/**
	 * A pending item was cancelled by a caller, or abandoned because the system shut down before it started.
	 * @param workqueue its queue
	 */
	default void cancelled(Workqueue workqueue) {
	}

}
