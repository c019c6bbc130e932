package dev.cmwq.core;

/**
 * Told about every run of an item that throws ({@link Work.Outcome#FAILED}), not about failures the task handled
 * itself ({@link Work#failedHandled}). The run counts as failed either way, and its pool carries on. Called on the
 * thread that ran the item, outside any engine lock, before the listeners and the item's {@link Work#done} hook.
 */
@FunctionalInterface
public interface WorkFailureHandler {

	/**
	 * Handles a failure.
	 * @param workqueue the item's queue
	 * @param work the item
	 * @param failure what it threw
	 */
	void handle(Workqueue workqueue, Work work, Throwable failure);

}
