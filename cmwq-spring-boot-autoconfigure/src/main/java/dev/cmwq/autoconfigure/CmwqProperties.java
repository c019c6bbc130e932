package dev.cmwq.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import dev.cmwq.core.Overflow;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueLimits;

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
	private int cpus = WorkqueueLimits.DEFAULT_CPUS;

	/**
	 * How long a surplus idle worker waits before it exits. Must be positive.
	 */
	private Duration idleTimeout = WorkqueueLimits.DEFAULT_IDLE_TIMEOUT;

	/**
	 * How long an item may run without blocking before it stops holding back the other items of its pool, as if
	 * its workqueue were cpu-intensive. 0 disables the detection.
	 */
	private Duration cpuIntensiveThreshold = WorkqueueLimits.DEFAULT_CPU_INTENSIVE_THRESHOLD;

	/**
	 * How long a pool may have pending items without starting any before the watchdog reports it as stalled. 0
	 * disables the watchdog.
	 */
	private Duration watchdogThreshold = WorkqueueLimits.DEFAULT_WATCHDOG_THRESHOLD;

	/**
	 * How often the block detector looks at running workers while items wait behind them. Must be positive. Longer
	 * costs less CPU and finds blocked workers later.
	 */
	private Duration detectorInterval = WorkqueueLimits.DEFAULT_DETECTOR_INTERVAL;

	/**
	 * Maximum number of worker threads in one pool.
	 */
	private int maxWorkersPerPool = WorkqueueLimits.DEFAULT_MAX_WORKERS_PER_POOL;

	/**
	 * How long shutdown waits for the workqueues to drain before it gives up on what is left.
	 */
	private Duration shutdownTimeout = WorkqueueLimits.DEFAULT_SHUTDOWN_TIMEOUT;

	/**
	 * Whether to create the system workqueues: events, events_highpri, events_long, events_unbound and
	 * events_freezable.
	 */
	private boolean systemWorkqueues = WorkqueueLimits.DEFAULT_SYSTEM_WORKQUEUES;

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

	public Duration getDetectorInterval() {
		return this.detectorInterval;
	}

	public void setDetectorInterval(Duration detectorInterval) {
		this.detectorInterval = detectorInterval;
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
		 * Most items the workqueue holds pending (queued, on their delay timer, or held back, and not started yet), 1
		 * or more. Unbounded when unset.
		 */
		private Integer queueCapacity;

		/**
		 * What a queueing that finds the workqueue full does: reject (throw), caller-runs (the caller runs the item;
		 * not for ordered or freezable workqueues) or block (wait up to overflow-timeout for room, then reject).
		 */
		private Overflow overflow = Overflow.REJECT;

		/**
		 * How long a caller of a full workqueue with overflow 'block' waits for room before it is rejected. 0 rejects
		 * at once.
		 */
		private Duration overflowTimeout = WorkqueueLimits.DEFAULT_OVERFLOW_TIMEOUT;

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

		public Integer getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(Integer queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		public Overflow getOverflow() {
			return this.overflow;
		}

		public void setOverflow(Overflow overflow) {
			this.overflow = overflow;
		}

		public Duration getOverflowTimeout() {
			return this.overflowTimeout;
		}

		public void setOverflowTimeout(Duration overflowTimeout) {
			this.overflowTimeout = overflowTimeout;

		}

		public boolean isDurable() {
			return this.durable;
		}

		public void setDurable(boolean durable) {
			this.durable = durable;
		}

	}

}
