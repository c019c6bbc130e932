package dev.cmwq.autoconfigure.durable;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.jdbc.init.DatabaseInitializationProperties;

/**
 * Durable workqueues ({@code cmwq.workqueues.<name>.durable: true}), under {@code cmwq.durable}: their table's
 * initialization, as for Spring Boot's other JDBC schemas ({@code initialize-schema}, {@code schema},
 * {@code platform}, {@code continue-on-error}), claims and retries. The defaults are those of
 * {@code DurableSettings.DEFAULTS}.
 */
@ConfigurationProperties("cmwq.durable")
public class CmwqDurableProperties extends DatabaseInitializationProperties {

	/**
	 * The schema script of each database, {@code @@platform@@} being postgresql or h2.
	 */
	static final String DEFAULT_SCHEMA_LOCATION = "classpath:META-INF/cmwq/schema-@@platform@@.sql";

	/**
	 * How long an instance holds a claimed item without renewing it; an instance that dies loses its claims this
	 * long after its last renewal, and another instance runs them. Claims are renewed every third of it.
	 */
	private Duration lease = Duration.ofSeconds(30);

	/**
	 * How often an instance looks for items it may claim: stored while other instances had enough, released at
	 * shutdown, or held by an instance whose lease ran out.
	 */
	private Duration pollInterval = Duration.ofSeconds(5);

	/**
	 * How many times an item is started before it becomes a dead letter; 1 means no retries.
	 */
	private int maxAttempts = 5;

	/**
	 * How long after its first failure an item runs again; each further failure doubles it, up to an hour.
	 */
	private Duration retryDelay = Duration.ofSeconds(10);

	/**
	 * How many items of one durable workqueue an instance holds claimed and not started. Calls made while it holds
	 * that many are stored unclaimed, for whichever instance has room.
	 */
	private int maxClaimed = 256;

	@Override
	public String getDefaultSchemaLocation() {
		return DEFAULT_SCHEMA_LOCATION;
	}

	public Duration getLease() {
		return this.lease;
	}

	public void setLease(Duration lease) {
		this.lease = lease;
	}

	public Duration getPollInterval() {
		return this.pollInterval;
	}

	public void setPollInterval(Duration pollInterval) {
		this.pollInterval = pollInterval;
	}

	public int getMaxAttempts() {
		return this.maxAttempts;
	}

	public void setMaxAttempts(int maxAttempts) {
		this.maxAttempts = maxAttempts;
	}

	public Duration getRetryDelay() {
		return this.retryDelay;
	}

	public void setRetryDelay(Duration retryDelay) {
		this.retryDelay = retryDelay;
	}

	public int getMaxClaimed() {
		return this.maxClaimed;
	}

	public void setMaxClaimed(int maxClaimed) {
		this.maxClaimed = maxClaimed;
	}

}
