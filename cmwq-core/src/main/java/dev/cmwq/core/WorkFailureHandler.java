package dev.cmwq.core;

/**
 * Told about every item that throws. The item is counted as failed either way, and its pool carries on.
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
