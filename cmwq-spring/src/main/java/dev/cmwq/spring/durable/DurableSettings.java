package dev.cmwq.spring.durable;

import java.time.Duration;

/**
 * How an instance handles durable items.
 *
 * @param lease how long a claim holds without renewal: an instance that stops renewing (it died) loses its claims
 * this long after its last renewal, and another instance takes them; claims are renewed every third of it
 * @param pollInterval how often an instance looks for items it may claim: stored by an instance that had enough,
 * released at shutdown, or held by an instance whose lease ran out
 * @param maxAttempts how many times an item is started before it is dead-lettered (1 = no retries)
 * @param retryDelay how long after its first failure an item is tried again; each further failure doubles it
 * @param maxClaimed how many items of one durable workqueue an instance holds claimed and not started; beyond it,
 * calls are stored unclaimed for any instance to take
 */
public record DurableSettings(Duration lease, Duration pollInterval, int maxAttempts, Duration retryDelay,
		int maxClaimed) {

	/** The longest wait before a retry, however many failures came before. */
	static final Duration MAX_RETRY_DELAY = Duration.ofHours(1);

	/**
	 * The defaults: a 30 s lease, polling every 5 s, 5 attempts, retries after 10 s, 20 s, 40 s, ..., and 256
	 * claimed items per workqueue.
	 */
	public static final DurableSettings DEFAULTS = new DurableSettings(Duration.ofSeconds(30), Duration.ofSeconds(5),
			5, Duration.ofSeconds(10), 256);

	/**
	 * Checks the settings.
	 * @throws IllegalArgumentException naming the first bad setting
	 */
	public DurableSettings {
		positive("lease", lease);
		positive("pollInterval", pollInterval);
		if (retryDelay == null || retryDelay.isNegative()) {
			throw new IllegalArgumentException("retryDelay must be 0 or more, not " + retryDelay);
		}
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("maxAttempts must be 1 or more, not " + maxAttempts);
		}
		if (maxClaimed < 1) {
			throw new IllegalArgumentException("maxClaimed must be 1 or more, not " + maxClaimed);
		}
	}

	private static void positive(String name, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new IllegalArgumentException(name + " must be positive, not " + value);
		}
	}

	/**
	 * How often claims are renewed: a third of the lease, so that two renewals may fail before it runs out.
	 * @return the interval
	 */
	Duration renewInterval() {
		return this.lease.dividedBy(3);
	}

	/**
	 * How long to wait before starting an item again after its {@code attempts}-th start failed.
	 * @param attempts how many times it has been started, 1 or more
	 * @return the retry delay doubled for each failure after the first, at most an hour
	 */
	Duration retryDelay(int attempts) {
		Duration delay = this.retryDelay;
		for (int i = 1; i < attempts && delay.compareTo(MAX_RETRY_DELAY) < 0; i++) {
			delay = delay.multipliedBy(2);
		}
		return (delay.compareTo(MAX_RETRY_DELAY) < 0) ? delay : MAX_RETRY_DELAY;
	}

}
