package dev.cmwq.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.cmwq.core.WorkqueueFlag;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the workqueue system and the workqueues it declares, under {@code cmwq}.
 */
@ConfigurationProperties("cmwq")
public class CmwqProperties {

	/**
	 * Whether to set up the workqueue system, its workqueue beans and @QueueWork support.
	 */
	private boolean enabled = true;

	/**
	 * Number of logical CPUs to simulate, each with a normal and a highpri worker pool, at most 8192. 0 uses the
	 * number of available processors.
	 */
	private int cpus;

	/**
	 * How long a surplus idle worker waits before it exits. Must be positive.
	 */
	private Duration idleTimeout = Duration.ofSeconds(300);

	/**
	 * How long an item may run without blocking before it stops holding back the other items of its pool, as if
	 * its workqueue were cpu-intensive. 0 disables the detection.
	 */
	private Duration cpuIntensiveThreshold = Duration.ofMillis(10);

	/**
	 * How long a pool may have pending items without starting any before the watchdog reports it as stalled. 0
	 * disables the watchdog.
	 */
	private Duration watchdogThreshold = Duration.ofSeconds(30);

	/**
	 * Maximum number of worker threads in one pool.
	 */
	private int maxWorkersPerPool = 512;

	/**
	 * How long shutdown waits for the workqueues to drain before it gives up on what is left.
	 */
	private Duration shutdownTimeout = Duration.ofSeconds(30);

	/**
	 * Whether to create the system workqueues: events, events_highpri, events_long, events_unbound and
	 * events_freezable.
	 */
	private boolean systemWorkqueues = true;

	/**
	 * Workqueues to create, by name, each with flags, max-active and ordered; 'name: {}' declares one with the
	 * defaults. Each is a Workqueue bean of that name. Names are 1 to 32 characters of letters, digits, '_', '.' and
	 * '-'.
	 */
	private Map<String, Workqueue> workqueues = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public int getCpus() {
		return this.cpus;
	}

	public void setCpus(int cpus) {
		this.cpus = cpus;
	}

	public Duration getIdleTimeout() {
		return this.idleTimeout;
	}

	public void setIdleTimeout(Duration idleTimeout) {
		this.idleTimeout = idleTimeout;
	}

	public Duration getCpuIntensiveThreshold() {
		return this.cpuIntensiveThreshold;
	}

	public void setCpuIntensiveThreshold(Duration cpuIntensiveThreshold) {
		this.cpuIntensiveThreshold = cpuIntensiveThreshold;
	}

	public Duration getWatchdogThreshold() {
		return this.watchdogThreshold;
	}

	public void setWatchdogThreshold(Duration watchdogThreshold) {
		this.watchdogThreshold = watchdogThreshold;
	}

	public int getMaxWorkersPerPool() {
		return this.maxWorkersPerPool;
	}

	public void setMaxWorkersPerPool(int maxWorkersPerPool) {
		this.maxWorkersPerPool = maxWorkersPerPool;
	}

	public Duration getShutdownTimeout() {
		return this.shutdownTimeout;
	}

	public void setShutdownTimeout(Duration shutdownTimeout) {
		this.shutdownTimeout = shutdownTimeout;
	}

	public boolean isSystemWorkqueues() {
		return this.systemWorkqueues;
	}

	public void setSystemWorkqueues(boolean systemWorkqueues) {
		this.systemWorkqueues = systemWorkqueues;
	}

	public Map<String, Workqueue> getWorkqueues() {
		return this.workqueues;
	}

	public void setWorkqueues(Map<String, Workqueue> workqueues) {
		this.workqueues = workqueues;
	}

	/**
	 * One declared workqueue.
	 */
	public static class Workqueue {

		/**
		 * Flags of the workqueue: unbound, highpri, cpu-intensive, freezable, mem-reclaim.
		 */
		private Set<WorkqueueFlag> flags = new LinkedHashSet<>();

		/**
		 * Maximum number of items in flight per pool (bound workqueues) or in total (unbound ones). 0 uses the
		 * default, 256; otherwise 1 to 512, or for unbound workqueues up to 4 times the number of CPUs if that is
		 * more.
		 */
		private int maxActive;

		/**
		 * Whether the workqueue is ordered: unbound, one item at a time, in the order they were queued.
		 */
		private boolean ordered;

		/**
		 * Whether the workqueue is durable: its @QueueWork calls are stored in the application's DataSource before
		 * they return, survive crash and restart, and may run on any instance of the application (see
		 * cmwq.durable).
		 */
		private boolean durable;

		public Set<WorkqueueFlag> getFlags() {
			return this.flags;
		}

		public void setFlags(Set<WorkqueueFlag> flags) {
			this.flags = flags;
		}

		public int getMaxActive() {
			return this.maxActive;
		}

		public void setMaxActive(int maxActive) {
			this.maxActive = maxActive;
		}

		public boolean isOrdered() {
			return this.ordered;
		}

		public void setOrdered(boolean ordered) {
			this.ordered = ordered;
		}

		public boolean isDurable() {
			return this.durable;
		}

		public void setDurable(boolean durable) {
			this.durable = durable;
		}

	}

}
