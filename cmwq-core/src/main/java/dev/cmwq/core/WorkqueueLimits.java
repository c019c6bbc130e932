package dev.cmwq.core;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The defaults of a {@link WorkqueueSystem}'s settings and the rules they follow: workqueue names, max-active,
 * capacity and overflow, the number of CPUs and durations. The engine's {@link WorkqueueSystem.Builder} starts from
 * these defaults and enforces these rules; configuration (such as the Spring Boot starter's properties) takes the
 * same defaults and calls the same methods to report a bad value where it was written, with the same rule text.
 */
public final class WorkqueueLimits {

	/** The default number of CPUs, 0: as many as {@code Runtime.availableProcessors()}. */
	public static final int DEFAULT_CPUS = 0;

	/** The default of how long a surplus idle worker waits before it exits (the kernel's IDLE_WORKER_TIMEOUT). */
	public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(300);

	/** The default of how long an item may run without blocking before it stops counting as running. */
	public static final Duration DEFAULT_CPU_INTENSIVE_THRESHOLD = Duration.ofMillis(10);

	/** The default of how long a pool may have pending items without starting any before the watchdog reports it. */
	public static final Duration DEFAULT_WATCHDOG_THRESHOLD = Duration.ofSeconds(30);

	/** The default of the most worker threads one pool may have. */
	public static final int DEFAULT_MAX_WORKERS_PER_POOL = 512;

	/** The default of how long closing the system drains its workqueues at most. */
	public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

	/** The default of how long a pool waits for a worker it cannot get before it calls the rescuers. */
	public static final Duration DEFAULT_MAYDAY_INTERVAL = Duration.ofMillis(100);

	/** The default of how often the block detector looks at running workers while pools have pending items. */
	public static final Duration DEFAULT_DETECTOR_INTERVAL = Duration.ofNanos(50_000);

	/** Whether the system workqueues ({@link WorkqueueSystem#SYSTEM_WORKQUEUES}) are made by default. */
	public static final boolean DEFAULT_SYSTEM_WORKQUEUES = true;

	/** The default limit of items in flight, when 0 is asked for (the kernel's WQ_DFL_ACTIVE). */
	public static final int DEFAULT_MAX_ACTIVE = 256;

	/** The highest limit of a bound queue (the kernel's WQ_MAX_ACTIVE). */
	public static final int MAX_ACTIVE = 512;

	/** The most logical CPUs a system may simulate (the Linux kernel's largest NR_CPUS). */
	public static final int MAX_CPUS = 8192;

	/** The longest duration the engine can use: it counts time in nanoseconds, in a {@code long}. */
	public static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

	/** What a valid workqueue name is. */
	public static final String NAME_RULE = "1 to 32 characters of letters, digits, '_', '.' and '-'";

	/** What a valid number of CPUs is. */
	public static final String CPUS_RULE = "0 for the number of available processors, or 1.." + MAX_CPUS;

	/** What a valid limit of worker threads per pool is. */
	public static final String MAX_WORKERS_PER_POOL_RULE = "1 or more";

	/** The capacity of a workqueue that does not bound its pending items (the default), as Spring's executors. */
	public static final int UNBOUNDED_CAPACITY = Integer.MAX_VALUE;

	/** What a valid capacity is. */
	public static final String CAPACITY_RULE = "use 1 or more pending items (unbounded by default)";

	/** How long a {@link Overflow#BLOCK} queuer waits for room by default. */
	public static final Duration DEFAULT_OVERFLOW_TIMEOUT = Duration.ofSeconds(1);

	/** Why {@link Overflow#CALLER_RUNS} is refused for ordered and freezable workqueues. */
	public static final String CALLER_RUNS_RULE = "caller-runs cannot be used on an ordered or freezable workqueue "
			+ "(an item run by its caller would break the order, or start while the workqueue is frozen): use reject "
			+ "or block";

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

	private WorkqueueLimits() {
	}

	/**
	 * Whether a workqueue may have this name ({@link #NAME_RULE}).
	 * @param name the name, may be null
	 * @return true if valid
	 */
	public static boolean isValidName(String name) {
		return name != null && NAME.matcher(name).matches();
	}

	/**
	 * Whether a system may simulate this many CPUs ({@link #CPUS_RULE}).
	 * @param cpus the number asked for
	 * @return true if valid
	 */
	public static boolean isValidCpus(int cpus) {
		return cpus >= 0 && cpus <= MAX_CPUS;
	}

	/**
	 * Whether a pool may be limited to this many worker threads ({@link #MAX_WORKERS_PER_POOL_RULE}).
	 * @param maxWorkersPerPool the limit asked for
	 * @return true if valid
	 */
	public static boolean isValidMaxWorkersPerPool(int maxWorkersPerPool) {
		return maxWorkersPerPool >= 1;
	}

	/**
	 * The number of CPUs a system simulates when asked for {@code cpus}.
	 * @param cpus a valid number; 0 for the available processors
	 * @return the number of CPUs
	 */
	public static int resolveCpus(int cpus) {
		return (cpus != 0) ? cpus : Runtime.getRuntime().availableProcessors();
	}

	/**
	 * The highest max-active of a workqueue: 512 for a bound one, max(512, 4 × cpus) for an unbound one.
	 * @param unbound whether the workqueue is unbound
	 * @param cpus the system's CPUs (resolved, see {@link #resolveCpus(int)})
	 * @return the limit
	 */
	public static int maxActiveLimit(boolean unbound, int cpus) {
		return unbound ? Math.max(MAX_ACTIVE, 4 * cpus) : MAX_ACTIVE;
	}

	/**
	 * Whether a workqueue may have this max-active: 0 (the default) or 1 to {@link #maxActiveLimit}.
	 * @param maxActive the value asked for
	 * @param unbound whether the workqueue is unbound
	 * @param cpus the system's CPUs (resolved)
	 * @return true if valid
	 */
	public static boolean isValidMaxActive(int maxActive, boolean unbound, int cpus) {
		return maxActive >= 0 && maxActive <= maxActiveLimit(unbound, cpus);
	}

	/**
	 * What a valid max-active is, such as "use 0 for the default 256, or 1..512 for a bound workqueue".
	 * @param unbound whether the workqueue is unbound
	 * @param cpus the system's CPUs (resolved)
	 * @return the rule
	 */
	public static String maxActiveRule(boolean unbound, int cpus) {
		return "use 0 for the default " + DEFAULT_MAX_ACTIVE + ", or 1.." + maxActiveLimit(unbound, cpus) + " for "
				+ (unbound ? "an unbound" : "a bound") + " workqueue";
	}

	/**
	 * Whether a workqueue may have this capacity: 1 or more ({@link #UNBOUNDED_CAPACITY} for no bound).
	 * @param capacity the most pending items
	 * @return true if valid
	 */
	public static boolean isValidCapacity(int capacity) {
		return capacity >= 1;
	}

	/**
	 * Whether a workqueue may have this overflow policy: {@link Overflow#CALLER_RUNS} is refused for ordered and
	 * freezable workqueues ({@link #CALLER_RUNS_RULE}).
	 * @param overflow the policy
	 * @param ordered whether the workqueue is ordered
	 * @param freezable whether the workqueue is freezable
	 * @return true if valid
	 */
	public static boolean isValidOverflow(Overflow overflow, boolean ordered, boolean freezable) {
		return overflow != null && (overflow != Overflow.CALLER_RUNS || !(ordered || freezable));
	}

	/**
	 * Whether the engine can use a duration: not null, not negative, zero only where allowed, and at most
	 * {@link #MAX_DURATION}.
	 * @param duration the duration
	 * @param zeroAllowed whether zero is valid (it means "off" or "do not wait" for some settings)
	 * @return true if valid
	 */
	public static boolean isValidDuration(Duration duration, boolean zeroAllowed) {
		return duration != null && !duration.isNegative() && (zeroAllowed || !duration.isZero())
				&& duration.compareTo(MAX_DURATION) <= 0;
	}

	/**
	 * What a valid duration is.
	 * @param zeroAllowed whether zero is valid
	 * @return the rule, such as "use a positive duration of at most 106751d (about 292 years)"
	 */
	public static String durationRule(boolean zeroAllowed) {
		return "use a " + (zeroAllowed ? "duration of zero or more" : "positive duration") + ", at most "
				+ MAX_DURATION.toDays() + "d (about 292 years)";
	}

}
