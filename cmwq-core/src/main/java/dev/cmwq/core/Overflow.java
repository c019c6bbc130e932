package dev.cmwq.core;

import java.util.Locale;

/**
 * What a {@link Workqueue} with a bounded capacity does with a queueing that finds it full (see
 * {@link Workqueue#setCapacity(int, Overflow, java.time.Duration)}). Whatever the policy, an item that is already
 * pending is never refused: queueing it returns false as always, and it never counts twice.
 */
public enum Overflow {

	/** The call throws {@link java.util.concurrent.RejectedExecutionException} naming the queue and its capacity. */
	REJECT,

	/**
	 * The caller runs the item itself, inside the queueing call (which then returns true), like {@link
	 * java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy}: a producer is paced by doing the work. The run counts
	 * as one of the queue's (statistics, listeners, failure handler, the item's flush), outside max-active and
	 * concurrency management; a failure goes to the failure handler, not to the caller. It is done only when safe: an
	 * item queued with a delay, or one running at that moment (it would run beside itself), is rejected as with
	 * {@link #REJECT}; an ordered or freezable queue cannot have this policy (its caller would break the order, or
	 * start an item while the queue is frozen).
	 */
	CALLER_RUNS,

	/**
	 * The caller waits for room up to the queue's overflow timeout, then is rejected as with {@link #REJECT}. The
	 * wait counts as blocking for concurrency management when the caller is a worker.
	 */
	BLOCK;

	/**
	 * The policy as written in configuration: lower case with dashes, e.g. {@code caller-runs}.
	 * @return the property-style name
	 */
	public String propertyName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

}
