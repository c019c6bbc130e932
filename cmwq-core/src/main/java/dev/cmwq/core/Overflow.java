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
	 * The caller runs the item itself, inside the queueing call, when that is safe (the queue is neither ordered nor
	 * freezable, the item is not running now, and it is not queued with a delay); otherwise the call is rejected as
	 * with {@link #REJECT}. Like {@link java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy}, it paces a
	 * producer by making it do the work.
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
