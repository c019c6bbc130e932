package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Phaser;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.fail;

/**
 * Model-based randomized test of the engine's public API. Three driver threads run random sequences of every
 * operation (queue, queueOn, queueDelayed(On), modDelayed, cancel, cancelSync, execute, flush of a queue and of an
 * item, drain, setMaxActive, setCapacity with every overflow policy, freeze/thaw, CPU offline/online, destroy and
 * re-creation of a spare queue, failures injected into the engine's own threads, and episodes of a thread factory
 * that misbehaves for every thread) on bound, unbound, highpri, CPU-intensive, freezable, MEM_RECLAIM and ordered
 * queues (some with a small capacity from the start, so that queueings often meet a full queue), while the items
 * themselves block (park, and wait on gates that other items and the drivers open, always bounded), spin, fail, queue
 * or cancel other items, and now and then misuse a wait that could only wait for themselves (flush or drain of their
 * own queue, flush or cancelSync of themselves, awaitIdle, flush of an item behind them on an ordered queue), which
 * must fail fast. Idle workers' threads move between pools all along (a pool that needs a new worker takes one:
 * about 300 a second in THREADS and FLAKY_THREADS, counted once). A {@link WorkModel} counts, per item, the queueings the engine accepted (the call returned true, or
 * {@code modDelayed} returned false, or {@code execute} did not throw; a full CALLER_RUNS queue runs the item inside
 * the call), the queueings it rejected, and the cancellations it reported.
 *
 * <h2>Checked at every moment</h2>
 * No item runs concurrently with itself; an ordered queue runs one item at a time and each driver's
 * {@code execute} calls in the order made; max-active holds per pool (bound) or in total (unbound), against the
 * highest limit the queue ever had; no item of a freezable queue starts once a freeze is complete
 * ({@code freezeBusy()} seen false) until the thaw; a non-freezable queue's flush finishes within
 * {@link #STALL_BOUND}; snapshot counters are never negative and {@code busy + idle = workers}; a queue's capacity
 * slots never exceed the highest capacity it had (plus, for CALLER_RUNS, the items caught starting elsewhere); items
 * run by their callers are outside max-active; only the injected failures reach the failure handler.
 * Faults injected into the engine's own threads (block detector, timer, rescuers) never lose or repeat an item.
 *
 * <h2>Checked at rest</h2>
 * Every ~2 s (and at the end) the drivers pause, every gate opens, the system is thawed, and then
 * {@code awaitIdle} must return true within {@link #STALL_BOUND} (no stall), and: every item ran exactly as often
 * as accepted minus cancelled and is not pending; queue and pool counters are back to zero; per queue
 * {@code started == completed + failed}, {@code started} equals the runs seen, {@code completed + failed +
 * cancelled} equals the accepted queueings, {@code cancelled} equals the cancellations reported to callers; a
 * {@link WorkListener} saw the same starts, ends and cancellations; {@code rejected} equals the rejections callers
 * saw; no capacity slot is held; no queue's set of armed delayed items holds anything (close() waits for it); in
 * {@link Mode#NO_THREADS} the rescuers ran every item; every queue accepts an item from outside (no misuse left
 * one draining); once the injected faults ended, every engine thread works again ({@link
 * WorkqueueSystem#housekeeping()}) and counted each injected failure exactly once; every accepted request of an item
 * was answered exactly once through its {@code done} hook, as a
 * run, or as the cancellation its caller was told of (items also record failures as handled themselves: counted
 * failed, not reported). Finally {@code close()}
 * runs while two threads still queue and items still queue more (delayed ones too): afterwards nothing is pending
 * and every accepted queueing was run or cancelled and counted, and answered once (abandoned, if it never ran).
 *
 * <h2>Modes</h2>
 * {@link Mode#THREADS} (the default thread factory), {@link Mode#FLAKY_THREADS} (the factory misbehaves for every
 * third thread, in turn returning null, throwing, returning a thread already started, and returning a thread that
 * never runs the worker; mayday interval 5 ms; a driver operation makes it misbehave for every thread for up to
 * 100 ms) and {@link Mode#NO_THREADS} (it misbehaves so for every thread; every queue is MEM_RECLAIM, so only the
 * rescuers run items). Both count failed starts. In every mode a driver operation makes, for up to 50 ms, the
 * rounds of one kind of engine thread fail (through {@link Housekeeping#fault}: the detector's scan, the timer's
 * tasks, the rescuers' rescues) with an OutOfMemoryError, a StackOverflowError or a RuntimeException; in
 * FLAKY_THREADS the detector may instead fail in the middle of its scan, probing a worker. Or, for up to 50 ms, the
 * pools fail to allocate where they link or activate an item (an OutOfMemoryError, through {@code
 * WorkerPool.allocationFault}): nothing may be lost, run twice or run out of order. On JDK 21+
 * ({@code VirtualThreadsTest}) {@link Mode#VIRTUAL_MANAGED} and {@link Mode#VIRTUAL_SCHEDULER}, where every item must
 * also run on a virtual thread.
 *
 * <h2>Replay and soak</h2>
 * The seed is printed; {@code -Dcmwq.model.seed=N} replays it (each driver's operation sequence, and each item
 * run's behaviour by its run number, derive from it; thread timing does not). {@code -Dcmwq.model.duration=10m}
 * runs each mode that long (default 8 s); then also raise JUnit's default timeout, e.g.
 * {@code -Djunit.jupiter.execution.timeout.default=15m}. {@code -Dcmwq.model.listenerErrors=false} stops the
 * listener from throwing Errors (it still throws RuntimeExceptions), to look past that one fault.
 * <p>This test replaces the former {@code RandomOperationsStressTest}: it runs every operation that test ran and
 * checks all it checked (including, at the end, that no pool has rogue workers once every CPU is online).
 */
class ModelBasedRandomTest {

	/** How long anything that must make progress may take on a loaded machine before it counts as a stall. */
	static final Duration STALL_BOUND = Duration.ofSeconds(20);

	private static final int DRIVERS = 3;

	private static final Duration CHECKPOINT_EVERY = Duration.ofSeconds(2);

	/**
	 * What injected faults of engine threads throw: made once, without stack traces, as the JVM's own
	 * {@code OutOfMemoryError}s (the engine logs the first failure of each episode with its stack trace).
	 */
	private static final List<Throwable> FAULTS = List.of(new OutOfMemoryError("injected"),
			new StackOverflowError("injected"), new IllegalStateException("injected"));

	static {
		FAULTS.forEach((fault) -> fault.setStackTrace(new StackTraceElement[0]));
	}

	enum Mode {

		THREADS, FLAKY_THREADS, NO_THREADS,

		/** {@link VirtualThreadMode#MANAGED} (JDK 21+): run by {@code VirtualThreadsTest}. */
		VIRTUAL_MANAGED,

		/** {@link VirtualThreadMode#SCHEDULER} (JDK 21+): run by {@code VirtualThreadsTest}. */
		VIRTUAL_SCHEDULER;

		VirtualThreadMode virtualThreads() {
			return (this == VIRTUAL_MANAGED) ? VirtualThreadMode.MANAGED
					: (this == VIRTUAL_SCHEDULER) ? VirtualThreadMode.SCHEDULER : VirtualThreadMode.OFF;
		}

	}

	@ParameterizedTest
	@EnumSource(value = Mode.class, names = { "THREADS", "FLAKY_THREADS", "NO_THREADS" })
	void randomOperationsAgreeWithTheModel(Mode mode) throws Exception {
		run(mode);
	}

	/** Runs the model in {@code mode} and fails with every violation found. */
	static void run(Mode mode) throws Exception {
		Long fixed = Long.getLong("cmwq.model.seed");
		long seed = (fixed != null) ? fixed : System.nanoTime();
		Duration duration = Duration.parse("PT" + System.getProperty("cmwq.model.duration", "8s"));
		System.out.printf("ModelBasedRandomTest mode=%s seed=%d duration=%s (replay: -Dcmwq.model.seed=%d)%n", mode,
				seed, duration, seed);
		long start = System.nanoTime();
		List<String> violations = new Run(mode, seed, duration).execute();
		System.out.printf("ModelBasedRandomTest mode=%s seed=%d finished in %d ms%n", mode, seed,
				TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
		if (!violations.isEmpty()) {
			fail("mode=%s seed=%d (replay with -Dcmwq.model.seed=%d): %d violation(s):%n  %s", mode, seed, seed,
					violations.size(), String.join("\n  ", violations));
		}
	}

	/** One run: a system, its queues, the model, the drivers and the checks. */
	static final class Run {

		final Mode mode;

		final long seed;

		final Duration duration;

		final WorkqueueSystem system;

		final WorkModel model;

		final int cpus;

		/** Serialises freeze/thaw and hotplug, so that the model's view of them is exact. */
		private final Object operator = new Object();

		private boolean frozen; // guarded by operator

		/** True once a freeze is complete (freezeBusy() was false) until the thaw begins. */
		private volatile boolean frozenQuiet;

		private final AtomicReference<WorkModel.Queue> spare = new AtomicReference<>();

		private final AtomicInteger spares = new AtomicInteger();

		/** Chained queueings items may still make once closing has begun (so that the drain ends). */
		private final AtomicInteger closingBudget = new AtomicInteger(400);

		private volatile boolean closing;

		private volatile boolean stop;

		private volatile boolean pause;

		/** What each driver is doing, for the report when one gets stuck. */
		private final String[] doing = new String[DRIVERS];

		/**
		 * Failures injected into each kind of engine thread, in the order of {@link WorkqueueSystem#housekeeping()}:
		 * the block detector, the timer, the rescuers. Each must be counted there exactly once.
		 */
		private final AtomicLongArray injected = new AtomicLongArray(3);

		/** Until when the block detector's scans fail inside, probing a worker (FLAKY_THREADS). */
		private volatile long scanFaultsUntil;

		/** Until when the thread factory misbehaves for every thread, not only every third (FLAKY_THREADS). */
		private volatile long factoryFaultsUntil;

		Run(Mode mode, long seed, Duration duration) {
			this.mode = mode;
			this.seed = seed;
			this.duration = duration;
			Random setup = new Random(seed);
			this.cpus = 2 + setup.nextInt(2);
			this.model = new WorkModel(seed);
			WorkqueueSystem.Builder builder = WorkqueueSystem.builder()
				.cpus(this.cpus)
				.systemWorkqueues(false)
				.idleTimeout(Duration.ofMillis(50))
				.maydayInterval(Duration.ofMillis(5))
				.bareTasksAfter(setup.nextInt(3)) // executed items held back as bare tasks (PoolWorkqueue.queueTask)
				.failureHandler((wq, work, failure) -> this.model.failureReported(wq, failure));
			if (mode.virtualThreads().isVirtual()) {
				builder.virtualThreads(mode.virtualThreads());
			}
			else if (mode != Mode.THREADS) {
				builder.threadFactory(misbehavingFactory());
			}
			this.system = builder.build();
			this.system.addListener(this.model.listener());
			this.model.body = this::body;
			addQueue("bound", flags(), 3, false, setup);
			addQueue("unbound", flags(WorkqueueFlag.UNBOUND), 3, false, setup);
			addQueue("highpri", flags(WorkqueueFlag.HIGHPRI), 2, false, setup);
			addQueue("cpu-intensive", flags(WorkqueueFlag.CPU_INTENSIVE), 2, false, setup);
			addQueue("freezable", flags(WorkqueueFlag.FREEZABLE), 2, false, setup);
			addQueue("reclaim", flags(WorkqueueFlag.MEM_RECLAIM), 2, false, setup);
			addQueue("reclaim-unbound-hi",
					flags(WorkqueueFlag.MEM_RECLAIM, WorkqueueFlag.UNBOUND, WorkqueueFlag.HIGHPRI), 2, false, setup);
			addQueue("ordered", flags(), 1, true, setup);
			addQueue("ordered-freezable", flags(WorkqueueFlag.FREEZABLE), 1, true, setup);
			this.spare.set(newSpare());
		}

		/**
		 * A thread factory that misbehaves for every third thread (FLAKY_THREADS; for every thread during an episode
		 * a driver starts, see {@link #factoryFaults}) or every thread (NO_THREADS), in turn: it returns null, throws,
		 * returns a thread it started (that runs the worker, or something else), or returns a thread that does not
		 * run the worker (ending at once, or only after ten mayday intervals). The threads it makes properly can fail
		 * the block detector's scan ({@link ProbedThread}).
		 */
		private ThreadFactory misbehavingFactory() {
			AtomicLong asked = new AtomicLong();
			return (r) -> {
				long n = asked.getAndIncrement();
				if (this.mode == Mode.FLAKY_THREADS && n % 3 != 0 && System.nanoTime() - this.factoryFaultsUntil >= 0) {
					return new ProbedThread(r);
				}
				Runnable elsewhere = () -> LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
				return switch ((int) ((n / 3) % 6)) {
					case 0 -> null;
					case 1 -> throw new IllegalStateException("no thread (injected)");
					case 2 -> started(new Thread(r));
					case 3 -> started(new Thread(elsewhere));
					case 4 -> new Thread(() -> {
					});
					default -> new Thread(elsewhere);
				};
			};
		}

		private static Thread started(Thread thread) {
			thread.setDaemon(true);
			thread.start();
			return thread;
		}

		/**
		 * A worker thread whose state, asked by the block detector during a scan fault ({@link #housekeepingFaults}),
		 * is a failure in the middle of the scan: the detector's probe of the worker throws.
		 */
		private final class ProbedThread extends Thread {

			ProbedThread(Runnable task) {
				super(task);
			}

			@Override
			public State getState() {
				State state = super.getState();
				if (state != State.NEW && System.nanoTime() - Run.this.scanFaultsUntil < 0
						&& Thread.currentThread() == Run.this.system.detector.thread()) {
					Run.this.injected.incrementAndGet(0);
					throw (Error) FAULTS.get(0);
				}
				return state;
			}

		}

		private EnumSet<WorkqueueFlag> flags(WorkqueueFlag... flags) {
			EnumSet<WorkqueueFlag> set = EnumSet.noneOf(WorkqueueFlag.class);
			set.addAll(List.of(flags));
			if (this.mode == Mode.NO_THREADS) {
				set.add(WorkqueueFlag.MEM_RECLAIM); // only rescuers can run anything
			}
			return set;
		}

		private WorkModel.Queue addQueue(String name, Set<WorkqueueFlag> flags, int maxActive, boolean ordered,
				Random setup) {
			Workqueue wq = ordered ? this.system.allocOrderedWorkqueue(name, flags)
					: this.system.allocWorkqueue(name, flags, maxActive);
			WorkModel.Queue q = this.model.add(wq, maxActive, true, 8);
			if (setup.nextInt(3) == 0) {
				this.model.setCapacity(setup, q);
			}
			return q;
		}

		private WorkModel.Queue newSpare() {
			String name = "spare-" + this.spares.incrementAndGet();
			Workqueue wq = this.system.allocWorkqueue(name, flags(), 2);
			return this.model.add(wq, 2, false, 6);
		}

		/** Runs the drivers with checkpoints, then the closing phase; returns the violations found. */
		List<String> execute() throws Exception {
			Phaser phaser = new Phaser(DRIVERS + 1);
			List<Thread> drivers = new ArrayList<>();
			for (int d = 0; d < DRIVERS; d++) {
				int driver = d;
				Thread thread = new Thread(() -> drive(driver, phaser), "model-driver-" + d);
				thread.setDaemon(true); // a driver stuck in an engine call must not keep the JVM alive
				drivers.add(thread);
			}
			drivers.forEach(Thread::start);
			long end = System.nanoTime() + this.duration.toNanos();
			boolean healthy = true;
			while (healthy) {
				long next = System.nanoTime() + CHECKPOINT_EVERY.toNanos();
				while (System.nanoTime() < Math.min(next, end) && this.model.violations.isEmpty()) {
					LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
				}
				boolean last = System.nanoTime() >= end || !this.model.violations.isEmpty();
				healthy = checkpoint(phaser) && !last;
				if (!healthy) {
					this.stop = true;
				}
				this.pause = false;
				this.model.gates.closeAll();
				phaser.arrive(); // let the drivers go on (or end)
			}
			if (this.model.violations.isEmpty()) {
				for (Thread driver : drivers) {
					driver.join(STALL_BOUND.toMillis());
					if (driver.isAlive()) {
						this.model.violation("driver %s did not end: %s", driver.getName(), describeDrivers());
					}
				}
			}
			if (this.model.violations.isEmpty()) {
				closeWhileBusy();
			}
			else { // a failed run: release what can be released, quickly
				closeOnItsOwnThread(Duration.ofSeconds(2), new AtomicBoolean());
			}
			long failedStarts = this.system.snapshot().pools().stream().mapToLong(PoolSnapshot::failedStarts).sum();
			boolean misbehaving = this.mode == Mode.FLAKY_THREADS || this.mode == Mode.NO_THREADS;
			if (misbehaving && failedStarts == 0 && this.model.violations.isEmpty()) {
				this.model.violation("the thread factory misbehaved, yet no pool counted a failed start");
			}
			System.out.println("ModelBasedRandomTest " + this.mode + ": " + this.model.summary() + "; failed worker "
					+ "starts " + failedStarts + "; failures injected into the detector, timer, rescuers "
					+ this.injected);
			return this.model.violations;
		}

		private void drive(int driver, Phaser phaser) {
			Random random = new Random(this.seed * 31 + driver);
			while (!this.stop) {
				if (this.pause) {
					this.doing[driver] = "paused";
					phaser.arriveAndAwaitAdvance(); // everyone paused: the checkpoint runs
					phaser.arriveAndAwaitAdvance(); // the checkpoint is over
					continue;
				}
				step(random, driver);
			}
			this.doing[driver] = "ended";
		}

		/** Pauses the drivers, brings the system to rest and checks it there. */
		private boolean checkpoint(Phaser phaser) throws InterruptedException {
			this.model.gates.openAll();
			this.pause = true;
			try {
				phaser.awaitAdvanceInterruptibly(phaser.arrive(), STALL_BOUND.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (TimeoutException ex) {
				this.model.violation("stall: drivers did not pause within %s: %s%n%s", STALL_BOUND, describeDrivers(),
						describeSystem());
				return false;
			}
			synchronized (this.operator) {
				if (this.frozen) {
					this.frozenQuiet = false;
					this.system.thaw();
					this.frozen = false;
				}
			}
			endFaults();
			if (!this.system.awaitIdle(STALL_BOUND)) {
				this.model.violation("stall: not idle %s after the drivers paused, gates opened and the system thawed%n%s",
						STALL_BOUND, describeSystem());
				return false;
			}
			int before = this.model.violations.size();
			this.model.checkAtRest(this.system, true, this.mode == Mode.NO_THREADS);
			if (this.model.violations.size() > before) { // what the system looked like right after, for a diagnosis
				String state = describeSystem();
				this.model.violation("the system after the at-rest check found the above (idle %s later: %s):%n%s",
						STALL_BOUND, this.system.awaitIdle(STALL_BOUND), state);
			}
			checkHousekeepingRecovered();
			for (WorkModel.Queue q : this.model.queues) {
				if (this.system.workqueue(q.name).isPresent()) {
					try {
						this.model.execute(q, -1); // no misuse left a queue draining
					}
					catch (RejectedExecutionException ex) {
						if (!ex.getMessage().contains("is full")) { // items of these executed ones may fill it
							this.model.violation("%s at rest refuses an item from outside: %s", q.name,
									ex.getMessage());
						}
					}
				}
			}
			return this.model.violations.isEmpty();
		}

		/** close() while two threads still queue and running items still queue more, delayed ones included. */
		private void closeWhileBusy() throws InterruptedException {
			for (int cpu = 0; cpu < this.cpus; cpu++) {
				this.system.cpuOnline(cpu);
			}
			for (PoolSnapshot pool : this.system.snapshot().pools()) {
				if (pool.rogue() != 0 || !pool.online()) {
					this.model.violation("every CPU is online, yet pool %s is offline or has rogue workers", pool);
				}
			}
			this.stop = false;
			this.model.gates.openAll();
			CountDownLatch busy = new CountDownLatch(2);
			List<Thread> queuers = new ArrayList<>();
			for (int t = 0; t < 2; t++) {
				int id = t;
				queuers.add(new Thread(() -> {
					Random random = new Random(this.seed * 17 + id);
					int n = 0;
					while (!this.stop) {
						try {
							WorkModel.Queue q = this.model.pick(random);
							if (random.nextInt(4) == 0) {
								this.model.execute(q, -1);
							}
							else {
								this.model.queueing(random, q, q.item(random), this.cpus);
							}
						}
						catch (RejectedExecutionException ex) {
							LockSupport.parkNanos(100_000); // shutting down: not accepted; no need to spin
						}
						catch (Throwable ex) {
							this.model.violation("closing queuer: unexpected %s", ex);
						}
						if (++n == 200) {
							busy.countDown();
						}
					}
				}, "model-close-queuer-" + t));
			}
			queuers.forEach((queuer) -> {
				queuer.setDaemon(true);
				queuer.start();
			});
			if (!busy.await(STALL_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
				this.model.violation("closing queuers could not queue 200 times in %s", STALL_BOUND);
			}
			this.closing = true;
			AtomicBoolean clean = new AtomicBoolean();
			Thread closer = closeOnItsOwnThread(STALL_BOUND, clean);
			this.stop = true;
			for (Thread queuer : queuers) {
				queuer.join(STALL_BOUND.toMillis());
			}
			if (closer.isAlive()) {
				this.model.violation("close(%s) did not return within %s; it is at:%n    %s%n%s", STALL_BOUND,
						STALL_BOUND.multipliedBy(2), stackOf(closer), describeSystem());
				return;
			}
			if (!clean.get()) {
				this.model.violation("close(%s) did not drain every queue in time", STALL_BOUND);
			}
			try {
				this.model.queues.get(0).wq.execute(() -> {
				});
				this.model.violation("execute after close() was accepted");
			}
			catch (RejectedExecutionException expected) {
				this.model.queues.get(0).rejected.incrementAndGet(); // as the contract says
			}
			this.model.checkAtRest(this.system, false, this.mode == Mode.NO_THREADS);
		}

		/** One random operation of a driver. */
		private void step(Random r, int driver) {
			WorkModel.Queue q = this.model.pick(r);
			WorkModel.Item item = q.item(r);
			int op = r.nextInt(100);
			this.doing[driver] = "op " + op + " on " + q.name;
			try {
				if (op < 40) {
					this.model.queueing(r, q, item, this.cpus);
				}
				else if (op < 46) {
					this.model.cancel(item);
				}
				else if (op < 50) {
					this.model.cancelSync(item);
				}
				else if (op < 60) {
					if (!this.model.execute(q, driver)) {
						this.model.queueing(r, q, item, this.cpus);
					}
				}
				else if (op < 64) {
					this.model.gates.release(r);
				}
				else if (op < 67) {
					flush(q);
				}
				else if (op < 69) {
					if (!q.freezable) {
						item.work.flush();
					}
				}
				else if (op < 70) {
					if (!q.freezable && r.nextInt(4) == 0) {
						q.wq.drain();
					}
				}
				else if (op < 73) {
					if (!q.ordered) {
						q.wq.setMaxActive(1 + r.nextInt(q.ceiling));
					}
				}
				else if (op < 75) {
					freezeOrThaw(r);
				}
				else if (op < 77) {
					hotplug(r);
				}
				else if (op < 87) {
					spareOperation(r, driver);
				}
				else if (op < 90) {
					this.model.checkSnapshot(this.system.snapshot());
				}
				else if (op < 92) {
					this.model.setCapacity(r, q);
				}
				else if (op < 94) {
					housekeepingFaults(r);
				}
				else if (op < 95 && this.mode == Mode.FLAKY_THREADS) {
					factoryFaults(r);
				}
				else {
					this.model.queueing(r, q, item, this.cpus);
				}
			}
			catch (RejectedExecutionException ex) {
				// a queue draining or destroyed: the call was refused, nothing to count
			}
			catch (Throwable ex) {
				this.model.violation("driver %d, %s: unexpected %s", driver, this.doing[driver], ex);
			}
		}

		private void flush(WorkModel.Queue q) {
			if (q.freezable) {
				q.wq.flush(Duration.ofMillis(20)); // may be frozen: waits for nothing in particular
			}
			else if (!q.wq.flush(STALL_BOUND)) {
				this.model.violation("stall: flush of %s did not finish in %s%n%s", q.name, STALL_BOUND, describeSystem());
			}
		}

		private void freezeOrThaw(Random r) {
			synchronized (this.operator) {
				if (!this.frozen) {
					this.system.freeze();
					this.frozen = true;
				}
				else if (!this.frozenQuiet && r.nextBoolean()) {
					this.frozenQuiet = !this.system.freezeBusy();
				}
				else {
					this.frozenQuiet = false;
					this.system.thaw();
					this.frozen = false;
				}
			}
		}

		private void hotplug(Random r) {
			int cpu = r.nextInt(this.cpus);
			synchronized (this.operator) {
				if (this.system.isOnline(cpu)) {
					try {
						this.system.cpuOffline(cpu);
					}
					catch (IllegalStateException ex) {
						// the last online CPU: refused, as it should be
					}
				}
				else {
					this.system.cpuOnline(cpu);
				}
			}
		}

		/**
		 * For up to 50 ms, rounds of one kind of engine thread fail (every round, every second or every fourth): the
		 * block detector's scan, the timer's tasks (delayed items, mayday, starting workers, the watchdog) or the
		 * rescuers' rescues, with an OutOfMemoryError, a StackOverflowError or a RuntimeException (through the test
		 * hook {@link Housekeeping#fault}). In FLAKY_THREADS the detector may instead fail inside its scan, while
		 * probing a worker ({@link ProbedThread}). A quarter of the time, the pools fail to allocate instead
		 * ({@link #allocationFaults}).
		 */
		private void housekeepingFaults(Random r) {
			if (r.nextInt(4) == 0) {
				allocationFaults(r);
				return;
			}
			int target = r.nextInt(3);
			long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1 + r.nextInt(50));
			if (target == 0 && this.mode == Mode.FLAKY_THREADS && r.nextBoolean()) {
				this.scanFaultsUntil = until;
				return;
			}
			int every = 1 << r.nextInt(3);
			Throwable failure = FAULTS.get(r.nextInt(FAULTS.size()));
			AtomicLong rounds = new AtomicLong();
			housekeeping(target).fault = () -> {
				if (System.nanoTime() - until < 0 && rounds.getAndIncrement() % every == 0) {
					this.injected.incrementAndGet(target);
					if (failure instanceof Error error) {
						throw error;
					}
					throw (RuntimeException) failure;
				}
			};
		}

		/**
		 * For up to 50 ms, every pool fails to allocate (every time, every second or every fourth time) where it links
		 * or activates an item (through the test hook {@code WorkerPool.allocationFault}), with an OutOfMemoryError:
		 * items must stay queued, in order, and run once; only an {@code execute} whose queuer holds its task back
		 * itself sees the error, and is not accepted ({@link WorkModel#ALLOCATION_FAULT}).
		 */
		private void allocationFaults(Random r) {
			long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1 + r.nextInt(50));
			int every = 1 << r.nextInt(3);
			AtomicLong calls = new AtomicLong();
			Runnable fault = () -> {
				if (System.nanoTime() - until < 0 && calls.getAndIncrement() % every == 0) {
					throw WorkModel.ALLOCATION_FAULT;
				}
			};
			for (WorkerPool pool : this.system.pools()) {
				pool.allocationFault = fault;
			}
		}

		/** The failures of one kind of engine thread, in the order of {@link WorkqueueSystem#housekeeping()}. */
		private Housekeeping housekeeping(int target) {
			return switch (target) {
				case 0 -> this.system.detector.housekeeping;
				case 1 -> this.system.timers.housekeeping;
				default -> this.system.rescuers;
			};
		}

		/** For up to 100 ms the thread factory misbehaves for every thread: only rescuers can run items. */
		private void factoryFaults(Random r) {
			this.factoryFaultsUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1 + r.nextInt(100));
		}

		/** Ends every injected fault (the checkpoint's, once the drivers paused). */
		private void endFaults() {
			for (int target = 0; target < 3; target++) {
				housekeeping(target).fault = null;
			}
			for (WorkerPool pool : this.system.pools()) {
				pool.allocationFault = null;
			}
			this.scanFaultsUntil = System.nanoTime();
			this.factoryFaultsUntil = System.nanoTime();
		}

		/**
		 * Once the faults ended, every kind of engine thread works again, and counted each failure injected into it
		 * exactly once.
		 */
		private void checkHousekeepingRecovered() {
			long deadline = System.nanoTime() + STALL_BOUND.toNanos();
			for (;;) {
				List<HousekeepingStatus> statuses = this.system.housekeeping();
				boolean recovered = true;
				for (int target = 0; target < 3; target++) {
					HousekeepingStatus status = statuses.get(target);
					recovered &= status.working() && status.failures() == this.injected.get(target);
				}
				if (recovered) {
					return;
				}
				if (System.nanoTime() - deadline > 0) {
					this.model.violation("engine threads not recovered %s after the faults ended: %s; failures "
							+ "injected %s", STALL_BOUND, statuses, this.injected);
					return;
				}
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
			}
		}

		/** Queueing, cancelling and flushing on the spare queue, and now and then destroying and replacing it. */
		private void spareOperation(Random r, int driver) {
			WorkModel.Queue s = this.spare.get();
			if (s == null) {
				return;
			}
			WorkModel.Item item = s.item(r);
			switch (r.nextInt(12)) {
				case 0 -> {
					if (r.nextInt(8) == 0 && this.spare.compareAndSet(s, null)) {
						this.doing[driver] = "destroy " + s.name;
						s.wq.destroy();
						if (this.system.workqueue(s.name).isPresent()) {
							this.model.violation("%s is still registered after destroy()", s.name);
						}
						try {
							s.wq.queue(new Work(() -> {
							}));
							this.model.violation("%s accepted an item after destroy()", s.name);
						}
						catch (RejectedExecutionException expected) {
							s.rejected.incrementAndGet(); // as the contract says
						}
						this.spare.set(newSpare());
					}
				}
				case 1 -> this.model.cancel(item);
				case 2 -> this.model.cancelSync(item);
				case 3 -> this.model.execute(s, driver);
				case 4 -> flush(s);
				default -> this.model.queueing(r, s, item, this.cpus);
			}
		}

		/** What an item does when it runs; called by the model's bookkeeping around it. */
		private void body(WorkModel.Queue q, WorkModel.Item item, SplittableRandom r) {
			if (q.freezable && this.frozenQuiet) {
				this.model.violation("%s: an item started after the freeze was complete", q.name);
			}
			boolean callerRun = ThreadContext.get().inline != null; // CALLER_RUNS: on the queuer's thread
			if (!callerRun && VirtualThreads.isVirtual(Thread.currentThread()) != this.mode.virtualThreads().isVirtual()) {
				this.model.violation("%s: an item ran on %s in mode %s", q.name, Thread.currentThread(), this.mode);
			}
			int b = r.nextInt(100);
			if (b < 15) {
				LockSupport.parkNanos(r.nextLong(50_000, 500_000));
			}
			else if (b < 21) {
				this.model.gates.await(r, Duration.ofMillis(r.nextInt(1, 100)));
			}
			else if (b < 29) {
				this.model.gates.release(r);
			}
			else if (b < 31) {
				long until = System.nanoTime() + r.nextLong(1_000_000, 12_000_000);
				while (System.nanoTime() < until) {
					Thread.onSpinWait(); // long enough to be found CPU-intensive now and then
				}
			}
			if (r.nextInt(8) == 0 && (!this.closing || this.closingBudget.decrementAndGet() >= 0)) {
				chain(r);
			}
			if (r.nextInt(25) == 0) {
				waitForItself(q, item, r);
			}
			int fail = r.nextInt(30);
			if (fail == 0) {
				throw new WorkModel.InjectedFailure();
			}
			if (fail == 1) {
				handledFailure(q);
			}
		}

		/** The item handles a failure itself: the run counts as failed, the failure handler is not told. */
		private void handledFailure(WorkModel.Queue q) {
			q.failuresHandled.incrementAndGet();
			Work.currentWork().failedHandled(new WorkModel.InjectedFailure());
		}

		/**
		 * An item misuses a wait that could only wait for itself: each must throw IllegalStateException at once and
		 * change nothing (the at-rest checks and the next checkpoint's outside queueing show that). On an ordered
		 * queue, flushing an item pending behind may also return normally: a driver cancelled it meanwhile.
		 */
		private void waitForItself(WorkModel.Queue q, WorkModel.Item item, SplittableRandom r) {
			boolean onWorker = ThreadContext.get().inline == null; // an item run by its caller is in no flush
			int kind = r.nextInt(6);
			String what;
			try {
				switch (kind) {
					case 0 -> {
						what = "flush() of its own queue";
						if (!onWorker) {
							return;
						}
						q.wq.flush();
					}
					case 1 -> {
						what = "drain() of its own queue";
						if (!onWorker) {
							return;
						}
						q.wq.drain();
					}
					case 2 -> {
						what = "awaitIdle()";
						this.system.awaitIdle(STALL_BOUND);
					}
					case 3, 4 -> {
						what = (kind == 3) ? "Work.flush() of itself" : "Work.cancelSync() of itself";
						if (item == null) {
							return;
						}
						if (kind == 3) {
							item.work.flush();
						}
						else {
							item.work.cancelSync();
						}
					}
					default -> {
						what = "Work.flush() of an item pending behind it on its ordered queue";
						WorkModel.Item behind = q.item(r);
						if (!q.ordered || !onWorker || behind == item) {
							return;
						}
						this.model.queueing(r, q, behind, this.cpus);
						behind.work.flush();
						return; // cancelled meanwhile
					}
				}
				this.model.violation("%s: %s from an item did not fail fast", q.name, what);
			}
			catch (IllegalStateException expected) {
				if (!expected.getMessage().contains("'" + q.name + "'")) {
					this.model.violation("%s: the misuse's message does not name the queue: %s", q.name,
							expected.getMessage());
				}
			}
			catch (RejectedExecutionException ex) {
				// the item behind could not be queued: nothing to flush
			}
		}

		/** An item queues or cancels another item (or itself), or executes a fresh one. */
		private void chain(SplittableRandom r) {
			WorkModel.Queue target = this.model.pick(r);
			try {
				int c = r.nextInt(10);
				if (c == 0) {
					this.model.cancel(target.item(r));
				}
				else if (c == 1) {
					this.model.execute(target, -1);
				}
				else {
					this.model.queueing(r, target, target.item(r), this.cpus);
				}
			}
			catch (RejectedExecutionException ex) {
				// that queue is draining, or the system is shutting down: not accepted
			}
		}

		/**
		 * Runs {@code close(timeout)} on a thread of its own and waits twice the timeout for it, so that a close() that
		 * never returns fails the test instead of hanging the build.
		 * @return the thread, still alive if close() did not return
		 */
		private Thread closeOnItsOwnThread(Duration timeout, AtomicBoolean clean) throws InterruptedException {
			Thread closer = new Thread(() -> clean.set(this.system.close(timeout)), "model-close");
			closer.setDaemon(true);
			closer.start();
			closer.join(2 * timeout.toMillis());
			return closer;
		}

		private static String stackOf(Thread thread) {
			StringBuilder sb = new StringBuilder();
			for (StackTraceElement frame : thread.getStackTrace()) {
				sb.append(frame).append("\n    ");
			}
			return sb.toString();
		}

		String describeDrivers() {
			return String.join("; ", this.doing);
		}

		String describeSystem() {
			StringBuilder sb = new StringBuilder();
			SystemSnapshot snapshot = this.system.snapshot();
			sb.append("  frozen=").append(snapshot.frozen()).append(" cpus=").append(snapshot.cpus()).append('\n');
			for (PoolSnapshot pool : snapshot.pools()) {
				if (pool.pending() > 0 || pool.running() > 0 || pool.busy() > 0) {
					sb.append("  ").append(pool).append('\n');
				}
			}
			for (WorkerPool pool : this.system.pools()) {
				sb.append("    ").append(pool.internals()).append('\n');
			}
			Thread.getAllStackTraces().forEach((t, st) -> {
				// the engine's threads (workers, timer, rescuers, detector) and the drivers, for a stall's diagnosis
				if (t.getName().startsWith("cmwq-") || t.getName().startsWith("model-driver-")) {
					sb.append("    thread ").append(t.getName()).append(' ').append(t.getState()).append('\n');
					for (int i = 0; i < Math.min(12, st.length); i++) {
						sb.append("      at ").append(st[i]).append('\n');
					}
				}
			});
			for (WorkqueueSnapshot wq : snapshot.workqueues()) {
				if (wq.pending() > 0 || wq.active() > 0) {
					sb.append("  ").append(wq).append('\n');
				}
			}
			sb.append(this.model.describePending());
			return sb.toString();
		}

	}

}
