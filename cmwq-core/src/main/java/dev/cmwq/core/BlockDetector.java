package dev.cmwq.core;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds running workers of concurrency-managed pools that have blocked (the JVM's stand-in for the kernel's
 * scheduler hooks {@code wq_worker_sleeping} / {@code wq_worker_running}), and items that run longer than the
 * CPU-intensive threshold without blocking.
 *
 * <h2>How</h2>
 * One daemon thread watches the bound pools that have pending items (only there can a blocked worker hold work
 * back), and those with a worker that said it is about to block ({@link Blocking#expect}) until it has looked at it
 * once. It is driven by deadlines, not by a fixed scan: it sleeps until the earliest moment a worker of a watched
 * pool is worth probing, probes the workers whose moment has come, plans their next one, and sleeps again. A
 * worker inside an item ({@link Worker#inItem}, false during the engine's own bookkeeping, so its short lock waits
 * between items are never taken for blocking) is probed with {@link ThreadStateProbe}: first the JVM's state
 * (free), then, for a RUNNABLE thread, the kernel's R/S/D state, and for a sleeping one where in the kernel it
 * sleeps. A socket or file read is believed at once; a sleep in a futex must show on two probes in a row, since a
 * JVM safepoint pause looks like that for a moment. Found blocked, it is flagged {@link Worker#SLEEPING}, stops
 * counting as running, and the pool kicks another worker; found running again, the flag is cleared. Transitions
 * re-check under the pool lock that the worker is still on the same item, so a worker caught at the very end of its
 * item costs at most one spurious kick. Workers in a {@link Blocking} section or on a CPU-intensive item do not
 * count as running whatever they do, and are never probed.
 *
 * <h2>When</h2>
 * <ul>
 * <li>An item is first probed a learned delay after it started (one that started while its pool had nothing
 * waiting, one interval after the detector began to watch the pool): the delay after which the pool's items usually
 * stop counting as running. Found blocked at that first probe, the delay shrinks by a sixteenth (the block came earlier);
 * found blocked after probes that found it running, the delay becomes the age it was found at (at most twice the
 * old one); an item seen in a hint by then raises it to that age. Between the {@code interval} (50 µs by default)
 * and 32 intervals. So a pool whose items block after about 1 ms has each probed once, just after its block.</li>
 * <li>Found running, an item is probed again after one interval, then after twice as long each time, up to 16
 * intervals; this is also where CPU-intensive items are found, by the CPU time the thread used since it last
 * blocked (one clock read), so that a worker that waits for a real CPU on a busy machine is not taken for a CPU
 * hog.</li>
 * <li>Workers found blocked, and items running again after their first block, are looked at only while the
 * detector is awake anyway (from half their step on: 16 intervals, doubling up to 64): most such items end before
 * they block again. A worker that said it is about to block is looked at after one interval. A pool where a worker
 * was just found blocked is looked at again one learned delay (and an interval) later, when the item its kicked
 * worker started is due; a watched pool none of whose workers has a deadline of its own, after 32 intervals.</li>
 * <li>A worker whose items end before their first probe makes the detector wake up for nothing: each such item
 * doubles that worker's first delay, up to 32 times, until one of its items is probed.</li>
 * </ul>
 * Items that end before their probe, and blocks that end before it, cost nothing; a block is usually found within
 * an interval or two of the learned delay. The thread sets its own timer slack to 1 µs (where Linux lets it), so
 * its sleeps end when planned. With no pool to watch it parks without a timeout (an idle system pays nothing);
 * {@link #watch(WorkerPool)}, from a pool that gains pending items, costs a volatile read while the pool is watched
 * and otherwise unparks it. The measured cost and detection times are in docs/benchmarks.md.
 *
 * <h2>Failures</h2>
 * The thread survives any {@code Throwable} (an {@code OutOfMemoryError} in a flood, a bug): the loop catches
 * it, reports it to {@link #housekeeping} (counted, logged rate-limited; the detector counts as not working), backs
 * off for a millisecond or more, and starts over; the next round that completes makes it work again. A thread that
 * cannot be started (the JVM refuses one) is retried from the timer after the same back-off, and at every later
 * {@link #watch()}. A thread that ends while the detector is not stopped starts its replacement.
 *
 * <p>Fields (tags as in {@code package-info.java}): {@code thread}, {@code stopped} and {@code PoolWatch.watched}
 * are V; the detector's per-worker fields ({@code Worker.scanSeq}, {@code probeAt}, {@code runMark}, ...), the rest
 * of {@code PoolWatch} and the probes' are D.
 */
final class BlockDetector implements Runnable {

	/** Bound of a pool's learned first-probe delay, in detector intervals (1.6 ms at the default). */
	private static final int MAX_FIRST = 32;

	/** Bound of the back-off between probes of an item found running, in intervals (0.8 ms at the default). */
	private static final int MAX_RUNNING_STEP = 16;

	/** First and last step between looks at a worker found blocked, in intervals (0.8 and 3.2 ms). */
	private static final int FIRST_FLAGGED_STEP = 16;

	private static final int MAX_FLAGGED_STEP = 64;

	/** Doublings at most of the first-probe delay of a worker whose items end before their first probe. */
	private static final int MAX_STALE = 5;

	/** A deadline no worker has. */
	private static final long NEVER = Long.MAX_VALUE;

	static final String NAME = "cmwq-block-detector";

	final Housekeeping housekeeping = new Housekeeping(NAME); // I

	private final WorkqueueSystem system;

	private final long intervalNanos;

	private final long cpuIntensiveNanos;

	/** Per bound pool, by {@link WorkerPool#index}: whether it is watched, and what was learned of its items. I */
	private final PoolWatch[] watches;

	private volatile Thread thread;

	private volatile boolean stopped;

	/** When the detector last planned to wake up ({@link #NEVER} when it parked for good, or was woken earlier). D */
	private long plannedWake = NEVER;

	/**
	 * Failures of the scan loop, or of starting the thread, since it last worked. D, or under this monitor in
	 * {@link #start()} while no detector thread runs.
	 */
	private int failuresInARow;

	/** After a failed start: no new attempt before this time. Guarded by this monitor. */
	private long retryStartAt;

	BlockDetector(WorkqueueSystem system, long intervalNanos, long cpuIntensiveNanos) {
		this.system = system;
		this.intervalNanos = intervalNanos;
		this.cpuIntensiveNanos = cpuIntensiveNanos;
		List<WorkerPool> bound = system.boundPools();
		this.watches = new PoolWatch[bound.size()];
		for (WorkerPool pool : bound) {
			this.watches[pool.index] = new PoolWatch(intervalNanos);
		}
	}

	/**
	 * A managed pool has pending items: make sure the detector looks at it. Costs a volatile read while the
	 * detector already does; else the detector is woken up to plan its looks.
	 */
	void watch(WorkerPool pool) {
		assert pool.cpu >= 0 : pool;
		PoolWatch watch = this.watches[pool.index];
		if (watch.watched && this.thread != null) {
			return;
		}
		watch.watched = true;
		watch();
	}

	/**
	 * Wakes the detector up to look at the pools at once: a pool gained work, or a worker said it is about to block
	 * ({@link Blocking#expect}) and is to be looked at soon.
	 */
	void watch() {
		if (this.system.jdkScheduled) {
			return; // VirtualThreadMode.SCHEDULER: a virtual thread that blocks frees its carrier by itself
		}
		Thread t = this.thread;
		if (t == null) {
			start();
		}
		else {
			LockSupport.unpark(t);
		}
	}

	private synchronized void start() {
		if (this.thread != null || this.stopped
				|| (this.failuresInARow > 0 && System.nanoTime() - this.retryStartAt < 0)) {
			return;
		}
		try {
			this.housekeeping.round();
			Thread t = new Thread(this, NAME);
			t.setDaemon(true);
			this.thread = t;
			t.start();
		}
		catch (Throwable ex) { // OutOfMemoryError "unable to create native thread": not on the queuer's call
			this.thread = null;
			long backoff = this.housekeeping.failed(NAME, ex, this.failuresInARow++);
			this.retryStartAt = System.nanoTime() + backoff;
			try {
				this.system.timers.schedule(this::watch, backoff); // even if nothing else is queued meanwhile
			}
			catch (Throwable again) {
				// the next watch() tries again
			}
		}
	}

	/** The detector's thread, or null while none runs. */
	Thread thread() {
		return this.thread;
	}

	void stop() {
		this.stopped = true;
		Thread t = this.thread;
		if (t != null) {
			LockSupport.unpark(t);
		}
	}

	@Override
	public void run() {
		ThreadStateProbe.shortenTimerSlack(); // its sleeps end when planned, not up to 50 µs later
		try {
			while (!this.stopped) {
				try {
					scanUntilStopped();
				}
				catch (Throwable ex) { // even an OutOfMemoryError: concurrency management needs this thread
					LockSupport.parkNanos(this, this.housekeeping.failed(NAME, ex, this.failuresInARow++));
				}
			}
		}
		finally {
			exited();
		}
	}

	/** A Throwable got past the loop's catch (thrown while reporting a failure): a new thread takes over. */
	private void exited() {
		synchronized (this) {
			if (this.thread == Thread.currentThread()) {
				this.thread = null;
			}
		}
		if (!this.stopped) {
			watch();
		}
	}

	/**
	 * The loop: looks at what is due, then sleeps until the next deadline, or, with no pool watched, until a
	 * {@link #watch(WorkerPool)}. Returns when the detector is stopped, throws what a round throws.
	 */
	private void scanUntilStopped() {
		while (!this.stopped) {
			this.housekeeping.round();
			long next = scan(System.nanoTime());
			if (this.failuresInARow > 0) { // a whole scan after failures: working again
				this.failuresInARow = 0;
				this.housekeeping.recovered();
			}
			if (next == NEVER) {
				LockSupport.park(this); // no pool is watched: the next watch(pool) unparks
			}
			else {
				long wait = next - System.nanoTime();
				if (wait > 0) {
					LockSupport.parkNanos(this, wait);
				}
			}
			this.plannedWake = next;
		}
	}

	/**
	 * Looks at the workers of the watched pools whose deadline has come; returns the next deadline, or
	 * {@link #NEVER} if no pool needs watching. A pool that no longer does is unwatched, then looked at once more:
	 * a {@link #watch(WorkerPool)} that saw it watched has made its pending items visible before.
	 */
	private long scan(long now) {
		long next = NEVER;
		for (WorkerPool pool : this.system.boundPools()) {
			PoolWatch watch = this.watches[pool.index];
			if (!pool.needsWatching()) {
				watch.looking = false;
				if (!watch.watched) {
					continue;
				}
				watch.watched = false;
				if (!pool.needsWatching()) {
					continue;
				}
			}
			watch.watched = true;
			if (!watch.looking) {
				watch.looking = true;
				watch.since = now;
			}
			next = Math.min(next, scan(pool, watch, now));
		}
		return next;
	}

	/**
	 * Looks at the pool's workers in two passes: first those flagged blocked (has one run again?), then, if items
	 * wait, the others (has one blocked?), so that a worker that woke up counts as running again before a block
	 * found in the same scan makes the pool kick yet another worker. A worker that said it is about to block is
	 * looked at even while nothing waits: if it runs on, items queued later must not start beside it. Returns the
	 * pool's next deadline: the earliest of its workers', or, if none has one (no worker in an item it could find
	 * blocked), a look after the longest first-probe delay, and the pool is marked unwatched so that the next
	 * queueing here wakes the detector up.
	 */
	private long scan(WorkerPool pool, PoolWatch watch, long now) {
		Worker[] workers = pool.workerArray;
		long next = look(pool, watch, workers, true, now);
		if (pool.hasPending()) {
			next = Math.min(next, look(pool, watch, workers, false, now));
		}
		if (next != NEVER) {
			return next;
		}
		// Nothing here to probe soon (a kicked worker has not started its item yet, or every worker is blocked):
		// look again later, or as soon as items are queued here again, which may start beside a new item.
		watch.watched = false;
		return now + MAX_FIRST * this.intervalNanos;
	}

	private long look(WorkerPool pool, PoolWatch watch, Worker[] workers, boolean flagged, long now) {
		long next = NEVER;
		for (Worker worker : workers) {
			Thread t = worker.thread;
			if (!worker.inItem || t == null || worker.sleepingHint != flagged) {
				continue;
			}
			long seq = worker.itemSeq;
			boolean exempt = worker.exempt;
			if (seq != worker.scanSeq || flagged != worker.seenFlagged || exempt != worker.seenExempt) {
				plan(watch, worker, seq, flagged, exempt, now);
			}
			if (exempt) {
				continue; // in a Blocking section, or CPU-intensive: not counted, whatever it does
			}
			if (worker.probeAt - now <= slack(worker) && probe(pool, watch, worker, t, seq, flagged, now)) {
				// another worker takes the next item now: look at it when it is worth its first probe
				next = Math.min(next, now + watch.firstDelay + this.intervalNanos);
			}
			if (!soft(worker)) {
				next = Math.min(next, worker.probeAt);
			}
		}
		return next;
	}

	/**
	 * Whether the worker is probed only when the detector is awake anyway (or at the pool's fallback look): found
	 * blocked (but not one that said it is about to block: it is looked at after an interval), or running again
	 * after its item's first stop. Most such items end before they block again.
	 */
	private static boolean soft(Worker worker) {
		return (worker.seenFlagged && !worker.expecting) || worker.runningProbes < 0;
	}

	/** How much earlier than its deadline a worker is probed when the detector is awake anyway. */
	private long slack(Worker worker) {
		if (worker.runningProbes == 0) {
			return 0; // a first probe: its delay was learned
		}
		return soft(worker) ? worker.step / 2 : worker.step / 4;
	}

	/**
	 * The worker is on an item the plan is not for, or was flagged or exempted by someone else (a hint, the item's
	 * start or end): plans its first look. A new item is first probed once its pool's items usually block (the
	 * learned delay); one that was flagged, by {@link Blocking#expect}, after one interval; one whose hint ended,
	 * after the learned delay from now.
	 */
	private void plan(PoolWatch watch, Worker worker, long seq, boolean flagged, boolean exempt, long now) {
		boolean newItem = seq != worker.scanSeq;
		if (newItem) {
			if (worker.runningProbes == 0 && !worker.seenFlagged && !worker.seenExempt
					&& worker.probeAt - this.plannedWake <= 0 && this.plannedWake - now <= 0) {
				// the detector woke up for its first probe, and the item had ended
				worker.stale = Math.min(worker.stale + 1, MAX_STALE); // it ended before its first probe was due
			}
			worker.scanSeq = seq;
			worker.runningProbes = 0;
			worker.kernelBlockedSeq = -1;
			worker.runMark = -1;
		}
		else if (exempt && !worker.seenExempt) {
			watch.learnExempt(worker, now - watch.origin(worker));
		}
		worker.seenFlagged = flagged;
		worker.seenExempt = exempt;
		if (flagged) {
			worker.step = this.intervalNanos;
			worker.probeAt = now + this.intervalNanos;
		}
		else if (newItem && worker.startedAt - watch.since < 0) {
			// it ran before its pool had anything waiting: its age tells nothing, so it is probed after an interval
			worker.step = this.intervalNanos;
			worker.probeAt = watch.since + this.intervalNanos;
		}
		else {
			long delay = Math.min(watch.firstDelay << worker.stale, MAX_FIRST * this.intervalNanos);
			worker.step = delay;
			worker.probeAt = (newItem ? worker.startedAt : now) + delay;
		}
	}

	/**
	 * Probes a worker whose deadline has come, acts on what it finds, and plans its next probe.
	 * @return true if it was found blocked and flagged
	 */
	private boolean probe(WorkerPool pool, PoolWatch watch, Worker worker, Thread t, long seq, boolean flagged,
			long now) {
		worker.stale = 0;
		int state = worker.probe.probe(t);
		boolean blocked;
		if (state == ThreadStateProbe.KERNEL_BLOCKED && !flagged) {
			// Only the kernel sees it sleep, in a futex: a JVM safepoint pause, or a lock in native code, looks
			// like that for a moment. Believe it once it is seen on two probes of the same item in a row. (A
			// sleep elsewhere in the kernel, IO_BLOCKED, such as a socket read, is believed at once.)
			blocked = worker.kernelBlockedSeq == seq;
			worker.kernelBlockedSeq = seq;
		}
		else {
			blocked = state != ThreadStateProbe.RUNNING;
			worker.kernelBlockedSeq = -1;
		}
		if (blocked != flagged) {
			if (blocked) {
				watch.learn(worker, now - watch.origin(worker));
			}
			transition(pool, worker, seq, blocked);
		}
		else if (worker.expecting) {
			confirmExpected(pool, worker);
		}
		long step;
		if (blocked) {
			worker.runMark = -1; // CPU-intensive is judged by CPU time since the last block
			step = flagged ? Math.min(worker.step * 2, MAX_FLAGGED_STEP * this.intervalNanos)
					: FIRST_FLAGGED_STEP * this.intervalNanos;
		}
		else if (state != ThreadStateProbe.RUNNING) {
			worker.runMark = -1;
			step = this.intervalNanos; // seen blocked once, by the kernel only: look again soon
		}
		else {
			checkCpuIntensive(pool, worker, seq, t);
			if (flagged) { // runs again after a block: most such items end before they block again
				step = MAX_FIRST * this.intervalNanos;
			}
			else {
				step = (worker.runningProbes == 0) ? this.intervalNanos
						: Math.min(worker.step * 2, MAX_RUNNING_STEP * this.intervalNanos);
				if (worker.runningProbes >= 0) {
					worker.runningProbes++;
				}
			}
		}
		worker.seenFlagged = blocked;
		worker.step = step;
		worker.probeAt = now + step;
		return blocked && !flagged;
	}

	/**
	 * Marks a worker CPU-intensive once its item has used the threshold's CPU time since it last blocked. The CPU
	 * clock (a system call) is read once when the detector first sees the item running, and again
	 * only once the wall time since then has passed the threshold: CPU time cannot have before.
	 */
	private void checkCpuIntensive(WorkerPool pool, Worker worker, long seq, Thread t) {
		if (this.cpuIntensiveNanos == 0 || (worker.flags & Worker.CPU_INTENSIVE) != 0) {
			return;
		}
		long now = System.nanoTime();
		if (worker.runMark < 0) {
			worker.runMark = now;
			worker.runMarkCpu = ThreadStateProbe.cpuNanos(t);
			return;
		}
		if (now - worker.runMark <= this.cpuIntensiveNanos) {
			return;
		}
		// without a CPU clock, judge by wall time, as a last resort
		long used = (worker.runMarkCpu >= 0) ? ThreadStateProbe.cpuNanos(t) - worker.runMarkCpu : now - worker.runMark;
		if (used > this.cpuIntensiveNanos) {
			markCpuIntensive(pool, worker, seq);
		}
	}

	/**
	 * Flags or unflags a worker found blocked or running again. A kicked idle worker is unparked at once, but a new
	 * thread is started by the timer thread (much later than an unpark), so the scan goes on.
	 */
	private void transition(WorkerPool pool, Worker worker, long seq, boolean blocked) {
		pool.lock();
		try {
			if (worker.itemSeq != seq || worker.currentWork == null) {
				return; // the item ended meanwhile
			}
			worker.setFlag(Worker.SLEEPING, blocked);
		}
		finally {
			pool.unlock(true);
		}
	}

	/** A worker that said it is about to block was found blocked: from now on an ordinary blocked worker. */
	private void confirmExpected(WorkerPool pool, Worker worker) {
		pool.lock();
		try {
			worker.setExpecting(false);
		}
		finally {
			pool.unlock(true);
		}
	}

	private void markCpuIntensive(WorkerPool pool, Worker worker, long seq) {
		pool.lock();
		try {
			if (worker.itemSeq == seq && worker.currentWork != null && (worker.flags & Worker.CPU_INTENSIVE) == 0) {
				worker.setFlag(Worker.CPU_INTENSIVE, true);
			}
		}
		finally {
			pool.unlock(true);
		}
	}

	/** What the detector knows of one bound pool. */
	private static final class PoolWatch {

		/**
		 * Whether the detector looks at the pool: set by {@link #watch(WorkerPool)} (and the detector), cleared by
		 * the detector once the pool needs no watching. V
		 */
		volatile boolean watched;

		/**
		 * How long after an item starts it is first probed: learned from when the pool's items stop counting as
		 * running (found blocked, or in a hint), between one interval and {@link #MAX_FIRST} intervals. D
		 */
		long firstDelay;

		/** Whether the detector looked at the pool in its last scan, and since when it has without a break. D */
		boolean looking;

		long since; // D: see looking

		private final long interval; // I

		PoolWatch(long interval) {
			this.interval = interval;
			this.firstDelay = interval;
		}

		/**
		 * When the worker's item became worth watching: its start, or, if it started while the pool had nothing
		 * waiting, when the detector began to look at the pool.
		 */
		long origin(Worker worker) {
			long start = worker.startedAt;
			return (start - this.since > 0) ? start : this.since;
		}

		/**
		 * The worker's item stopped counting as running {@code age} after it started, found so after some probes
		 * that found it running (then the delay becomes that age: the block came between the last two) or at its
		 * first probe (then the delay shrinks by a sixteenth: the block came earlier, by how much is unknown).
		 * Only an item's first stop is learned from.
		 */
		void learn(Worker worker, long age) {
			if (worker.runningProbes < 0) {
				return;
			}
			long delay = (worker.runningProbes == 0) ? this.firstDelay - this.firstDelay / 16
					: Math.min(age, 2 * this.firstDelay); // one late item doubles it at most
			this.firstDelay = Math.max(this.interval, Math.min(delay, MAX_FIRST * this.interval));
			worker.runningProbes = -1;
		}

		/**
		 * The worker's item stopped counting by itself (a hint, CPU-intensive) {@code age} after it started, or
		 * earlier: probing it before then was of no use, so the delay grows to that age.
		 */
		void learnExempt(Worker worker, long age) {
			if (worker.runningProbes < 0) {
				return;
			}
			this.firstDelay = Math.max(this.firstDelay, Math.min(age, Math.min(2 * this.firstDelay, MAX_FIRST * this.interval)));
			worker.runningProbes = -1;
		}

	}

}
