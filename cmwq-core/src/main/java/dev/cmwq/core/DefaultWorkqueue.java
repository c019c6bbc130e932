package dev.cmwq.core;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's {@link Workqueue}: routes items to pools, and implements flush, drain and destroy.
 *
 * <h2>Flush</h2>
 * Every queued item takes the queue's current flush color, 0 or 1 ({@link #workColor}), and each pool-workqueue
 * counts its items in flight per color. A flusher (flushers take turns on {@link #flushLock}) flips the color, so
 * that items queued from then on are not waited for, then visits every pool under its lock, marking the old color
 * as awaited and adding its count to {@link #flushRemaining}; finishing or cancelling an item of the awaited color
 * counts it down. Reading the color under the pool lock while queueing, and visiting every pool lock after the
 * flip, make each item either counted by the flusher or of the new color. Before flipping, a flusher first waits
 * out items of the other color left by an earlier flush that timed out, so two colors are enough.
 */
final class DefaultWorkqueue implements Workqueue {

	final WorkqueueSystem system; // I

	private final String name; // I

	private final Set<WorkqueueFlag> flags; // I

	private final boolean ordered; // I

	final boolean unbound; // I

	final boolean highpri; // I

	final boolean cpuIntensive; // I

	final boolean freezable; // I

	/** I: the rescuer of a MEM_RECLAIM queue, else null. */
	final Rescuer rescuer;

	/** I: one per pool of the system, indexed by pool index; only those of the queue's kind are used normally. */
	final PoolWorkqueue[] pwqs;

	final WorkqueueStatistics stats = new WorkqueueStatistics(); // I (adders)

	/** V: the limit; each pool-workqueue applies it under its pool's lock. */
	private volatile int maxActive;

	/** V: the color newly queued items take; written by the flusher holding {@link #flushLock}. */
	volatile int workColor;

	/** Flushers take turns; see the class comment. */
	private final ReentrantLock flushLock = new ReentrantLock();

	/** C: items the current flusher still waits for, plus one for the flusher's own guard. */
	private final AtomicInteger flushRemaining = new AtomicInteger();

	/** Leaf monitor the flusher waits on. */
	private final Object flushMonitor = new Object();

	/** C: drains (and destroys) in progress: only the queue's own items may queue more. */
	private final AtomicInteger draining = new AtomicInteger();

	private volatile boolean destroyed; // V

	/** Delayed items whose timers have not fired yet (concurrent set: added by the arming PENDING holder). */
	final Set<DelayedWork> armed = ConcurrentHashMap.newKeySet();

	/** How the queue's requests ended once close() began, for its shutdown report. */
	final ShutdownTally shutdownTally = new ShutdownTally();

	DefaultWorkqueue(WorkqueueSystem system, String name, Set<WorkqueueFlag> flags, int maxActive, boolean ordered,
			List<WorkerPool> pools, boolean frozen) {
		this.system = system;
		this.name = name;
		this.flags = flags.isEmpty() ? Collections.emptySet() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
		this.ordered = ordered;
		this.unbound = flags.contains(WorkqueueFlag.UNBOUND);
		this.highpri = flags.contains(WorkqueueFlag.HIGHPRI);
		this.cpuIntensive = flags.contains(WorkqueueFlag.CPU_INTENSIVE);
		this.freezable = flags.contains(WorkqueueFlag.FREEZABLE);
		this.maxActive = maxActive;
		this.pwqs = new PoolWorkqueue[pools.size()];
		for (WorkerPool pool : pools) {
			this.pwqs[pool.index] = new PoolWorkqueue(this, pool, maxActive, frozen && this.freezable);
		}
		this.rescuer = flags.contains(WorkqueueFlag.MEM_RECLAIM) ? new Rescuer(this) : null;
	}

	@Override
	public String name() {
		return this.name;
	}

	@Override
	public Set<WorkqueueFlag> flags() {
		return this.flags;
	}

	@Override
	public int maxActive() {
		return this.maxActive;
	}

	@Override
	public boolean isOrdered() {
		return this.ordered;
	}

	// --- queueing ----------------------------------------------------------------------------------------------

	@Override
	public boolean queue(Work work) {
		checkAccepting();
		if (!work.tryClaim()) {
			return false;
		}
		commit(-1, work);
		return true;
	}

	@Override
	public boolean queueOn(int cpu, Work work) {
		this.system.topology.checkCpu(cpu);
		checkAccepting();
		if (!work.tryClaim()) {
			return false;
		}
		commit(cpu, work);
		return true;
	}

	@Override
	public void execute(Runnable command) {
		queue(new Work(command));
	}

	@Override
	public boolean runInline(Work work) {
		checkAccepting();
		if (!work.tryClaimInline()) {
			return false;
		}
		if (work.current != null) { // a previous instance runs on a worker; it must not run beside it
			work.clearState(Work.INLINE);
			throw new IllegalStateException("Work item " + work + " is running on a worker; workqueue '" + this.name
					+ "' cannot run it inline");
		}
		work.countQueued(this);
		try {
			work.runHere(this);
		}
		finally {
			work.resolve(this.system);
			work.clearState(Work.INLINE);
		}
		return true;
	}

	@Override
	public boolean queueDelayed(DelayedWork work, Duration delay) {
		return queueDelayedOn(-1, work, delay);
	}

	@Override
	public boolean queueDelayedOn(int cpu, DelayedWork work, Duration delay) {
		long nanos = delayNanos(delay);
		if (cpu != -1) {
			this.system.topology.checkCpu(cpu);
		}
		checkAccepting();
		if (!work.tryClaim()) {
			return false;
		}
		arm(cpu, work, nanos);
		return true;
	}

	@Override
	public boolean modDelayed(DelayedWork work, Duration delay) {
		long nanos = delayNanos(delay);
		checkAccepting();
		for (;;) {
			if (work.tryClaim()) {
				arm(-1, work, nanos);
				return false;
			}
			int stolen = work.stealForRequeue();
			if (stolen > 0) {
				work.moved();
				arm(-1, work, nanos);
				return true;
			}
			if (stolen < 0) {
				return false; // being cancelled synchronously (as the kernel's mod_delayed_work) or run inline
			}
		}
	}

	/** We hold the PENDING bit: the request is committed and will be answered once (see {@link Work}). */
	private void commit(int cpu, Work work) {
		work.countQueued(this);
		insert(cpu, work);
	}

	private void arm(int cpu, DelayedWork work, long nanos) {
		if (nanos == 0) {
			commit(cpu, work);
			return;
		}
		work.countQueued(this);
		this.armed.add(work); // before arm() publishes the generation: a canceller that takes it removes the entry
		long generation = work.arm();
		ScheduledFuture<?> timer = this.system.timers.schedule(() -> fire(work, generation, cpu), nanos);
		if (timer != null) {
			work.armed(timer);
		}
		else if (work.fire(generation)) { // the system terminated and stopped its timers: nothing would fire it
			this.armed.remove(work);
			work.abandon(this, true);
		}
	}

	/**
	 * The delay timer fired: link the item (on its CPU if one was named, even offline, as {@code queueOn}; else
	 * where the timer thread's CPU choice puts it), unless a canceller took it out of the timer first.
	 */
	private void fire(DelayedWork work, long generation, int cpu) {
		if (!work.fire(generation)) {
			return;
		}
		insert(cpu, work);
		this.armed.remove(work); // after linking: close() never sees the item neither armed nor in flight
	}

	/**
	 * Picks the pool-workqueue and links the item there. An item still running for this same queue, which is not
	 * ordered, goes where it runs (the kernel's {@code __queue_work}), so that it runs next on that worker; anywhere
	 * else the queue's own limits come first, and a worker that picks the item while its previous instance still
	 * runs defers it (see {@link Worker#processOne}).
	 */
	void insert(int cpu, Work work) {
		PoolWorkqueue pwq = null;
		Worker running = work.current;
		if (running != null && !this.ordered) {
			pwq = runningFor(work, running);
		}
		if (pwq == null) {
			WorkerPool pool = this.unbound ? this.system.topology.unboundPool(this.highpri)
					: this.system.topology.cpuPool((cpu >= 0) ? cpu : this.system.topology.queueingCpu(this.highpri), this.highpri);
			pwq = this.pwqs[pool.index];
		}
		pwq.pool.enqueue(work, pwq);
	}

	/** The pool-workqueue of this queue where {@code worker} runs {@code work} now, or null. */
	private PoolWorkqueue runningFor(Work work, Worker worker) {
		WorkerPool pool = worker.pool;
		if (pool == null) {
			return null; // a rescuer between two pools: it no longer runs the item
		}
		pool.lock();
		try {
			PoolWorkqueue pwq = worker.currentPwq;
			return (work.current == worker && worker.currentWork == work && pwq != null && pwq.wq == this) ? pwq
					: null;
		}
		finally {
			pool.unlock();
		}
	}

	private void checkAccepting() {
		if (this.destroyed) {
			throw new RejectedExecutionException("Workqueue '" + this.name + "' is destroyed");
		}
		if (!this.system.isRunning()) {
			if (this.system.isTerminated() || !isChained()) {
				throw new RejectedExecutionException(
						"Workqueue '" + this.name + "' does not accept work: the workqueue system is "
								+ (this.system.isTerminated() ? "closed" : "shutting down"));
			}
		}
		else if (this.draining.get() > 0 && !isChained()) {
			throw new RejectedExecutionException(
					"Workqueue '" + this.name + "' is draining: only its own items may queue more work");
		}
	}

	/** Whether the caller is one of this queue's items (the kernel's {@code is_chained_work}). */
	private boolean isChained() {
		Worker worker = Worker.current();
		PoolWorkqueue pwq = (worker != null) ? worker.currentPwq : null;
		return pwq != null && pwq.wq == this;
	}

	private static long delayNanos(Duration delay) {
		if (delay == null || delay.isNegative()) {
			throw new IllegalArgumentException("Delay must be zero or positive, got " + delay);
		}
		return (delay.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L) ? Long.MAX_VALUE : delay.toNanos();
	}

	// --- flush, drain, destroy ---------------------------------------------------------------------------------

	@Override
	public void flush() {
		flush(null);
	}

	@Override
	public boolean flush(Duration timeout) {
		long deadline = (timeout == null) ? Long.MAX_VALUE : System.nanoTime() + delayNanos(timeout);
		try (Blocking.Section ignored = Blocking.begin()) {
			if (!acquireFlushLock(deadline)) {
				return false;
			}
			try {
				int color = this.workColor;
				if (!awaitColor(1 - color, deadline)) {
					return false;
				}
				this.workColor = 1 - color;
				return awaitColor(color, deadline);
			}
			finally {
				this.flushLock.unlock();
			}
		}
	}

	private boolean acquireFlushLock(long deadline) {
		boolean interrupted = false;
		try {
			for (;;) {
				try {
					if (deadline == Long.MAX_VALUE) {
						this.flushLock.lockInterruptibly();
						return true;
					}
					return this.flushLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
				}
				catch (InterruptedException ex) {
					interrupted = true;
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** Waits until no item of {@code color} is in flight on any pool. Holds {@link #flushLock}. */
	private boolean awaitColor(int color, long deadline) {
		this.flushRemaining.set(1);
		for (PoolWorkqueue pwq : this.pwqs) {
			pwq.pool.lock();
			try {
				this.flushRemaining.addAndGet(pwq.flushColor(color));
			}
			finally {
				pwq.pool.unlock();
			}
		}
		boolean interrupted = false;
		try {
			flushProgress();
			synchronized (this.flushMonitor) {
				while (this.flushRemaining.get() > 0) {
					long left = deadline - System.nanoTime();
					if (left <= 0) {
						return false;
					}
					try {
						if (deadline == Long.MAX_VALUE) {
							this.flushMonitor.wait();
						}
						else {
							TimeUnit.NANOSECONDS.timedWait(this.flushMonitor, left);
						}
					}
					catch (InterruptedException ex) {
						interrupted = true; // like flush_workqueue, not interruptible
					}
				}
				return true;
			}
		}
		finally {
			for (PoolWorkqueue pwq : this.pwqs) {
				pwq.pool.lock();
				try {
					pwq.flushDone();
				}
				finally {
					pwq.pool.unlock();
				}
			}
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** An awaited item finished or was cancelled (called under a pool lock), or the flusher dropped its guard. */
	void flushProgress() {
		if (this.flushRemaining.decrementAndGet() == 0) {
			synchronized (this.flushMonitor) {
				this.flushMonitor.notifyAll();
			}
		}
	}

	@Override
	public void drain() {
		drain(null);
	}

	/** Flushes until nothing is in flight, or until the timeout; true if the queue is empty. */
	boolean drain(Duration timeout) {
		long deadline = (timeout == null) ? Long.MAX_VALUE : System.nanoTime() + delayNanos(timeout);
		this.draining.incrementAndGet();
		try {
			for (;;) {
				Duration left = (timeout == null) ? null : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
				boolean flushed = flush(left);
				if (inFlight() == 0) {
					return true;
				}
				if (!flushed || (timeout != null && deadline - System.nanoTime() <= 0)) {
					return false;
				}
			}
		}
		finally {
			this.draining.decrementAndGet();
		}
	}

	@Override
	public void destroy() {
		this.draining.incrementAndGet();
		try {
			drain();
			this.destroyed = true;
		}
		finally {
			this.draining.decrementAndGet();
		}
		if (this.rescuer != null) {
			this.rescuer.stop();
		}
		this.system.unregister(this);
	}

	/** Shutdown: answers the delayed items still waiting for their timers as abandoned. */
	void abandonArmed() {
		for (DelayedWork work : this.armed) {
			work.abandonArmed();
		}
	}

	/** Items queued and not finished on all pools (held-back, pending and running; not delayed ones). */
	int inFlight() {
		int total = 0;
		for (PoolWorkqueue pwq : this.pwqs) {
			pwq.pool.lock();
			try {
				total += pwq.nrInFlight();
			}
			finally {
				pwq.pool.unlock();
			}
		}
		return total;
	}

	// --- limits and freezing -----------------------------------------------------------------------------------

	@Override
	public void setMaxActive(int maxActive) {
		if (this.ordered) {
			throw new IllegalArgumentException(
					"Workqueue '" + this.name + "' is ordered; its max-active is fixed at 1, got " + maxActive);
		}
		int resolved = this.system.resolveMaxActive(this.name, this.unbound, maxActive);
		this.maxActive = resolved;
		for (PoolWorkqueue pwq : this.pwqs) {
			pwq.pool.lock();
			try {
				pwq.setMaxActive(resolved);
			}
			finally {
				pwq.pool.unlock();
			}
		}
	}

	/** Freezes or thaws the queue's pool-workqueues (only called for freezable queues). */
	void setFrozen(boolean frozen) {
		for (PoolWorkqueue pwq : this.pwqs) {
			pwq.pool.lock();
			try {
				pwq.setFrozen(frozen);
			}
			finally {
				pwq.pool.unlock();
			}
		}
	}

	/** Items of this queue activated on all pools: running, or about to run (for freezeBusy). */
	int nrActive() {
		int active = 0;
		for (PoolWorkqueue pwq : this.pwqs) {
			pwq.pool.lock();
			try {
				active += pwq.nrActive();
			}
			finally {
				pwq.pool.unlock();
			}
		}
		return active;
	}

	// --- views -------------------------------------------------------------------------------------------------

	@Override
	public WorkqueueSnapshot snapshot() {
		int active = 0;
		int pending = 0;
		for (PoolWorkqueue pwq : this.pwqs) {
			pwq.pool.lock();
			try {
				active += pwq.nrRunning();
				pending += pwq.nrWaiting();
			}
			finally {
				pwq.pool.unlock();
			}
		}
		return new WorkqueueSnapshot(this.name, this.flags, this.maxActive, this.ordered, active, pending,
				this.stats.snapshot());
	}

	@Override
	public String toString() {
		return "Workqueue[" + this.name + "]";
	}

}
