package dev.cmwq.spring.observation;

import java.lang.reflect.Method;

import io.micrometer.observation.Observation;

/**
 * The context of a work item's observation: its workqueue, how long it waited, how it ended, and for a
 * {@code @QueueWork} invocation the method it runs.
 */
public class WorkObservationContext extends Observation.Context {

	private final String workqueue;

	private final long waitNanos;

	private final Class<?> targetClass;

	private final Method method;

	private boolean complete;

	/**
	 * Creates the context of an item about to run.
	 * @param workqueue the item's workqueue
	 * @param waitNanos how long it waited from queueing to its start
	 */
	public WorkObservationContext(String workqueue, long waitNanos) {
		this(workqueue, waitNanos, null, null);
	}

	/**
	 * Creates the context of an item about to run.
	 * @param workqueue the item's workqueue
	 * @param waitNanos how long it waited from queueing to its start
	 * @param targetClass the class of the bean whose {@code @QueueWork} method the item runs, or null
	 * @param method the {@code @QueueWork} method the item runs, or null
	 */
	public WorkObservationContext(String workqueue, long waitNanos, Class<?> targetClass, Method method) {
		this.workqueue = workqueue;
		this.waitNanos = waitNanos;
		this.targetClass = targetClass;
		this.method = method;
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
	 * The class of the bean whose {@code @QueueWork} method the item runs.
	 * @return its user class, or null if the item is not a {@code @QueueWork} invocation
	 */
	public Class<?> getTargetClass() {
		return this.targetClass;
	}

	/**
	 * The {@code @QueueWork} method the item runs.
	 * @return the method, or null if the item is not a {@code @QueueWork} invocation
	 */
	public Method getMethod() {
		return this.method;
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
