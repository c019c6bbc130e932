package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.random.RandomGenerator;

/**
 * The reference model of {@link ModelBasedRandomTest}: what the engine accepted and reported for every queue and
 * item, the checks made while items run, and the checks made at rest. All callers of the engine's queueing and
 * cancelling operations in that test go through here, so that every accepted queueing and every reported
 * cancellation is counted.
 */
final class WorkModel {

	private static final int MAX_VIOLATIONS = 30;

	private static final int MAX_EXEC_BACKLOG = 50;

	/** Whether the listener now and then throws an Error (not only RuntimeExceptions) from started/finished. */
	private static final boolean LISTENER_ERRORS = Boolean.parseBoolean(
			System.getProperty("cmwq.model.listenerErrors", "true"));

	private final long seed;

	/** Every queue, spares (destroyed ones included) too. */
	final List<Queue> queues = new CopyOnWriteArrayList<>();

	/** The queues drivers and items pick at random (not the spares). */
	private final List<Queue> mains = new CopyOnWriteArrayList<>();

	private final Map<Workqueue, Queue> byWorkqueue = new ConcurrentHashMap<>();

	final List<String> violations = new CopyOnWriteArrayList<>();

	final Gates gates = new Gates(4);

	/** What an item does when it runs. */
	volatile Body body;

	WorkModel(long seed) {
		this.seed = seed;
	}

	Queue add(Workqueue wq, int ceiling, boolean main, int items) {
		Queue q = new Queue(this.queues.size(), wq, ceiling);
		for (int i = 0; i < items; i++) {
			q.items.add(new Item(q, i, main && i % 2 == 0)); // spares get plain items: destroy does not wait for timers
		}
		this.queues.add(q);
		this.byWorkqueue.put(wq, q);
		if (main) {
			this.mains.add(q);
		}
		return q;
	}

	Queue pick(RandomGenerator r) {
		return this.mains.get(r.nextInt(this.mains.size()));
	}

	void violation(String format, Object... args) {
		if (this.violations.size() < MAX_VIOLATIONS) {
			this.violations.add(String.format(format, args));
		}
	}

	/**
	 * What the pools' injected allocation failures throw ({@code ModelBasedRandomTest}): made once, without a stack
	 * trace, as the JVM's own {@code OutOfMemoryError}s.
	 */
	static final OutOfMemoryError ALLOCATION_FAULT = new OutOfMemoryError("injected allocation failure");

	static {
		ALLOCATION_FAULT.setStackTrace(new StackTraceElement[0]);
	}

	// --- operations, counted ------------------------------------------------------------------------------------

	/**
	 * One of queue, queueOn, queueDelayed, queueDelayedOn or modDelayed on {@code item}; counts what was accepted,
	 * and what was rejected (then rethrows).
	 */
	void queueing(RandomGenerator r, Queue q, Item item, int cpus) {
		try {
			queueingCounted(r, q, item, cpus);
		}
		catch (RejectedExecutionException ex) {
			q.rejected.incrementAndGet();
			throw ex;
		}
	}

	private void queueingCounted(RandomGenerator r, Queue q, Item item, int cpus) {
		int k = r.nextInt(10);
		if (item.work instanceof DelayedWork dw && k >= 5) {
			Duration delay = (r.nextInt(4) == 0) ? Duration.ZERO : Duration.ofNanos(r.nextLong(5_000_000));
			if (k <= 6) {
				item.acceptedIf(q.wq.queueDelayed(dw, delay));
			}
			else if (k == 7) {
				item.acceptedIf(q.wq.queueDelayedOn(r.nextInt(cpus), dw, delay));
			}
			else if (item.cancelSyncs.readLock().tryLock()) { // else a cancelSync is under way: modDelayed is moot
				try {
					// false: it was idle and is queued now; true: the pending instance was moved (no new run)
					item.acceptedIf(!q.wq.modDelayed(dw, delay));
				}
				finally {
					item.cancelSyncs.readLock().unlock();
				}
			}
		}
		else if (k % 2 == 0) {
			item.acceptedIf(q.wq.queue(item.work));
		}
		else {
			item.acceptedIf(q.wq.queueOn(r.nextInt(cpus), item.work));
		}
	}

	void cancel(Item item) {
		if (item.work.cancel()) {
			item.cancelled.incrementAndGet();
		}
	}

	/**
	 * {@code cancelSync}, which makes a concurrent {@code modDelayed} return false without queueing; the model keeps
	 * the two apart so that modDelayed's false always means "accepted".
	 */
	void cancelSync(Item item) {
		item.cancelSyncs.writeLock().lock();
		try {
			if (item.work.cancelSync()) {
				item.cancelled.incrementAndGet();
			}
		}
		finally {
			item.cancelSyncs.writeLock().unlock();
		}
	}

	/**
	 * Executes a fresh item on {@code q}, numbered for the FIFO check if a driver executes it.
	 * @return false if skipped because the queue has a large enough backlog of executed items
	 */
	boolean execute(Queue q, int driver) {
		if (q.execAccepted.get() - q.execRuns.get() >= MAX_EXEC_BACKLOG) {
			return false;
		}
		long seq = (driver >= 0) ? q.nextSeq.incrementAndGet(driver) : -1;
		try {
			q.wq.execute(() -> run(q, null, driver, seq));
		}
		catch (RejectedExecutionException ex) {
			q.rejected.incrementAndGet();
			throw ex;
		}
		catch (OutOfMemoryError ex) {
			if (ex != ALLOCATION_FAULT) {
				throw ex;
			}
			return true; // the queuer could not hold its task back: not accepted, nothing to count
		}
		q.execAccepted.incrementAndGet();
		return true;
	}

	// --- while items run ----------------------------------------------------------------------------------------

	/** The bookkeeping around every run of an item; {@code item} is null for executed ones. */
	private void run(Queue q, Item item, int driver, long seq) {
		long runNo;
		if (item != null) {
			if (item.running.incrementAndGet() != 1) {
				violation("%s: item %d ran concurrently with itself", q.name, item.id);
			}
			runNo = item.runs.incrementAndGet();
		}
		else {
			runNo = q.execRuns.incrementAndGet();
		}
		q.runs.incrementAndGet();
		if (seq >= 0 && q.wq.isOrdered()) {
			long last = q.lastSeq.getAndSet(driver, seq);
			if (last >= seq) {
				violation("%s: FIFO broken: driver %d's item %d ran after its item %d", q.name, driver, seq, last);
			}
		}
		// An item its caller runs (CALLER_RUNS on a full queue) runs outside max-active, on the caller's thread.
		AtomicInteger inFlight = null;
		Work inline = ThreadContext.get().inline;
		if (inline != null && inline.queuedOn == q.wq) {
			q.callerRuns.incrementAndGet();
		}
		else {
			inFlight = q.inFlight.computeIfAbsent(q.perPool ? poolId() : "all", (k) -> new AtomicInteger());
			int now = inFlight.incrementAndGet();
			if (now > q.ceiling) {
				violation("%s: %d items in flight (%s), max-active never above %d", q.name, now,
						q.perPool ? "pool " + poolId() : "in total", q.ceiling);
			}
		}
		try {
			long id = (item != null) ? item.id : -1 - driver;
			this.body.run(q, item, new SplittableRandom(this.seed ^ (q.index * 0x9E3779B97F4A7C15L)
					^ (id * 0xC2B2AE3D27D4EB4FL) ^ (runNo * 0x165667B19E3779F9L)));
		}
		finally {
			if (inFlight != null) {
				inFlight.decrementAndGet();
			}
			if (item != null) {
				item.running.decrementAndGet();
			}
		}
	}

	private static String poolId() {
		Worker worker = Worker.current();
		return (worker != null && worker.pool != null) ? worker.pool.id : "no pool: " + Thread.currentThread().getName();
	}

	void failureReported(Workqueue wq, Throwable failure) {
		if (failure instanceof InjectedFailure) {
			this.byWorkqueue.get(wq).failuresReported.incrementAndGet();
		}
		else {
			violation("%s: unexpected failure reported: %s", wq.name(), failure);
		}
	}

	/** Counts what the engine tells listeners, and now and then throws, as a careless listener might. */
	WorkListener listener() {
		AtomicLong calls = new AtomicLong();
		return new WorkListener() {

			@Override
			public void started(Workqueue workqueue, long waitNanos) {
				WorkModel.this.byWorkqueue.get(workqueue).listenerStarted.incrementAndGet();
				misbehave(calls.incrementAndGet());
			}

			@Override
			public void finished(Workqueue workqueue, long executionNanos, Throwable failure) {
				WorkModel.this.byWorkqueue.get(workqueue).listenerFinished.incrementAndGet();
				misbehave(calls.incrementAndGet());
			}

			@Override
			public void cancelled(Workqueue workqueue) {
				WorkModel.this.byWorkqueue.get(workqueue).listenerCancelled.incrementAndGet();
				if (calls.incrementAndGet() % 1009 == 0) {
					throw new IllegalStateException("listener failure (injected)");
				}
			}

			private void misbehave(long call) {
				if (LISTENER_ERRORS && call % 2003 == 0) {
					throw new AssertionError("listener error (injected)");
				}
				if (call % 1009 == 0) {
					throw new IllegalStateException("listener failure (injected)");
				}
			}

		};
	}

	/** Counters of a snapshot taken at any moment: never negative, workers add up. */
	void checkSnapshot(SystemSnapshot snapshot) {
		for (PoolSnapshot p : snapshot.pools()) {
			if (p.workers() < 0 || p.busy() < 0 || p.idle() < 0 || p.rogue() < 0 || p.running() < 0 || p.blocked() < 0
					|| p.pending() < 0 || p.busy() + p.idle() != p.workers() || p.running() > p.workers()) {
				violation("pool counters inconsistent: %s", p);
			}
		}
		for (WorkqueueSnapshot wq : snapshot.workqueues()) {
			WorkqueueStats s = wq.stats();
			if (wq.active() < 0 || wq.pending() < 0 || s.started() < 0 || s.completed() < 0 || s.failed() < 0
					|| s.cancelled() < 0 || s.rejected() < 0) {
				violation("workqueue counters negative: %s", wq);
			}
		}
		for (Queue q : this.queues) {
			checkCapacity(q);
		}
	}

	/**
	 * The capacity slots held never exceed the highest capacity the queue had, but for items that started running
	 * elsewhere while a CALLER_RUNS queueing looked at them (one pending instance each at most).
	 */
	private void checkCapacity(Queue q) {
		int slots = ((DefaultWorkqueue) q.wq).slotsTaken();
		int bound = q.highestCapacity.get() + (q.callerRunsEver ? q.items.size() : 0);
		if (slots < 0 || slots > bound) {
			violation("%s: %d capacity slots held, capacity never above %d", q.name, slots, q.highestCapacity.get());
		}
	}

	/**
	 * Sets a random capacity and overflow policy on {@code q} (CALLER_RUNS only where allowed), or makes it unbounded.
	 */
	void setCapacity(RandomGenerator r, Queue q) {
		if (r.nextInt(4) == 0) {
			q.wq.setCapacity(Workqueue.UNBOUNDED, Overflow.REJECT, Duration.ZERO);
			return;
		}
		int capacity = 1 + r.nextInt(6);
		Overflow[] policies = (q.ordered || q.freezable) ? new Overflow[] { Overflow.REJECT, Overflow.BLOCK }
				: Overflow.values();
		Overflow overflow = policies[r.nextInt(policies.length)];
		if (overflow == Overflow.CALLER_RUNS) {
			q.callerRunsEver = true;
		}
		q.highestCapacity.accumulateAndGet(capacity, Math::max);
		q.wq.setCapacity(capacity, overflow, Duration.ofMillis(r.nextInt(20)));
	}

	// --- at rest ------------------------------------------------------------------------------------------------

	/**
	 * Checks the system at rest against the model.
	 * @param exact false after close(), which may have cancelled delayed items that nobody asked to cancel
	 */
	void checkAtRest(WorkqueueSystem system, boolean exact, boolean onlyRescuers) {
		for (Queue q : this.queues) {
			long accepted = q.execAccepted.get();
			long cancelled = 0;
			for (Item item : q.items) {
				checkAnswers(q, item, exact);
				long answered = item.runs.get() + item.cancelled.get();
				if (item.work.isPending() || answered > item.accepted.get()
						|| (exact && answered != item.accepted.get())) {
					violation("%s: item %d: accepted %d, ran %d, cancelled %d, pending=%s; running on %s", q.name,
							item.id, item.accepted.get(), item.runs.get(), item.cancelled.get(), item.work.isPending(),
							describe(item.work.current));
				}
				accepted += item.accepted.get();
				cancelled += item.cancelled.get();
			}
			if (q.execRuns.get() != q.execAccepted.get()) {
				violation("%s: executed items accepted %d, ran %d", q.name, q.execAccepted.get(), q.execRuns.get());
			}
			WorkqueueSnapshot ws = q.wq.snapshot();
			WorkqueueStats st = ws.stats();
			if (ws.active() != 0 || ws.pending() != 0) {
				violation("%s at rest: active %d, pending %d", q.name, ws.active(), ws.pending());
			}
			if (st.started() != st.completed() + st.failed() || st.started() != q.runs.get()) {
				violation("%s: started %d, completed %d, failed %d; runs seen %d", q.name, st.started(), st.completed(),
						st.failed(), q.runs.get());
			}
			if (st.completed() + st.failed() + st.cancelled() != accepted) {
				violation("%s: completed %d + failed %d + cancelled %d != accepted %d", q.name, st.completed(),
						st.failed(), st.cancelled(), accepted);
			}
			if (exact ? st.cancelled() != cancelled : st.cancelled() < cancelled) {
				violation("%s: cancelled statistic %d, cancellations reported to callers %d", q.name, st.cancelled(),
						cancelled);
			}
			int armed = armedAtRest((DefaultWorkqueue) q.wq);
			if (armed != 0) {
				violation("%s at rest: its armed set holds %d item(s), though nothing is on a timer (close() would wait "
						+ "for them forever)", q.name, armed);
			}
			if (onlyRescuers && st.rescued() + q.callerRuns.get() != st.started()) {
				violation("%s: no worker thread can exist, yet only %d of %d items were run by the rescuer (and %d by "
						+ "their callers)", q.name, st.rescued(), st.started(), q.callerRuns.get());
			}
			if (((DefaultWorkqueue) q.wq).slotsTaken() != 0) {
				violation("%s at rest: %d capacity slots still held", q.name, ((DefaultWorkqueue) q.wq).slotsTaken());
			}
			if (st.rejected() != q.rejected.get()) {
				violation("%s: rejected statistic %d, rejections seen by callers %d", q.name, st.rejected(),
						q.rejected.get());
			}
			if (st.failed() != q.failuresReported.get() + q.failuresHandled.get()) {
				violation("%s: failed statistic %d, failures reported to the handler %d, handled by items %d", q.name,
						st.failed(), q.failuresReported.get(), q.failuresHandled.get());
			}
			if (q.listenerStarted.get() != st.started() || q.listenerFinished.get() != st.completed() + st.failed()
					|| q.listenerCancelled.get() != st.cancelled()) {
				violation("%s: listener saw %d started, %d finished, %d cancelled; statistics %s", q.name,
						q.listenerStarted.get(), q.listenerFinished.get(), q.listenerCancelled.get(), st);
			}
		}
		checkPoolsAtRest(system);
		if (!system.awaitIdle(Duration.ZERO)) {
			violation("awaitIdle(0) is false at rest: requests accepted %d, answered %d", system.accepted.sum(),
					system.resolved.sum());
		}
	}

	/** The worker running an item, its thread's state and where it is, or "none". */
	private static String describe(Worker worker) {
		Thread thread = (worker != null) ? worker.thread : null;
		if (thread == null) {
			return (worker != null) ? worker + " without a thread" : "none";
		}
		StringBuilder text = new StringBuilder(thread + " " + thread.getState());
		for (StackTraceElement frame : thread.getStackTrace()) {
			text.append("\n      at ").append(frame);
		}
		return text.toString();
	}

	/**
	 * Every accepted request of the item has been answered exactly once, through {@link Work#done}: the answers that
	 * ran are its runs, the CANCELLED ones the cancellations reported to callers, and ABANDONED ones come only from
	 * close() (not {@code exact}), for exactly the requests that neither ran nor were cancelled.
	 */
	private void checkAnswers(Queue q, Item item, boolean exact) {
		long ran = item.answers(Work.Outcome.COMPLETED, Work.Outcome.FAILED, Work.Outcome.FAILED_HANDLED);
		long cancelled = item.answers(Work.Outcome.CANCELLED);
		long abandoned = item.answers(Work.Outcome.ABANDONED);
		long accepted = item.accepted.get();
		if (ran + cancelled + abandoned != accepted || ran != item.runs.get() || cancelled != item.cancelled.get()
				|| (exact && abandoned != 0) || abandoned != accepted - item.runs.get() - item.cancelled.get()) {
			violation("%s: item %d: accepted %d, ran %d, cancelled %d; answered: ran %d, cancelled %d, abandoned %d",
					q.name, item.id, accepted, item.runs.get(), item.cancelled.get(), ran, cancelled, abandoned);
		}
	}

	/**
	 * The items in the queue's armed set once the timer thread has let go of those that fired: it links a fired item,
	 * then drops it from the set, and the item may run and end in between (see HousekeepingTest's
	 * {@code aFiredItemMayRunAndEndBeforeTheTimerDropsItFromTheArmedSet}).
	 */
	private static int armedAtRest(DefaultWorkqueue wq) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		while (!wq.armed.isEmpty() && System.nanoTime() - deadline < 0) {
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
		return wq.armed.size();
	}

	/** Nothing pending on any pool, and (once the last workers have left their loop) nothing running. */
	private void checkPoolsAtRest(WorkqueueSystem system) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		for (;;) {
			SystemSnapshot snapshot = system.snapshot();
			checkSnapshot(snapshot);
			List<PoolSnapshot> busy = new ArrayList<>();
			for (PoolSnapshot p : snapshot.pools()) {
				if (p.pending() != 0 || p.running() != 0) {
					busy.add(p);
				}
			}
			if (busy.isEmpty()) {
				return;
			}
			if (System.nanoTime() > deadline) {
				violation("pools not at rest: %s", busy);
				return;
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
		}
	}

	/** Totals over every queue, to show what a run exercised. */
	String summary() {
		long accepted = 0;
		long cancelled = 0;
		long runs = 0;
		long rescued = 0;
		long mayday = 0;
		long cpuIntensive = 0;
		long cmWakeups = 0;
		long rejected = 0;
		long callerRuns = 0;
		for (Queue q : this.queues) {
			rejected += q.rejected.get();
			callerRuns += q.callerRuns.get();
			accepted += q.execAccepted.get();
			for (Item item : q.items) {
				accepted += item.accepted.get();
				cancelled += item.cancelled.get();
			}
			runs += q.runs.get();
			WorkqueueStats st = q.wq.snapshot().stats();
			rescued += st.rescued();
			mayday += st.mayday();
			cpuIntensive += st.cpuIntensive();
			cmWakeups += st.cmWakeups();
		}
		return String.format("%d queues, %d queueings accepted, %d runs (%d by their callers), %d cancelled by "
				+ "callers, %d rejected; rescued %d, mayday %d, cpu-intensive %d, cm wakeups %d", this.queues.size(),
				accepted, runs, callerRuns, cancelled, rejected, rescued, mayday, cpuIntensive, cmWakeups);
	}

	/** The items whose counts do not add up or that are pending, for a report. */
	String describePending() {
		StringBuilder sb = new StringBuilder();
		for (Queue q : this.queues) {
			for (Item item : q.items) {
				if (item.work.isPending() || item.work.isRunning()) {
					sb.append(String.format("  %s item %d: pending=%s running=%s accepted %d ran %d cancelled %d%n",
							q.name, item.id, item.work.isPending(), item.work.isRunning(), item.accepted.get(),
							item.runs.get(), item.cancelled.get()));
				}
			}
		}
		return sb.toString();
	}

	// --- the model's state --------------------------------------------------------------------------------------

	/** A queue under test. */
	static final class Queue {

		final int index;

		final String name;

		final Workqueue wq;

		/** Max-active is per pool for bound queues, in total for unbound ones. */
		final boolean perPool;

		final boolean freezable;

		final boolean ordered;

		/** The highest max-active the queue ever has. */
		final int ceiling;

		final List<Item> items = new ArrayList<>();

		final AtomicLong execAccepted = new AtomicLong();

		final AtomicLong execRuns = new AtomicLong();

		/** Runs started, of items and executed ones. */
		final AtomicLong runs = new AtomicLong();

		final AtomicLong failuresReported = new AtomicLong();

		/** Failures items recorded as handled themselves ({@link Work#failedHandled}): failed, not reported. */
		final AtomicLong failuresHandled = new AtomicLong();

		/** Queueings the engine rejected (RejectedExecutionException), as callers saw them. */
		final AtomicLong rejected = new AtomicLong();

		/** Runs of items by their callers (CALLER_RUNS). */
		final AtomicLong callerRuns = new AtomicLong();

		/** The highest capacity the queue ever had (0 while it never had one). */
		final AtomicInteger highestCapacity = new AtomicInteger();

		/** Whether the queue ever had the CALLER_RUNS policy. */
		volatile boolean callerRunsEver;

		final AtomicLong listenerStarted = new AtomicLong();

		final AtomicLong listenerFinished = new AtomicLong();

		final AtomicLong listenerCancelled = new AtomicLong();

		final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

		/** Per driver: the last number given to an executed item, and the last one that ran. */
		final AtomicLongArray nextSeq = new AtomicLongArray(8);

		final AtomicLongArray lastSeq = new AtomicLongArray(8);

		Queue(int index, Workqueue wq, int ceiling) {
			this.index = index;
			this.name = wq.name();
			this.wq = wq;
			this.perPool = !wq.flags().contains(WorkqueueFlag.UNBOUND);
			this.freezable = wq.flags().contains(WorkqueueFlag.FREEZABLE);
			this.ordered = wq.isOrdered();
			this.ceiling = ceiling;
		}

		Item item(RandomGenerator r) {
			return this.items.get(r.nextInt(this.items.size()));
		}

	}

	/** A reusable work item and what the engine accepted and reported for it. */
	final class Item {

		final int id;

		final Work work;

		final AtomicLong accepted = new AtomicLong();

		final AtomicLong runs = new AtomicLong();

		final AtomicLong cancelled = new AtomicLong();

		final AtomicInteger running = new AtomicInteger();

		/** cancelSync holds the write lock, modDelayed tries the read lock (see {@link #cancelSync}). */
		final ReentrantReadWriteLock cancelSyncs = new ReentrantReadWriteLock();

		/** The engine's answers to the item's requests ({@link Work#done}), per outcome. */
		final AtomicLongArray answers = new AtomicLongArray(Work.Outcome.values().length);

		Item(Queue q, int id, boolean delayed) {
			this.id = id;
			Runnable task = () -> run(q, this, -1, -1);
			this.work = delayed ? new DelayedWork(task) {
				@Override
				protected void done(Outcome outcome, Throwable failure) {
					answered(outcome);
				}
			} : new Work(task) {
				@Override
				protected void done(Outcome outcome, Throwable failure) {
					answered(outcome);
				}
			};
		}

		private void answered(Work.Outcome outcome) {
			this.answers.incrementAndGet(outcome.ordinal());
		}

		long answers(Work.Outcome... outcomes) {
			long n = 0;
			for (Work.Outcome outcome : outcomes) {
				n += this.answers.get(outcome.ordinal());
			}
			return n;
		}

		void acceptedIf(boolean accepted) {
			if (accepted) {
				this.accepted.incrementAndGet();
			}
		}

	}

	/** What an item does when it runs. */
	@FunctionalInterface
	interface Body {

		/**
		 * Runs one run of an item.
		 * @param q its queue
		 * @param item the item, or null for an executed one
		 * @param r a random source for this run
		 */
		void run(Queue q, Item item, SplittableRandom r);

	}

	/** Thrown by items on purpose: counted as failed, and expected at the failure handler. */
	static final class InjectedFailure extends RuntimeException {

		InjectedFailure() {
			super("injected failure", null, false, false);
		}

	}

	/** Latches that items wait on (always with a bound) and that items and drivers release. */
	static final class Gates {

		private final AtomicReferenceArray<CountDownLatch> latches;

		private volatile boolean open;

		Gates(int n) {
			this.latches = new AtomicReferenceArray<>(n);
			for (int i = 0; i < n; i++) {
				this.latches.set(i, new CountDownLatch(1));
			}
		}

		void await(RandomGenerator r, Duration max) {
			if (this.open) {
				return;
			}
			try {
				this.latches.get(r.nextInt(this.latches.length())).await(max.toNanos(), TimeUnit.NANOSECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		void release(RandomGenerator r) {
			this.latches.getAndSet(r.nextInt(this.latches.length()), new CountDownLatch(1)).countDown();
		}

		/** Opens every gate until {@link #closeAll()}: nobody waits. */
		void openAll() {
			this.open = true;
			for (int i = 0; i < this.latches.length(); i++) {
				this.latches.get(i).countDown();
			}
		}

		void closeAll() {
			for (int i = 0; i < this.latches.length(); i++) {
				this.latches.set(i, new CountDownLatch(1));
			}
			this.open = false;
		}

	}

}
