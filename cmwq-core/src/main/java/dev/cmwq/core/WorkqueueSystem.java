package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workqueue subsystem: simulated logical CPUs, the shared worker pools (per CPU a normal and a highpri one,
 * plus an unbound normal and highpri one), and the workqueues that use them.
 *
 * <pre>{@code
 * try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).build()) {
 *     Workqueue wq = system.allocWorkqueue("thumbnails", Set.of(WorkqueueFlag.CPU_INTENSIVE), 4);
 *     wq.execute(() -> render(image));
 * }
 * }</pre>
 *
 * <h2>Run state</h2>
 * RUNNING → SHUTTING_DOWN (by {@link #close()}: only the queues' own items may queue more, every queue is
 * drained up to the shutdown timeout) → TERMINATED (nothing is accepted; what has not started is abandoned; workers
 * exit once their item ends).
 */
public final class WorkqueueSystem implements AutoCloseable {

	static final Logger LOG = LoggerFactory.getLogger(WorkqueueSystem.class);

	/** The default limit of items in flight, when 0 is asked for (see {@link WorkqueueLimits}). */
	public static final int DEFAULT_MAX_ACTIVE = WorkqueueLimits.DEFAULT_MAX_ACTIVE;

	/** The most logical CPUs a system may simulate (see {@link WorkqueueLimits}). */
	public static final int MAX_CPUS = WorkqueueLimits.MAX_CPUS;

	/** The highest limit of a bound queue (see {@link WorkqueueLimits}). */
	public static final int MAX_ACTIVE = WorkqueueLimits.MAX_ACTIVE;

	/** Names of the system workqueues made when {@link Builder#systemWorkqueues(boolean)} is on (the default). */
	public static final List<String> SYSTEM_WORKQUEUES = List.of("events", "events_highpri", "events_long",
			"events_unbound", "events_freezable");

	private enum RunState {

		RUNNING, SHUTTING_DOWN, TERMINATED

	}

	final int nrCpus; // I

	final long idleTimeoutNanos; // I

	/**
	 * How long a worker whose pool ran dry naps before it parks ({@code Worker.nap}): about Linux's default timer
	 * slack (50 µs) is what such a timed park takes anyway. Written only by tests, before the pools are used.
	 */
	long napNanos = TimeUnit.MICROSECONDS.toNanos(10);

	/**
	 * Items held back on one pool-workqueue beyond which {@code execute(Runnable)} holds further items as bare tasks
	 * ({@code PoolWorkqueue.queueTask}). I
	 */
	final int bareTasksAfter;

	final long maydayIntervalNanos; // I

	final int maxWorkersPerPool; // I

	final ThreadFactory threadFactory; // I

	/** I: whether {@link #threadFactory} is the engine's own, whose threads always run their worker. */
	final boolean ownThreadFactory;

	/** I: the context class loader of the engine's own threads: the one of the thread that built the system. */
	private final ClassLoader threadClassLoader;

	/** I: which threads run the items ({@link Builder#virtualThreads}). */
	final VirtualThreadMode virtualThreads;

	/**
	 * I: {@link VirtualThreadMode#SCHEDULER}: the JDK's scheduler manages concurrency; no item counts as running
	 * ({@code Worker.startItem}) and the block detector watches nothing ({@code BlockDetector.watch}).
	 */
	final boolean jdkScheduled;

	private final long shutdownTimeoutNanos; // I

	private final WorkFailureHandler failureHandler; // I

	final Listeners listeners = new Listeners(); // I

	final Timers timers = new Timers(this::timerThreadMissing); // I

	final BlockDetector detector; // I

	/**
	 * Queueings accepted (a run or a cancellation is owed), and those answered. Both only grow, and an answer
	 * follows its queueing, so reading {@code resolved} and then {@code accepted} and finding them equal proves a
	 * moment when nothing was pending, delayed, held or running ({@link #awaitIdle}).
	 */
	final LongAdder accepted = new LongAdder();

	final LongAdder resolved = new LongAdder(); // see accepted

	final Watchdog watchdog; // I

	/**
	 * C: new workers whose threads are being made ({@code WorkerPool.startThread}). Whoever takes a worker off this
	 * list gives it its thread, and only one can: the maker ({@code remove}), another pool's idle worker that hands
	 * its own thread over ({@code WorkerPool.handOverIdleThread}, also {@code remove}), or a worker going idle in
	 * another pool ({@code WorkerPool.giveToThreadless}, {@code poll}).
	 */
	final ConcurrentLinkedQueue<Worker> threadless = new ConcurrentLinkedQueue<>();

	/** I: the failures of every rescuer thread ({@link #housekeeping()}). */
	final Housekeeping rescuers = new Housekeeping("cmwq-rescuer");

	/** I: the CPUs, their pools and the queueing CPU choice. */
	final CpuTopology topology;

	/** Q: workqueues by name, in creation order; the registry monitor (freeze, thaw and run-state changes hold it). */
	private final Map<String, DefaultWorkqueue> workqueues = new LinkedHashMap<>();

	/** Whether freezable queues are frozen. V, written under Q. */
	private volatile boolean frozen;

	/** V, written under Q. */
	private volatile RunState runState = RunState.RUNNING;

	/** Whether close() has logged its shutdown report: items abandoned later are logged one by one. V */
	private volatile boolean reported;

	private WorkqueueSystem(Builder builder) {
		this.nrCpus = WorkqueueLimits.resolveCpus(builder.cpus);
		this.idleTimeoutNanos = builder.idleTimeout.toNanos();
		this.bareTasksAfter = builder.bareTasksAfter;
		this.maydayIntervalNanos = builder.maydayInterval.toNanos();
		this.maxWorkersPerPool = builder.maxWorkersPerPool;
		this.threadClassLoader = Thread.currentThread().getContextClassLoader();
		this.virtualThreads = builder.virtualThreads;
		this.jdkScheduled = builder.virtualThreads == VirtualThreadMode.SCHEDULER;
		this.ownThreadFactory = builder.threadFactory == null;
		if (!this.ownThreadFactory) {
			this.threadFactory = builder.threadFactory;
		}
		else {
			this.threadFactory = builder.virtualThreads.isVirtual() ? VirtualThreads.factory()
					: (task) -> newThread(task, "cmwq-worker");
		}
		this.shutdownTimeoutNanos = builder.shutdownTimeout.toNanos();
		this.failureHandler = builder.failureHandler;
		this.topology = new CpuTopology(this, this.nrCpus);
		this.detector = new BlockDetector(this, builder.detectorInterval.toNanos(),
				builder.cpuIntensiveThreshold.toNanos());
		this.watchdog = new Watchdog(this, builder.watchdogThreshold.toNanos());
		if (builder.systemWorkqueues) {
			allocWorkqueue("events", Set.of(), 0);
			allocWorkqueue("events_highpri", Set.of(WorkqueueFlag.HIGHPRI), 0);
			allocWorkqueue("events_long", Set.of(), 0);
			allocWorkqueue("events_unbound", Set.of(WorkqueueFlag.UNBOUND), 0);
			allocWorkqueue("events_freezable", Set.of(WorkqueueFlag.FREEZABLE), 0);
		}
	}

	/**
	 * A builder with the defaults of {@link WorkqueueLimits} ({@code DEFAULT_*}): CPUs as available, system
	 * workqueues on.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	// --- workqueues --------------------------------------------------------------------------------------------

	/**
	 * Makes a workqueue, like {@code alloc_workqueue}.
	 * @param name 1 to 32 characters of {@code [A-Za-z0-9_.-]}, unique in the system
	 * @param flags its flags
	 * @param maxActive 0 for the default 256; else 1..512 (bound) or 1..max(512, 4 × cpus) (unbound)
	 * @return the new queue
	 * @throws IllegalArgumentException naming the queue and the bad value
	 */
	public Workqueue allocWorkqueue(String name, Set<WorkqueueFlag> flags, int maxActive) {
		return alloc(name, flags, maxActive, false);
	}

	/**
	 * Makes an ordered workqueue, like {@code alloc_ordered_workqueue}: unbound, one item at a time, FIFO.
	 * @param name 1 to 32 characters of {@code [A-Za-z0-9_.-]}, unique in the system
	 * @param flags further flags ({@code UNBOUND} is implied)
	 * @return the new queue
	 */
	public Workqueue allocOrderedWorkqueue(String name, Set<WorkqueueFlag> flags) {
		EnumSet<WorkqueueFlag> all = EnumSet.of(WorkqueueFlag.UNBOUND);
		all.addAll(flags);
		return alloc(name, all, 1, true);
	}

	private Workqueue alloc(String name, Set<WorkqueueFlag> flags, int maxActive, boolean ordered) {
		Objects.requireNonNull(flags, "flags");
		if (!WorkqueueLimits.isValidName(name)) {
			throw new IllegalArgumentException("Invalid workqueue name '" + name + "': use "
					+ WorkqueueLimits.NAME_RULE);
		}
		int resolved = resolveMaxActive(name, flags.contains(WorkqueueFlag.UNBOUND), maxActive);
		DefaultWorkqueue wq;
		synchronized (this.workqueues) {
			if (this.runState != RunState.RUNNING) {
				throw new IllegalStateException("The workqueue system is " + ((this.runState == RunState.TERMINATED)
						? "closed" : "shutting down") + "; cannot allocate workqueue '" + name + "'");
			}
			if (this.workqueues.containsKey(name)) {
				throw new IllegalArgumentException("A workqueue named '" + name + "' already exists");
			}
			wq = new DefaultWorkqueue(this, name, flags, resolved, ordered, this.topology.pools(), this.frozen);
			this.workqueues.put(name, wq);
		}
		if (wq.rescuer != null) {
			wq.rescuer.start();
		}
		return wq;
	}

	int resolveMaxActive(String name, boolean unbound, int maxActive) {
		if (!WorkqueueLimits.isValidMaxActive(maxActive, unbound, this.nrCpus)) {
			throw new IllegalArgumentException("Invalid max-active " + maxActive + " for workqueue '" + name + "': "
					+ WorkqueueLimits.maxActiveRule(unbound, this.nrCpus));
		}
		if (maxActive == 0) {
			return DEFAULT_MAX_ACTIVE;
		}
		return maxActive;
	}

	void unregister(DefaultWorkqueue wq) {
		synchronized (this.workqueues) {
			this.workqueues.remove(wq.name(), wq);
		}
	}

	/**
	 * Looks a workqueue up by name.
	 * @param name the name
	 * @return the queue, if there is one
	 */
	public Optional<Workqueue> workqueue(String name) {
		synchronized (this.workqueues) {
			return Optional.ofNullable(this.workqueues.get(name));
		}
	}

	/**
	 * Every workqueue, in creation order.
	 * @return a copy
	 */
	public List<Workqueue> workqueues() {
		return List.copyOf(queues());
	}

	private List<DefaultWorkqueue> queues() {
		synchronized (this.workqueues) {
			return new ArrayList<>(this.workqueues.values());
		}
	}

	// --- CPUs --------------------------------------------------------------------------------------------------

	/**
	 * How many logical CPUs the system simulates.
	 * @return the count
	 */
	public int cpus() {
		return this.nrCpus;
	}

	/**
	 * Whether a CPU is online.
	 * @param cpu the CPU
	 * @return true if online
	 * @throws UnknownCpuException if there is no such CPU
	 */
	public boolean isOnline(int cpu) {
		return this.topology.isOnline(cpu);
	}

	/**
	 * Takes a CPU offline: its pools stop being concurrency managed and their workers turn rogue, draining what
	 * is queued there (and what is queued there explicitly later); work queued without a CPU goes elsewhere.
	 * @param cpu the CPU
	 * @return false if it was already offline
	 * @throws UnknownCpuException if there is no such CPU
	 * @throws IllegalStateException if it is the last online CPU
	 */
	public boolean cpuOffline(int cpu) {
		if (!this.topology.offline(cpu)) {
			return false;
		}
		LOG.info("CPU {} is offline; its workers are rogue until it comes back", cpu);
		return true;
	}

	/**
	 * Brings a CPU online: its rogue workers are bound again and concurrency management resumes.
	 * @param cpu the CPU
	 * @return false if it was already online
	 * @throws UnknownCpuException if there is no such CPU
	 */
	public boolean cpuOnline(int cpu) {
		if (!this.topology.online(cpu)) {
			return false;
		}
		LOG.info("CPU {} is online", cpu);
		return true;
	}

	/**
	 * Which threads run the items, and who manages concurrency.
	 * @return the mode the system was built with ({@link VirtualThreadMode#OFF} by default)
	 */
	public VirtualThreadMode virtualThreadMode() {
		return this.virtualThreads;
	}

	List<WorkerPool> pools() {
		return this.topology.pools();
	}

	/**
	 * {@code to} needs a thread for its new worker {@code next}: takes one of an idle worker another pool can spare
	 * ({@link WorkerPool#handOverIdleThread}), looking from a random pool on. Not for virtual threads, which cost
	 * nothing to start. Called without any pool's lock.
	 * @param listed whether {@code next} is on {@link #threadless} ({@link #listThreadless})
	 * @return true if {@code next} has its thread
	 */
	boolean handOverIdleThread(WorkerPool to, Worker next, boolean listed) {
		if (this.virtualThreads.isVirtual()) {
			return false;
		}
		List<WorkerPool> pools = pools();
		int n = pools.size();
		int first = ThreadLocalRandom.current().nextInt(n);
		for (int i = 0; i < n; i++) {
			WorkerPool from = pools.get((first + i) % n);
			if (from != to && from.handOverIdleThread(next, listed)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Lists a new worker whose thread is about to be made on {@link #threadless}, so that a worker that goes idle in
	 * another pool meanwhile can give it its thread instead. Not for virtual threads. Called without any pool's lock.
	 * @return whether it was listed: then the maker must take it off ({@code remove}) before it gives it a thread,
	 * and if that fails, a worker gave it its own
	 */
	boolean listThreadless(Worker worker) {
		if (this.virtualThreads.isVirtual()) {
			return false;
		}
		try {
			return this.threadless.add(worker);
		}
		catch (Throwable ex) { // out of memory: the thread is made as before
			return false;
		}
	}

	List<WorkerPool> boundPools() {
		return this.topology.boundPools();
	}

	// --- freezing ----------------------------------------------------------------------------------------------

	/**
	 * Freezes the freezable queues: they start nothing new; items already running finish; what is queued, or
	 * fires from a timer, meanwhile is held in order.
	 * @return false if the system was already frozen (nothing changes)
	 */
	public boolean freeze() {
		synchronized (this.workqueues) {
			if (this.frozen) {
				LOG.info("Workqueues are already frozen");
				return false;
			}
			this.frozen = true;
			for (DefaultWorkqueue wq : this.workqueues.values()) {
				if (wq.freezable) {
					wq.setFrozen(true);
				}
			}
		}
		LOG.info("Freezable workqueues are frozen");
		return true;
	}

	/**
	 * Whether items of freezable queues that were in flight at {@link #freeze()} are still running.
	 * @return true while some are
	 */
	public boolean freezeBusy() {
		return freezeBusyCount() > 0;
	}

	/**
	 * How many items of freezable queues are still in flight: running, or let in before the freeze and about to
	 * run. 0 once a freeze is complete.
	 * @return the count
	 */
	public int freezeBusyCount() {
		int busy = 0;
		for (DefaultWorkqueue wq : queues()) {
			if (wq.freezable) {
				busy += wq.nrActive();
			}
		}
		return busy;
	}

	/**
	 * Thaws the freezable queues: what was held runs, in order.
	 * @return false if the system was not frozen (nothing changes)
	 */
	public boolean thaw() {
		synchronized (this.workqueues) {
			if (!this.frozen) {
				LOG.info("Workqueues are not frozen; nothing to thaw");
				return false;
			}
			this.frozen = false;
			for (DefaultWorkqueue wq : this.workqueues.values()) {
				if (wq.freezable) {
					wq.setFrozen(false);
				}
			}
		}
		LOG.info("Freezable workqueues are thawed");
		return true;
	}

	/**
	 * Whether the freezable queues are frozen.
	 * @return true between {@link #freeze()} and {@link #thaw()}
	 */
	public boolean isFrozen() {
		return this.frozen;
	}

	// --- observation -------------------------------------------------------------------------------------------

	/**
	 * An immutable view of CPUs, pools and workqueues with their statistics.
	 * @return the snapshot
	 */
	public SystemSnapshot snapshot() {
		List<CpuSnapshot> cpus = new ArrayList<>(this.nrCpus);
		boolean[] online = this.topology.mask();
		for (int cpu = 0; cpu < this.nrCpus; cpu++) {
			cpus.add(new CpuSnapshot(cpu, online[cpu]));
		}
		List<PoolSnapshot> poolViews = new ArrayList<>(pools().size());
		for (WorkerPool pool : pools()) {
			poolViews.add(pool.snapshot());
		}
		List<WorkqueueSnapshot> queueViews = new ArrayList<>();
		for (DefaultWorkqueue wq : queues()) {
			queueViews.add(wq.snapshot());
		}
		return new SystemSnapshot(this.frozen, List.copyOf(cpus), List.copyOf(poolViews), List.copyOf(queueViews));
	}

	/**
	 * The state of the engine's own threads: the block detector ({@code cmwq-block-detector}), the timer
	 * ({@code cmwq-timer}: delayed items, mayday, watchdog) and the rescuers ({@code cmwq-rescuer}, together), in
	 * that order. They survive any {@code Throwable}; a thread that is not {@link HousekeepingStatus#working()} is
	 * retrying what failed (while the detector is not working, blocked workers are not replaced; while the timer is
	 * not, delayed items, mayday and watchdog checks wait).
	 * @return one status per kind of thread
	 */
	public List<HousekeepingStatus> housekeeping() {
		return List.of(this.detector.housekeeping.status(), this.timers.housekeeping.status(),
				this.rescuers.status());
	}

	/**
	 * Waits until no workqueue has anything pending, delayed, held or running, items queued by items included (for
	 * tests and orderly hand-overs). Work queued from outside afterwards makes the system busy again, of course.
	 * The wait counts as blocking for concurrency management; an interrupt ends it early (false, interrupt status
	 * kept).
	 * @param timeout how long to wait at most
	 * @return true once idle, false on timeout or interrupt
	 * @throws IllegalStateException naming the queue if called from an item, which keeps the system busy
	 */
	public boolean awaitIdle(Duration timeout) {
		long deadline = System.nanoTime() + saturatedNanos(timeout);
		FlushDependency.checkAwaitIdle();
		long pause = 20_000;
		try (Blocking.Section ignored = Blocking.begin()) {
			for (;;) {
				long answered = this.resolved.sum(); // first: see the field comment of accepted
				long asked = this.accepted.sum();
				assert answered <= asked : "requests answered " + answered + " > accepted " + asked;
				if (answered == asked) {
					return true;
				}
				long left = deadline - System.nanoTime();
				if (left <= 0 || Thread.currentThread().isInterrupted()) {
					return false;
				}
				LockSupport.parkNanos(this, Math.min(pause, left));
				pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(5));
			}
		}
	}

	/** A duration in nanoseconds, saturated at {@code Long.MAX_VALUE / 2} so that deadlines do not overflow. */
	static long saturatedNanos(Duration duration) {
		if (duration == null || duration.isNegative()) {
			throw new IllegalArgumentException("A timeout must be zero or positive, got " + duration);
		}
		return (duration.compareTo(Duration.ofNanos(Long.MAX_VALUE / 2)) >= 0) ? Long.MAX_VALUE / 2 : duration.toNanos();
	}

	/**
	 * Adds a listener told about every item's start, end and cancellation.
	 * @param listener the listener
	 */
	public void addListener(WorkListener listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener"));
	}

	/**
	 * Removes a listener.
	 * @param listener the listener
	 */
	public void removeListener(WorkListener listener) {
		this.listeners.remove(listener);
	}

	void reportFailure(DefaultWorkqueue wq, Work work, Throwable failure) {
		try {
			this.failureHandler.handle(wq, work, failure);
		}
		catch (Throwable ex) {
			LOG.error("WorkFailureHandler failed on an item of workqueue '{}'", wq.name(), ex);
		}
	}

	/**
	 * A thread of the engine's own (workers, unless the builder was given a thread factory, and rescuers), made on
	 * whichever thread needs one, often one queueing an item: it does not inherit that thread's {@link
	 * InheritableThreadLocal} values, and its context class loader is the one of the thread that built the system.
	 * A daemon, not started.
	 */
	Thread newThread(Runnable task, String name) {
		Thread thread = new Thread(null, task, name, 0, false);
		thread.setContextClassLoader(this.threadClassLoader);
		thread.setDaemon(true);
		return thread;
	}

	// --- lifecycle ---------------------------------------------------------------------------------------------

	boolean isRunning() {
		return this.runState == RunState.RUNNING;
	}

	boolean isTerminated() {
		return this.runState == RunState.TERMINATED;
	}

	boolean hasReported() {
		return this.reported;
	}

	/** Whether the calling thread holds none of the system's pool locks (for assertions: no callback under one). */
	boolean holdsNoPoolLock() {
		for (WorkerPool pool : pools()) {
			if (pool.isLocked()) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Shuts down with the builder's shutdown timeout; see {@link #close(Duration)}.
	 */
	@Override
	public void close() {
		close(Duration.ofNanos(this.shutdownTimeoutNanos));
	}

	/**
	 * Shuts down: refuses new work from outside the queues and new queues, thaws, abandons delayed items whose timers
	 * have not fired, drains every queue for up to {@code timeout} (abandoning delayed items that the queues' own
	 * items queue meanwhile, and draining again), then terminates: every item that has not started is abandoned (its
	 * request answered {@link Work.Outcome#ABANDONED}), and the workers stop after their current item. Items still
	 * running then are answered when they end, if the JVM has not exited by then (worker threads are daemons). It
	 * logs, per queue, how the items in flight or queued meanwhile ended: ran, cancelled by callers, never started,
	 * still running. When it returns, every request it abandoned has been answered. Calling it again does nothing.
	 * @param timeout how long to drain at most
	 * @return true if every queue drained in time
	 */
	public boolean close(Duration timeout) {
		synchronized (this.workqueues) {
			if (this.runState != RunState.RUNNING) {
				return true;
			}
			this.runState = RunState.SHUTTING_DOWN;
		}
		long start = System.nanoTime();
		long deadline = start + saturatedNanos(timeout);
		List<DefaultWorkqueue> all = queues(); // complete: no queue is allocated once shutdown began
		if (this.frozen) {
			thaw();
		}
		boolean clean;
		do {
			abandonArmed(all);
			clean = true;
			for (DefaultWorkqueue wq : all) {
				clean &= wq.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
			}
		}
		while (clean && anyArmed(all) && deadline - System.nanoTime() > 0); // items queued delayed items meanwhile
		synchronized (this.workqueues) {
			this.runState = RunState.TERMINATED;
		}
		for (WorkerPool pool : pools()) {
			pool.terminate(all);
		}
		for (WorkerPool pool : pools()) {
			pool.abandonDeferred(); // once no pool can defer an item any more
		}
		this.timers.shutdown(); // from now on an arming abandons its item itself
		abandonArmed(all);
		for (DefaultWorkqueue wq : all) {
			wq.shutdownTally.log(wq.name(), wq.inFlight(), System.nanoTime() - start); // in flight = running now
			if (wq.rescuer != null) {
				wq.rescuer.stop();
			}
		}
		this.reported = true;
		this.detector.stop();
		return clean;
	}

	/**
	 * The timer's thread could not be started: the detector's thread tries again ({@link Timers}). A method, not a
	 * lambda in the field's initializer: {@link #detector} is final and assigned later, in the constructor.
	 */
	private void timerThreadMissing() {
		this.detector.wake();
	}

	/** Abandons every delayed item still waiting for its timer. */
	private static void abandonArmed(List<DefaultWorkqueue> all) {
		for (DefaultWorkqueue wq : all) {
			wq.abandonArmed();
		}
	}

	private static boolean anyArmed(List<DefaultWorkqueue> all) {
		for (DefaultWorkqueue wq : all) {
			if (!wq.armed.isEmpty()) {
				return true;
			}
		}
		return false;
	}

	@Override
	public String toString() {
		return "WorkqueueSystem[cpus=" + this.nrCpus + ", workqueues=" + queues().size() + "]";
	}

	/**
	 * Builds a {@link WorkqueueSystem}. Durations must be zero or positive.
	 */
	public static final class Builder {

		private int cpus = WorkqueueLimits.DEFAULT_CPUS;

		private Duration idleTimeout = WorkqueueLimits.DEFAULT_IDLE_TIMEOUT;

		private Duration cpuIntensiveThreshold = WorkqueueLimits.DEFAULT_CPU_INTENSIVE_THRESHOLD;

		private Duration watchdogThreshold = WorkqueueLimits.DEFAULT_WATCHDOG_THRESHOLD;

		private int maxWorkersPerPool = WorkqueueLimits.DEFAULT_MAX_WORKERS_PER_POOL;

		private Duration shutdownTimeout = WorkqueueLimits.DEFAULT_SHUTDOWN_TIMEOUT;

		private Duration maydayInterval = WorkqueueLimits.DEFAULT_MAYDAY_INTERVAL;

		private Duration detectorInterval = WorkqueueLimits.DEFAULT_DETECTOR_INTERVAL;

		private boolean systemWorkqueues = WorkqueueLimits.DEFAULT_SYSTEM_WORKQUEUES;

		private ThreadFactory threadFactory;

		private VirtualThreadMode virtualThreads = VirtualThreadMode.OFF;

		private int bareTasksAfter = 4096;

		private WorkFailureHandler failureHandler = (wq, work, failure) -> LOG
			.error("Work item {} on workqueue '{}' failed", work.task(), wq.name(), failure);

		private Builder() {
		}

		/**
		 * How many logical CPUs to simulate.
		 * @param cpus 0 for {@code Runtime.availableProcessors()}, else 1 to {@link #MAX_CPUS}
		 * @return this builder
		 */
		public Builder cpus(int cpus) {
			if (!WorkqueueLimits.isValidCpus(cpus)) {
				throw new IllegalArgumentException("cpus must be " + WorkqueueLimits.CPUS_RULE + ", got " + cpus);
			}
			this.cpus = cpus;
			return this;
		}

		/**
		 * How long a surplus idle worker waits before it exits.
		 * @param idleTimeout positive
		 * @return this builder
		 */
		public Builder idleTimeout(Duration idleTimeout) {
			this.idleTimeout = positive("idleTimeout", idleTimeout);
			return this;
		}

		/**
		 * How long an item may run without blocking before it stops counting as running.
		 * @param threshold 0 disables the auto-detection
		 * @return this builder
		 */
		public Builder cpuIntensiveThreshold(Duration threshold) {
			this.cpuIntensiveThreshold = nonNegative("cpuIntensiveThreshold", threshold);
			return this;
		}

		/**
		 * How long a pool may have pending items without starting any before the watchdog reports it.
		 * @param threshold 0 disables the watchdog
		 * @return this builder
		 */
		public Builder watchdogThreshold(Duration threshold) {
			this.watchdogThreshold = nonNegative("watchdogThreshold", threshold);
			return this;
		}

		/**
		 * The most worker threads one pool may have.
		 * @param max at least 1
		 * @return this builder
		 */
		public Builder maxWorkersPerPool(int max) {
			if (!WorkqueueLimits.isValidMaxWorkersPerPool(max)) {
				throw new IllegalArgumentException("maxWorkersPerPool must be " + WorkqueueLimits.MAX_WORKERS_PER_POOL_RULE
						+ ", got " + max);
			}
			this.maxWorkersPerPool = max;
			return this;
		}

		/**
		 * How long {@link WorkqueueSystem#close()} drains at most.
		 * @param timeout zero or positive
		 * @return this builder
		 */
		public Builder shutdownTimeout(Duration timeout) {
			this.shutdownTimeout = nonNegative("shutdownTimeout", timeout);
			return this;
		}

		/**
		 * How long a pool waits for a worker it cannot get before it calls the rescuers.
		 * @param interval positive
		 * @return this builder
		 */
		public Builder maydayInterval(Duration interval) {
			this.maydayInterval = positive("maydayInterval", interval);
			return this;
		}

		/**
		 * How often the block detector looks at running workers while pools have pending items.
		 * @param interval positive
		 * @return this builder
		 */
		public Builder detectorInterval(Duration interval) {
			this.detectorInterval = positive("detectorInterval", interval);
			return this;
		}

		/** Tests: see {@link WorkqueueSystem#bareTasksAfter}. */
		Builder bareTasksAfter(int held) {
			this.bareTasksAfter = held;
			return this;
		}

		/**
		 * Whether to make the system workqueues {@link WorkqueueSystem#SYSTEM_WORKQUEUES}.
		 * @param enabled true by default
		 * @return this builder
		 */
		public Builder systemWorkqueues(boolean enabled) {
			this.systemWorkqueues = enabled;
			return this;
		}

		/**
		 * Makes the worker threads (by default the engine makes them itself). The factory must return a new,
		 * unstarted thread that runs the given runnable; the engine names it, makes it a daemon and starts it. A
		 * factory refuses by returning null or throwing; returning a thread already started, or one that does not
		 * run the runnable within the mayday interval, counts as a refusal too. On a refusal the pool's items wait,
		 * the pool retries every mayday interval, the rescuers of {@link WorkqueueFlag#MEM_RECLAIM} queues step in,
		 * and the failed start is counted ({@link PoolSnapshot#failedStarts()}) and logged once per episode.
		 * <p>The factory runs on whichever thread needs a worker, often one queueing an item: a thread made with
		 * {@code new Thread(runnable)} inherits that thread's {@link InheritableThreadLocal} values and context class
		 * loader. Make threads with {@code new Thread(group, runnable, name, 0, false)} and set the class loader the
		 * items need, as the engine's own threads do.
		 * @param threadFactory the factory
		 * @return this builder
		 */
		public Builder threadFactory(ThreadFactory threadFactory) {
			this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
			return this;
		}

		/**
		 * Runs the items on virtual threads (JDK 21 or later): {@link VirtualThreadMode#MANAGED} keeps cmwq's
		 * concurrency management, {@link VirtualThreadMode#SCHEDULER} leaves it to the JDK's scheduler. Workers
		 * (and the rescuers of {@code MEM_RECLAIM} queues) are then virtual threads that inherit no inheritable
		 * thread locals; they are named, counted, limited by {@link #maxWorkersPerPool} and reaped after the idle
		 * timeout like platform workers. A {@link #threadFactory} given as well must make virtual threads (for
		 * instance by delegating to {@code Thread.ofVirtual().factory()}); {@link #build()} checks one.
		 * @param mode the mode; {@link VirtualThreadMode#OFF} (the default) for platform threads
		 * @return this builder
		 */
		public Builder virtualThreads(VirtualThreadMode mode) {
			this.virtualThreads = Objects.requireNonNull(mode, "mode");
			return this;
		}

		/**
		 * Told about items that throw; the default logs them.
		 * @param handler the handler
		 * @return this builder
		 */
		public Builder failureHandler(WorkFailureHandler handler) {
			this.failureHandler = Objects.requireNonNull(handler, "failureHandler");
			return this;
		}

		/**
		 * Builds the system. No thread is started until work arrives.
		 * @return the system
		 * @throws UnsupportedOperationException for virtual threads before JDK 21
		 * @throws IllegalStateException for virtual threads with a factory of platform threads
		 */
		public WorkqueueSystem build() {
			if (this.virtualThreads.isVirtual()) {
				if (!VirtualThreadMode.isSupported()) {
					throw new UnsupportedOperationException("virtualThreads(" + this.virtualThreads
							+ ") needs JDK 21 or later; this is JDK " + Runtime.version().feature());
				}
				if (this.threadFactory != null) {
					checkMakesVirtualThreads(this.threadFactory, this.virtualThreads);
				}
			}
			return new WorkqueueSystem(this);
		}

		/**
		 * A factory given with virtual threads must make virtual threads: it is asked for one unstarted thread now
		 * (a factory that refuses is not judged here; its refusals count as such when workers are needed).
		 */
		private static void checkMakesVirtualThreads(ThreadFactory factory, VirtualThreadMode mode) {
			Thread sample;
			try {
				sample = factory.newThread(() -> {
				});
			}
			catch (RuntimeException ex) {
				return;
			}
			if (sample != null && !VirtualThreads.isVirtual(sample)) {
				throw new IllegalStateException("virtualThreads(" + mode + ") with a threadFactory that makes platform "
						+ "threads (" + sample + "): give a factory of virtual threads, or none");
			}
		}

		private static Duration positive(String name, Duration value) {
			if (!WorkqueueLimits.isValidDuration(value, false)) {
				throw new IllegalArgumentException(name + ": " + WorkqueueLimits.durationRule(false) + ", got " + value);
			}
			return value;
		}

		private static Duration nonNegative(String name, Duration value) {
			if (!WorkqueueLimits.isValidDuration(value, true)) {
				throw new IllegalArgumentException(name + ": " + WorkqueueLimits.durationRule(true) + ", got " + value);
			}
			return value;
		}

	}

}
