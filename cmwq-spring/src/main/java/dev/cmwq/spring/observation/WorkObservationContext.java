package dev.cmwq.spring.observation;

import io.micrometer.observation.Observation;

/**
 * The context of a work item's observation: its workqueue, how long it waited, and how it ended.
 */
public class WorkObservationContext extends Observation.Context {

	private final String workqueue;

	private final long waitNanos;

	private boolean complete;

	/**
	 * Creates the context of an item about to run.
	 * @param workqueue the item's workqueue
	 * @param waitNanos how long it waited from queueing to its start
	 */
	public WorkObservationContext(String workqueue, long waitNanos) {
		this.workqueue = workqueue;
		this.waitNanos = waitNanos;
	}

	/**
	 * The item's workqueue.
	 * @return its name
	 */
	public String getWorkqueue() {
		return this.workqueue;
	}

	/**
	 * How long the item waited from queueing to its start.
	 * @return nanoseconds
	 */
	public long getWaitNanos() {
		return this.waitNanos;
	}

	/**
	 * Whether the item has returned normally.
	 * @return true once it has
	 */
	public boolean isComplete() {
		return this.complete;
	}

	/**
	 * Sets whether the item has returned normally.
	 * @param complete true once it has
	 */
	public void setComplete(boolean complete) {
		this.complete = complete;
	}

}
