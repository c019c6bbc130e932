package dev.cmwq.core;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * The engine's {@link Workqueue}: routes items to pools, and implements flush, drain and destroy.
 *
 * <h2>Flush</h2>
 * Every queued item takes the queue's current flush color, 0 or 1 ({@link #workColor}), and each pool-workqueue
 * counts its items in flight per color. A flusher (flushers take turns on {@link #flushLock}) flips the color, so
 * that items queued from then on are not waited for, then visits every pool under its lock, marking the old color
 * as awaited and adding its count to {@link #flushRemaining}; finishing or cancelling an item of the awaited color
 * counts it down. A queuer takes the color without the pool lock, before it pushes the item on the pool's incoming
 * stack; the item is counted in flight where it is linked, under the pool lock. One linked after the flusher's visit
 * with the awaited color (its queuer took the color before the flip and pushed after the visit) is added to
 * {@link #flushRemaining} as it is linked ({@code PoolWorkqueue.addInFlight}): so each item of the old color is
 * counted by the flusher exactly once, at the visit or at its linking, before its end counts it down. Before
 * flipping, a flusher first waits out items of the other color left by an earlier flush that timed out, so two
 * colors are enough.
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

	final WorkqueueCounters stats = new WorkqueueCounters(); // I (adders)

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

	/** Queues its items' waits were warned about ({@link FlushDependency}), by name. */
	final Set<String> warnedFlushTargets = ConcurrentHashMap.newKeySet();

	/**
	 * Delayed items whose timers have not fired yet, with their arming ({@link DelayedWork#nextArming()}): entered by the
	 * arming PENDING holder, removed by whoever takes that arming out of its timer, or by its timer once it linked
	 * the item. An entry is removed only with its own arming: a timer that linked the item, and meanwhile lost it to
	 * a {@code modDelayed} that armed it again, must not remove the new arming's entry, or close() would never
	 * abandon it (ModelBasedRandomTest, THREADS: an item pending, never answered, after close()).
	 */
	final Map<DelayedWork, Integer> armed = new ConcurrentHashMap<>();

	/** How the queue's requests ended once close() began, for its shutdown report. */
	final ShutdownTally shutdownTally = new ShutdownTally();

	/** V: the bound on pending items and the overflow policy. */
	private volatile Capacity capacity = Capacity.UNBOUNDED;

	/** C: capacity slots held, one per pending instance admitted while the queue was bounded ({@link Work#slot}). */
	private final AtomicInteger slots = new AtomicInteger();

	/** Leaf monitor that BLOCK queuers wait on for a slot. */
	private final Object room = new Object();

	/** BLOCK queuers waiting for a slot. V, written under {@link #room}. */
	private volatile int roomWaiters;

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
		return queueAfter(-1, work, 0);
	}

	@Override
	public boolean queueOn(int cpu, Work work) {
		this.system.topology.checkCpu(cpu);
		return queueAfter(cpu, work, 0);
	}

	@Override
	public void execute(Runnable command) {
		Objects.requireNonNull(command, "command");
		// the CPU is chosen once: choosing moves the calling thread between CPUs (CpuTopology.queueingCpu)
		int cpu = this.unbound ? -1 : this.system.topology.queueingCpu(this.highpri);
		if (!queueTask(cpu, command)) {
			queueAfter(cpu, new Work(command), 0);
		}
	}

	/**
	 * {@code execute} without a {@link Work} node for the queuer to make: the item goes to its pool as an
	 * {@link ExecutedTask} on the incoming stack, and gets its node only where it is linked (see there); where
	 * thousands of items are held back already (by max-active or a freeze), the queuer takes the pool lock and the
	 * bare task joins the held-back line ({@link PoolWorkqueue#queueTask}), so that a flood costs a reference per
	 * item, unless items of the pool wait to be linked (out of memory): it goes behind them on the stack. False where
	 * the ordinary path applies: the command is a {@code Work} itself, or the queue is full (its overflow policy
	 * applies), or (held-back line only) the system terminated.
	 */
	private boolean queueTask(int cpu, Runnable command) {
		if (command instanceof Work) {
			return false;
		}
		checkAccepting();
		Capacity capacity = this.capacity;
		boolean slotted = capacity.bounded();
		if (slotted && !tryTakeSlot(capacity.limit)) {
			return false;
		}
		// Out of memory on the way in is the caller's: the item is not accepted, its slot is given back, nothing is
		// counted. Once counted, the item is the engine's, which loses none (see WorkerPool.drainIncoming).
		boolean accepted = false;
		try {
			PoolWorkqueue pwq = pwqFor(cpu);
			long queuedAt = this.system.listeners.any() ? System.nanoTime() : 0;
			WorkerPool pool = pwq.pool;
			if (pwq.holdsMany()) {
				pool.lock();
				try {
					// not past items that wait to be linked (out of memory, maybe in this very lock()): it joins them
					if (!pool.hasUnlinked()) {
						if (this.system.isTerminated()) {
							return false;
						}
						pwq.queueTask(command, this.workColor, slotted, queuedAt); // changes nothing if it throws
						Work.countAccepted(this.system); // under the lock: nobody can answer it yet
						accepted = true;
						return true;
					}
				}
				finally {
					pool.unlock();
				}
			}
			ExecutedTask item = new ExecutedTask(command, pwq, this.workColor, slotted, queuedAt);
			Work.countAccepted(this.system); // before anyone can answer it
			accepted = true;
			pool.enqueue(item);
			return true;
		}
		finally {
			if (slotted && !accepted) {
				slotFreed();
			}
		}
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
		return queueAfter(cpu, work, nanos);
	}

	/** Queues {@code work} at once ({@code nanos} 0) or after a delay (then it is a {@link DelayedWork}). */
	private boolean queueAfter(int cpu, Work work, long nanos) {
		checkAccepting();
		Admission admission = admit(work, nanos);
		if (admission == Admission.PENDING) {
			return false;
		}
		if (admission == Admission.CALLER) {
			return runOnCaller(cpu, work);
		}
		if (!claim(work, admission)) {
			return false;
		}
		if (nanos == 0) {
			commit(cpu, work);
		}
		else {
			arm(cpu, (DelayedWork) work, nanos);
		}
		return true;
	}

	@Override
	public boolean modDelayed(DelayedWork work, Duration delay) {
		long nanos = delayNanos(delay);
		checkAccepting();
		for (;;) {
			Admission admission = work.isPending() ? Admission.PENDING : admit(work, nanos);
			if (admission == Admission.CALLER) {
				if (runOnCaller(-1, work)) {
					return false;
				}
			}
			else if (admission != Admission.PENDING && claim(work, admission)) {
				arm(-1, work, nanos);
				return false;
			}
			int stolen = work.stealForRequeue();
			if (stolen > 0) {
				moveSlot(work); // before moved(): it reads the queue the request was on
				work.moved();
				arm(-1, work, nanos);
				return true;
			}
			if (stolen < 0) {
				return false; // being cancelled synchronously (as the kernel's mod_delayed_work) or run inline
			}
		}
	}

	/**
	 * Takes the PENDING bit for an admitted queueing, and the capacity slot with it; gives the slot back if the item
	 * turned out to be pending already.
	 */
	private boolean claim(Work work, Admission admission) {
		if (work.tryClaim()) {
			if (admission == Admission.SLOT) {
				work.slot = this;
			}
			return true;
		}
		if (admission == Admission.SLOT) {
			slotFreed();
		}
		return false;
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
		int generation = work.nextArming();
		this.armed.put(work, generation); // before arm() publishes it: a canceller that takes it removes the entry
		work.arm(generation);
		ScheduledFuture<?> timer;
		try {
			timer = this.system.timers.schedule(() -> fire(work, generation, cpu), nanos);
		}
		catch (Throwable ex) { // out of memory: no timer would fire it; it is answered cancelled, and the caller told
			work.cancel();
			throw ex;
		}
		if (timer != null) {
			Runnable hook = this.afterArmScheduled;
			if (hook != null) {
				hook.run();
			}
			work.armed(generation, timer);
		}
		else if (work.fire(generation)) { // the system terminated and stopped its timers: nothing would fire it
			this.armed.remove(work, generation);
			work.abandon(this, true);
		}
	}

	/**
	 * The delay timer fired: link the item (on its CPU if one was named, even offline, as {@code queueOn}; else
	 * where the timer thread's CPU choice puts it), unless a canceller took it out of the timer first.
	 */
	private void fire(DelayedWork work, int generation, int cpu) {
		if (!work.fire(generation)) {
			return;
		}
		insert(cpu, work);
		Runnable hook = this.afterFireLinked;
		if (hook != null) {
			hook.run();
		}
		// after linking: close() never sees the item neither armed nor in flight. Only this arming's entry: the item
		// may have been taken off its pool and armed again meanwhile (modDelayed)
		this.armed.remove(work, generation);
	}

	/** Test hook (null in production): run by a delayed item's timer after it linked the item. */
	volatile Runnable afterFireLinked;

	/** Test hook (null in production): run by the thread arming a delayed item once its timer is scheduled. */
	volatile Runnable afterArmScheduled;

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
			pwq = pwqFor(cpu);
		}
		pwq.pool.enqueue(work, pwq);
	}

	/** The pool-workqueue an item queued on {@code cpu} (-1: the queueing CPU's) goes to. */
	private PoolWorkqueue pwqFor(int cpu) {
		WorkerPool pool = this.unbound ? this.system.topology.unboundPool(this.highpri)
				: this.system.topology.cpuPool((cpu >= 0) ? cpu : this.system.topology.queueingCpu(this.highpri), this.highpri);
		return this.pwqs[pool.index];
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
			throw rejected("Workqueue '" + this.name + "' is destroyed");
		}
		if (!this.system.isRunning()) {
			if (this.system.isTerminated() || !isChained()) {
				throw rejected("Workqueue '" + this.name + "' does not accept work: the workqueue system is "
						+ (this.system.isTerminated() ? "closed" : "shutting down"));
			}
		}
		else if (this.draining.get() > 0 && !isChained()) {
			throw rejected("Workqueue '" + this.name + "' is draining: only its own items may queue more work");
		}
	}

	/** A queueing is refused: counted, and the exception to throw. */
	private RejectedExecutionException rejected(String message) {
		this.stats.rejected.increment();
		return new RejectedExecutionException(message);
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

	// --- capacity ----------------------------------------------------------------------------------------------

	/** What {@link #admit} decided for a queueing. */
	private enum Admission {

		/** The queue is unbounded: no slot is needed. */
		UNBOUNDED,
		/** A slot was taken for the item; it goes to {@link Work#slot} with the PENDING bit. */
		SLOT,
		/** The item is pending already: the queueing returns false (it never counts against the capacity). */
		PENDING,
		/** The queue is full and its policy is CALLER_RUNS: the caller runs the item. */
		CALLER

	}

	/**
	 * A queueing of {@code work} asks for a place: takes a capacity slot if the queue is bounded, else applies its
	 * overflow policy (waits for room, or says that the caller runs the item, or rejects).
	 * @param nanos the item's delay (a delayed item cannot be run by its caller)
	 * @throws RejectedExecutionException if the queue is full and its policy refuses the item
	 */
	private Admission admit(Work work, long nanos) {
		Capacity capacity = this.capacity;
		Admission admission = tryAdmit(work, capacity);
		if (admission != null) {
			return admission;
		}
		switch (capacity.overflow) {
			case BLOCK -> {
				admission = awaitSlot(work, capacity.timeoutNanos);
				if (admission == Admission.SLOT) {
					try {
						checkAccepting(); // the queue may have begun draining, or the system shutting down, meanwhile
					}
					catch (RejectedExecutionException ex) {
						slotFreed();
						throw ex;
					}
				}
				return admission;
			}
			case CALLER_RUNS -> {
				if (nanos == 0) {
					return Admission.CALLER;
				}
				throw full(capacity, "its caller cannot run an item queued with a delay");
			}
			default -> throw full(capacity, "overflow policy reject");
		}
	}

	/** Admits {@code work} without a policy (the queue is unbounded, the item pending, a slot free), or null. */
	private Admission tryAdmit(Work work, Capacity capacity) {
		if (!capacity.bounded()) {
			return Admission.UNBOUNDED;
		}
		if (work.isPending()) {
			return Admission.PENDING;
		}
		return tryTakeSlot(capacity.limit) ? Admission.SLOT : null;
	}

	private boolean tryTakeSlot(int limit) {
		for (;;) {
			int taken = this.slots.get();
			if (taken >= limit) {
				return false;
			}
			if (this.slots.compareAndSet(taken, taken + 1)) {
				return true;
			}
		}
	}

	/**
	 * BLOCK: waits for a slot up to {@code timeoutNanos}, as a blocking section. A slot freed wakes one waiter
	 * ({@link #slotFreed}); a waiter that leaves without using its wake-up passes it on.
	 * @throws RejectedExecutionException on timeout or interrupt (the interrupt status is kept)
	 */
	private Admission awaitSlot(Work work, long timeoutNanos) {
		long deadline = System.nanoTime() + timeoutNanos;
		boolean interrupted = false;
		try (Blocking.Section ignored = Blocking.begin()) {
			synchronized (this.room) {
				this.roomWaiters++;
				try {
					for (;;) {
						Capacity capacity = this.capacity;
						Admission admission = tryAdmit(work, capacity);
						if (admission != null) {
							return admission;
						}
						long left = deadline - System.nanoTime();
						if (interrupted || left <= 0) {
							throw full(capacity, interrupted ? "interrupted while waiting for room"
									: "no room within the overflow timeout of " + Duration.ofNanos(timeoutNanos));
						}
						try {
							TimeUnit.NANOSECONDS.timedWait(this.room, left);
						}
						catch (InterruptedException ex) {
							interrupted = true;
						}
					}
				}
				finally {
					this.roomWaiters--;
					if (this.roomWaiters > 0 && this.slots.get() < this.capacity.limit) {
						this.room.notify();
					}
				}
			}
		}
		finally {
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/**
	 * A pending instance that held a slot started or was cancelled ({@link Work#freeSlot}), or a queuer gives back
	 * a slot it did not use: wakes a BLOCK waiter. May be called under a pool lock ({@link #room} is a leaf).
	 */
	void slotFreed() {
		int taken = this.slots.decrementAndGet();
		assert taken >= 0 : "capacity slots of " + this.name + " went negative";
		if (this.roomWaiters > 0) {
			synchronized (this.room) {
				this.room.notify();
			}
		}
	}

	/**
	 * modDelayed took over a pending instance (we hold its PENDING bit): it keeps its place if it was pending here;
	 * moved from another queue, it gives that queue's slot back and takes one here without waiting.
	 */
	private void moveSlot(Work work) {
		if (work.queuedOn == this) {
			return;
		}
		work.freeSlot();
		if (this.capacity.bounded()) {
			this.slots.incrementAndGet();
			work.slot = this;
		}
	}

	/**
	 * CALLER_RUNS on a full queue: the caller runs the item, as a run of this queue (counted; its listeners, failure
	 * handler, flushers of the item and {@code awaitIdle} see it), outside max-active and concurrency management.
	 * Only an idle item may run here: one running now (on a worker, or further up this very thread) would run beside
	 * itself, so it is rejected. While it runs here, queueing it again gives one more run after this one, on a pool
	 * (a worker that picks it defers it until this run ends, as for a run on another pool).
	 * @return false if the item turned out to be pending already
	 */
	private boolean runOnCaller(int cpu, Work work) {
		if (work.current != null) {
			throw full(this.capacity, "its caller cannot run an item that is running now: it would run beside itself");
		}
		if (!work.tryClaim()) {
			return false;
		}
		if (work.current != null) { // it started elsewhere since we looked: it runs after that run, over capacity
			this.slots.incrementAndGet();
			work.slot = this;
			commit(cpu, work);
			return true;
		}
		work.countQueued(this);
		work.current = ThreadContext.get().callerWorker(); // before PENDING is cleared: see Worker#handOff
		work.startedByWorker();
		try {
			work.runHere(this); // counted, reported and answered as a worker's run
		}
		finally {
			work.current = null;
			work.resolve(this.system);
			if (work.isDeferred() && work.takeDeferred()) { // queued again meanwhile, picked, and waiting for us
				work.linkedPool().relinkDeferred(work);
			}
		}
		return true;
	}

	private RejectedExecutionException full(Capacity capacity, String why) {
		return rejected(
				"Workqueue '" + this.name + "' is full (capacity " + capacity.limit + " pending items): " + why);
	}

	@Override
	public void setCapacity(int capacity, Overflow overflow, Duration overflowTimeout) {
		if (!WorkqueueLimits.isValidCapacity(capacity)) {
			throw new IllegalArgumentException("Invalid capacity " + capacity + " for workqueue '" + this.name + "': "
					+ WorkqueueLimits.CAPACITY_RULE);
		}
		if (!WorkqueueLimits.isValidOverflow(overflow, this.ordered, this.freezable)) {
			throw new IllegalArgumentException("Invalid overflow " + overflow + " for workqueue '" + this.name + "': "
					+ ((overflow == null) ? "use reject, caller-runs or block" : WorkqueueLimits.CALLER_RUNS_RULE));
		}
		if (!WorkqueueLimits.isValidDuration(overflowTimeout, true)) {
			throw new IllegalArgumentException("Invalid overflow timeout " + overflowTimeout + " for workqueue '"
					+ this.name + "': " + WorkqueueLimits.durationRule(true));
		}
		this.capacity = new Capacity(capacity, overflow, overflowTimeout.toNanos());
		synchronized (this.room) {
			this.room.notifyAll(); // waiters look again: the queue may have more room, or none
		}
	}

	@Override
	public int capacity() {
		return this.capacity.limit;
	}

	@Override
	public Overflow overflow() {
		return this.capacity.overflow;
	}

	@Override
	public Duration overflowTimeout() {
		return Duration.ofNanos(this.capacity.timeoutNanos);
	}

	/** Capacity slots held now (pending instances admitted while the queue was bounded). */
	int slotsTaken() {
		return this.slots.get();
	}

	/** A queue's bound on pending items, its overflow policy and the BLOCK timeout: replaced as a whole. */
	private record Capacity(int limit, Overflow overflow, long timeoutNanos) {

		static final Capacity UNBOUNDED = new Capacity(Workqueue.UNBOUNDED, Overflow.REJECT,
				WorkqueueLimits.DEFAULT_OVERFLOW_TIMEOUT.toNanos());

		boolean bounded() {
			return this.limit != Workqueue.UNBOUNDED;
		}

	}

	// --- flush, drain, destroy ---------------------------------------------------------------------------------

	@Override
	public void flush() {
		FlushDependency.checkQueue(this, "flush()");
		awaitFlush(Long.MAX_VALUE);
	}

	@Override
	public boolean flush(Duration timeout) {
		long deadline = System.nanoTime() + WorkqueueSystem.saturatedNanos(timeout);
		FlushDependency.checkQueue(this, "flush(" + timeout + ")");
		return awaitFlush(deadline);
	}

	/** Flushes until {@code deadline} ({@code Long.MAX_VALUE}: no deadline). */
	private boolean awaitFlush(long deadline) {
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
		forEachPwq((pwq) -> this.flushRemaining.addAndGet(pwq.flushColor(color)));
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
			forEachPwq(PoolWorkqueue::flushDone);
			if (interrupted) {
				Thread.currentThread().interrupt();
			}
		}
	}

	/** An item of the awaited color arrived on a pool the flusher had counted already (called under that pool's lock). */
	void flushAwaits() {
		this.flushRemaining.incrementAndGet();
	}

	/** An awaited item finished or was cancelled (called under a pool lock), or the flusher dropped its guard. */
	void flushProgress() {
		flushProgress(1);
	}

	/** {@code n} items of the awaited color finished or were cancelled (see {@link #flushRemaining}). */
	void flushProgress(int n) {
		if (this.flushRemaining.addAndGet(-n) == 0) {
			synchronized (this.flushMonitor) {
				this.flushMonitor.notifyAll();
			}
		}
	}

	@Override
	public void drain() {
		FlushDependency.checkQueue(this, "drain()");
		drain(null);
	}

	/**
	 * Flushes until nothing is in flight, or until the timeout; true if the queue is empty. Also for shutdown, which
	 * may run on one of the queue's items: then it waits for itself until the timeout, as it must.
	 */
	boolean drain(Duration timeout) {
		long deadline = (timeout == null) ? Long.MAX_VALUE
				: System.nanoTime() + WorkqueueSystem.saturatedNanos(timeout);
		this.draining.incrementAndGet();
		try {
			for (;;) {
				boolean flushed = awaitFlush(deadline);
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
		FlushDependency.checkQueue(this, "destroy()");
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
		for (DelayedWork work : this.armed.keySet()) {
			work.abandonArmed();
		}
	}

	/** Items queued and not finished on all pools (held-back, pending and running; not delayed ones). */
	int inFlight() {
		return sumOverPwqs(PoolWorkqueue::nrInFlight);
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
		forEachPwq((pwq) -> pwq.setMaxActive(resolved));
	}

	/** Freezes or thaws the queue's pool-workqueues (only called for freezable queues). */
	void setFrozen(boolean frozen) {
		forEachPwq((pwq) -> pwq.setFrozen(frozen));
	}

	/** Items of this queue activated on all pools: running, or about to run (for freezeBusy). */
	int nrActive() {
		return sumOverPwqs(PoolWorkqueue::nrActive);
	}

	/**
	 * Runs {@code action} on each of the queue's pool-workqueues under its pool's lock, one pool at a time (the
	 * kernel's {@code for_each_pwq} with {@code raw_spin_lock_irq(&pwq->pool->lock)} around the body).
	 */
	private void forEachPwq(Consumer<PoolWorkqueue> action) {
		for (PoolWorkqueue pwq : this.pwqs) {
			pwq.pool.lock();
			try {
				action.accept(pwq);
			}
			finally {
				pwq.pool.unlock();
			}
		}
	}

	/** The sum of {@code count} over the queue's pool-workqueues, each read under its pool's lock. */
	private int sumOverPwqs(ToIntFunction<PoolWorkqueue> count) {
		int[] sum = new int[1];
		forEachPwq((pwq) -> sum[0] += count.applyAsInt(pwq));
		return sum[0];
	}

	// --- views -------------------------------------------------------------------------------------------------

	@Override
	public WorkqueueSnapshot snapshot() {
		int[] counts = new int[2];
		forEachPwq((pwq) -> {
			counts[0] += pwq.nrRunning();
			counts[1] += pwq.nrWaiting();
		});
		Capacity capacity = this.capacity; // one read: limit, policy and timeout as set together
		return new WorkqueueSnapshot(this.name, this.flags, this.maxActive, this.ordered, capacity.limit,
				capacity.overflow, Duration.ofNanos(capacity.timeoutNanos), counts[0], counts[1], this.stats.snapshot());
	}

	@Override
	public String toString() {
		return "Workqueue[" + this.name + "]";
	}

}
