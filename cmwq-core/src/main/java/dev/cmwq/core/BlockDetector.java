package dev.cmwq.core;

import java.util.concurrent.locks.LockSupport;

/**
 * Finds running workers of concurrency-managed pools that have blocked (the JVM's stand-in for the kernel's
 * scheduler hooks {@code wq_worker_sleeping} / {@code wq_worker_running}), and items that run longer than the
 * CPU-intensive threshold without blocking.
 *
 * <h2>How</h2>
 * One daemon thread scans, every {@code interval} (50 µs by default; longer in practice, as Linux adds its timer
 * slack to short sleeps), the workers of the bound pools that have pending items: only there can a blocked
 * worker hold work back; and workers that said they are about to block ({@link Blocking#expect}) until it has
 * looked at them once, so that one that did not block counts as running again before new items start beside it. A
 * worker inside an item ({@link Worker#inItem}, false during the engine's own bookkeeping, so its short lock waits
 * between items are never taken for blocking) is probed with {@link ThreadStateProbe}: first the JVM's state
 * (free), then, for a RUNNABLE thread, the kernel's R/S/D state, and for a sleeping one where in the kernel it
 * sleeps. A socket or file read is believed at once; a sleep in a futex must show on two probes in a row, since a
 * JVM safepoint pause looks like that for a moment. Found blocked, it is flagged {@link Worker#SLEEPING}, stops
 * counting as running, and the pool kicks another worker; found running again, the flag is cleared. Transitions
 * re-check under the pool lock that the worker is still on the same item, so a worker caught at the very end of its
 * item costs at most one spurious kick.
 *
 * <h2>Cost</h2>
 * The JVM's state is looked at from the first scan that sees an item; the kernel's from the first scan once the
 * item is an interval old (most items end before; one that is older, such as one that waited in a socket read since
 * before its pool had anything pending, is found at once; an item of a batch, whose start time is not read, counts as
 * new at the first scan that sees it). A worker found running has its {@code /proc} state (a
 * file read) read again only once its CPU clock (one system call, a fraction of that) shows it off the CPU for at
 * least half the time since the scan before: so a CPU-bound item is cheap to watch, and a block after a long
 * CPU-bound stretch is probed at the first scan after it. A worker flagged blocked where only the kernel sees it (a
 * socket read, which the JVM shows as running) is probed again only once its CPU clock has moved since the probe
 * that found it blocked: while the clock stands still the thread has not run, so it is still in that block (on
 * workload 3 of the benchmarks, a quarter less of the detector's CPU). While every running
 * item is new at each scan (a stream of items shorter than the interval), there is nothing to probe, and the
 * interval doubles after a few such scans, up to 8 times, until an item outlives a scan again. The detector pays for
 * what it finds: while its looks find nothing to act on (no block, no blocked worker running again, no CPU hog), such
 * as while CPU-bound items run with more waiting, the interval doubles after every {@value #FRUITLESS_SCANS} such
 * scans in a row, up to 8 times, and goes back to the shortest at the first thing found (or once the detector has
 * parked): so a block that comes after a long stretch of items that did not block is found up to 8 intervals late,
 * and one among frequent blocks as soon as before. A worker that does not
 * count as running (inside a {@link Blocking} section, or CPU-intensive) is not probed: its block holds nothing
 * back, and it counts as running again the moment its section ends. Hints need no scan: a queue whose items have
 * announced their last {@value PoolWorkqueue#ANNOUNCING} blocks ({@link Blocking}), with none found unannounced
 * since, has its running items probed only every 32 intervals (a safety look), and while only such items run the
 * interval doubles up to 32 times; a block of one of its items that was not announced, found by such a look, makes
 * its items watched as usual again. CPU-intensive items
 * are judged by the CPU time the thread used since it last blocked (one clock read), so a worker that
 * waits for a real CPU on a busy machine is not taken for a CPU hog. When no bound pool has pending items the
 * thread scans a few more times, at the shortest interval whatever it had grown to (a timed wake-up costs tens of
 * microseconds of CPU on a VM: lingering for long costs more than being unparked; and a queuer does not wake a
 * detector that lingers), then parks without a timeout (but while the timer's thread is missing, see Failures): an
 * idle system pays nothing. A pool whose lock
 * is released with items pending while a worker counts as running unparks it ({@link WorkerPool#unlock()}), as
 * does a queuer that pushes onto such a pool without the lock. The measured cost and detection times are in
 * docs/benchmarks.md.
 *
 * <h2>Failures</h2>
 * The thread survives any {@code Throwable} (an {@code OutOfMemoryError} in a flood, a bug): the scan loop catches
 * it, reports it to {@link #housekeeping} (counted, logged rate-limited; the detector counts as not working), backs
 * off for a millisecond or more, and starts over; the next scan that completes makes it work again. A thread that
 * cannot be started (the JVM refuses one) is retried from the timer after the same back-off, and at every later
 * {@link #watch()}. A thread that ends while the detector is not stopped starts its replacement. Each scan also
 * tries again to start the timer's thread if that failed ({@link Timers#retryStart}, after its back-off): the timer
 * starts the threads of the workers the detector kicks, and fires delayed items, which nothing else would retry
 * while nothing new is queued. So while the timer's thread is missing the detector does not park for good: a failed
 * start of it wakes (or starts) the detector's thread, in every {@link VirtualThreadMode}, which then parks only
 * until the timer's back-off ends, and scans again.
 *
 * <p>Fields (tags as in {@code package-info.java}): {@code thread}, {@code parked} and {@code stopped} are V; the
 * detector's per-worker fields ({@code Worker.scanSeq}, {@code runMark}, {@code cpuSeen}, ...) and the probes' are D.
 */
final class BlockDetector implements Runnable {

	/** Scans without pending work before parking for good. */
	private static final int LINGER_SCANS = 4;

	/** Scans that found only new items before the interval starts to grow, and how far it may grow. */
	private static final int BACKOFF_AFTER = 8;

	private static final int MAX_BACKOFF = 8;

	/**
	 * Scans in a row whose looks found nothing to act on (see {@link #acted}) after which the interval doubles, up to
	 * {@link #MAX_BACKOFF}. Among frequent blocks (workloads 2 and 3 of the benchmarks: one found per 6 to 11 scans)
	 * runs this long are rare, so that detection stays as fast there.
	 */
	static final int FRUITLESS_SCANS = 64;

	/**
	 * How far the interval may grow while every running item it watches belongs to a queue whose items announce
	 * their blocks ({@link PoolWorkqueue#announcesBlocks}); such an item is probed only once this many intervals
	 * have passed since it was last.
	 */
	private static final int TRUSTED_BACKOFF = 32;

	static final String NAME = "cmwq-block-detector";

	final Housekeeping housekeeping = new Housekeeping(NAME); // I

	private final WorkqueueSystem system;

	private final long intervalNanos;

	private final long cpuIntensiveNanos;

	private volatile Thread thread;

	private volatile boolean parked;

	private volatile boolean stopped;

	/**
	 * Whether the interval has grown past {@link #MAX_BACKOFF} because only items of queues that announce their
	 * blocks ran: an item of another queue that starts then makes the detector look at once ({@link #hurry}). V
	 */
	volatile boolean slow;

	/** Scans so far. D; read by tests without synchronization, as a hint */
	long scans;

	/** Whether the current scan looked at an item it had seen before. D */
	private boolean probed;

	/**
	 * Whether the current scan found something to act on: flagged a worker blocked or running again, confirmed an
	 * expected block or marked a CPU hog. D
	 */
	private boolean acted;

	/** The interval the detector sleeps for between scans now: for tests and {@link #internals()}. V (its only writer) */
	volatile long currentInterval;

	/**
	 * Whether the current scan watched a running item of a queue that announces its blocks, and one of a queue that
	 * does not. D
	 */
	private boolean sawTrusted, sawUntrusted;

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
	}

	/** A managed pool has pending items, or a worker said it is about to block: make sure the scan runs. */
	void watch() {
		if (this.system.jdkScheduled) {
			return; // VirtualThreadMode.SCHEDULER: a virtual thread that blocks frees its carrier by itself
		}
		wake();
	}

	/**
	 * Makes sure the detector's thread runs: unparks it, or starts it. In every mode: also called when the timer's
	 * thread could not be started ({@link Timers#whenThreadMissing}), which the detector's thread then retries after
	 * the timer's back-off, though nothing is queued or watched.
	 */
	void wake() {
		Thread t = this.thread;
		if (t == null) {
			start();
		}
		else if (this.parked) {
			this.parked = false;
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
				this.system.timers.schedule(this::wake, backoff); // even if nothing else is queued meanwhile
			}
			catch (Throwable again) {
				// the next watch() tries again
			}
		}
	}

	/**
	 * An item of a queue that does not announce its blocks starts ({@code Worker.startItem}): if the detector sleeps
	 * long because only announcing queues' items ran, it looks now. One volatile read otherwise.
	 */
	void hurry() {
		if (this.slow) {
			this.slow = false;
			Thread t = this.thread;
			if (t != null) {
				LockSupport.unpark(t);
			}
		}
	}

	/**
	 * The detector's state and what it last saw of each watched pool's workers, for a test's diagnosis of a worker
	 * left flagged: read without locks, so only a hint.
	 */
	String internals() {
		Thread t = this.thread;
		StringBuilder sb = new StringBuilder("detector: thread=").append((t != null) ? t.getState() : null)
			.append(" parked=").append(this.parked).append(" interval=").append(this.currentInterval)
			.append(" stopped=").append(this.stopped).append(" slow=").append(this.slow).append(" scans=")
			.append(this.scans).append(" failuresInARow=").append(this.failuresInARow).append(' ')
			.append(this.housekeeping.status());
		for (WorkerPool pool : this.system.boundPools()) {
			sb.append("\n  ").append(pool.internals()).append(" watched=").append(pool.needsWatching());
			for (Worker w : pool.workerArray) {
				Thread wt = w.thread;
				sb.append("\n    ").append(w).append(": ").append((wt != null) ? wt.getState() : null)
					.append(" inItem=").append(w.inItem).append(" flags=").append(w.flags).append(" expecting=")
					.append(w.expecting).append(" itemSeq=").append(w.itemSeq).append(" scanSeq=").append(w.scanSeq)
					.append(" scannedAt=").append(w.scannedAt).append(" asleepSeq=").append(w.asleepSeq);
			}
		}
		return sb.toString();
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
			wake();
		}
	}

	/** The scan loop: returns when the detector is stopped, throws what a round throws. */
	private void scanUntilStopped() {
		this.parked = false;
		int quiet = 0;
		int shortOnly = 0;
		int fruitless = 0;
		boolean fruitlessGrown = false; // whether the interval grew because looks found nothing
		long interval = this.intervalNanos;
		while (!this.stopped) {
			this.housekeeping.round();
			if (this.system.timers.threadMissing) {
				// A worker the detector kicked has its thread started by the timer (transition: unlock(true)), and
				// the timer's thread could not be started: try again (after its back-off), or that worker and the
				// items waiting for it wait until something else is queued (ModelBasedRandomTest, THREADS: a pool
				// with 8 items and one waking worker whose thread start sat in the timer's queue, every driver in a
				// flush of that pool)
				this.system.timers.retryStart();
			}
			this.probed = false;
			this.acted = false;
			this.sawTrusted = false;
			this.sawUntrusted = false;
			boolean watching = scan();
			boolean trustedOnly = this.sawTrusted && !this.sawUntrusted;
			if (this.failuresInARow > 0) { // a whole scan after failures: working again
				this.failuresInARow = 0;
				this.housekeeping.recovered();
			}
			if (watching) {
				quiet = 0;
				if (this.acted) {
					shortOnly = 0;
					fruitless = 0;
					fruitlessGrown = false;
					interval = this.intervalNanos;
				}
				else if (this.probed) {
					shortOnly = 0;
					if (!fruitlessGrown) { // grown while only new or announcing items ran: an item outlived a scan
						interval = this.intervalNanos;
					}
					if (++fruitless >= FRUITLESS_SCANS) { // items run on and none blocks: look less often
						fruitless = 0;
						fruitlessGrown = true;
						interval = Math.min(interval * 2, this.intervalNanos * MAX_BACKOFF);
					}
				}
				else if (trustedOnly) { // every running item announces its blocks: only safety looks are due
					fruitlessGrown = false;
					interval = Math.min(interval * 2, this.intervalNanos * TRUSTED_BACKOFF);
				}
				else if (interval > this.intervalNanos * MAX_BACKOFF) { // an item that does not announce its blocks
					shortOnly = 0;
					interval = this.intervalNanos;
				}
				else if (++shortOnly >= BACKOFF_AFTER) {
					// Items wait, but every running item is new at each scan: a stream of short items, where a
					// probe would find nothing to do. Scan less often, until an item outlives a scan again.
					interval = Math.min(interval * 2, this.intervalNanos * MAX_BACKOFF);
				}
				boolean slow = interval > this.intervalNanos * MAX_BACKOFF;
				if (slow != this.slow) {
					this.slow = slow;
				}
			}
			else {
				// Nothing to watch: linger a few scans at the shortest interval, whatever it had grown to (a queuer
				// does not wake a lingering detector, so work that comes meanwhile waits for the next scan), then park.
				shortOnly = 0;
				fruitless = 0;
				fruitlessGrown = false;
				interval = this.intervalNanos;
				if (this.slow) {
					this.slow = false;
				}
				if (++quiet >= LINGER_SCANS) {
					this.parked = true;
					if (!anyPending()) { // re-check after publishing 'parked', against a queuer that missed it
						long retry;
						while (this.parked && !this.stopped) {
							if ((retry = this.system.timers.nanosUntilRetry()) >= 0) {
								// the timer's thread is missing: the next scan tries again, after its back-off
								LockSupport.parkNanos(this, Math.max(retry, this.intervalNanos));
								break;
							}
							LockSupport.park(this);
						}
					}
					this.parked = false;
					quiet = 0;
					continue;
				}
			}
			this.currentInterval = interval;
			LockSupport.parkNanos(this, interval);
		}
	}

	private boolean anyPending() {
		for (WorkerPool pool : this.system.boundPools()) {
			if (pool.needsWatching()) {
				return true;
			}
		}
		return false;
	}

	/** One pass over the managed pools the detector watches ({@link WorkerPool#needsWatching}); true if any. */
	private boolean scan() {
		this.scans++;
		boolean any = false;
		for (WorkerPool pool : this.system.boundPools()) {
			if (pool.needsWatching()) {
				any = true;
				scan(pool);
			}
		}
		return any;
	}

	/**
	 * Probes the pool's workers in two passes: first those flagged blocked (has one run again?), then, if items
	 * wait, the others (has one blocked?), so that a worker that woke up counts as running again before a block
	 * found in the same scan makes the pool kick yet another worker. A worker that said it is about to block is
	 * looked at even while nothing waits: if it runs on, items queued later must not start beside it.
	 */
	private void scan(WorkerPool pool) {
		Worker[] workers = pool.workerArray;
		scan(pool, workers, true);
		if (pool.hasPending()) {
			scan(pool, workers, false);
		}
	}

	/** Whether the worker's item started less than an interval ago, or at a time not read (an item of a batch). */
	private boolean isNew(Worker worker) {
		long start = worker.startedAt;
		return start == Worker.START_UNKNOWN || System.nanoTime() - start < this.intervalNanos;
	}

	private void scan(WorkerPool pool, Worker[] workers, boolean flagged) {
		for (Worker worker : workers) {
			Thread t = worker.thread;
			// one in a Blocking section, or CPU-intensive, does not count as running: its block holds nothing back
			if (!worker.inItem || t == null || worker.sleepingHint != flagged || worker.scannedAt == this.scans
					|| (!flagged && worker.flags != 0)) {
				continue;
			}
			worker.scannedAt = this.scans;
			long seq = worker.itemSeq;
			boolean firstLook = seq != worker.scanSeq;
			if (firstLook) {
				worker.scanSeq = seq;
				worker.runMark = -1;
				worker.cpuSeen = -1;
				worker.blockedCpu = -1;
				worker.probedAt = System.nanoTime();
			}
			boolean trusted = false;
			if (!flagged) {
				PoolWorkqueue pwq = worker.currentPwq; // a hint: the item may have changed meanwhile
				trusted = pwq != null && pwq.announcesBlocks();
				this.sawTrusted |= trusted;
				this.sawUntrusted |= !trusted;
				if (trusted) { // its items say when they block: only a safety look now and then
					long now = System.nanoTime();
					if (now - worker.probedAt < this.intervalNanos * TRUSTED_BACKOFF) {
						continue;
					}
					worker.probedAt = now;
				}
			}
			int state;
			long cpu = -1; // the thread's CPU time read just before its probe, where read
			if (ThreadStateProbe.jvmBlocked(t)) {
				state = ThreadStateProbe.JVM_BLOCKED; // free to see, so looked at on every scan
			}
			else if (firstLook && isNew(worker)) {
				continue; // most new items end before the next scan: the kernel's view (a /proc read) can wait
			}
			else if (!flagged && ranSinceLastSeen(worker, t)) { // a flagged worker is probed at once: has it run again?
				// found running before, and on a CPU most of the time since: it cannot have blocked for long
				checkCpuIntensive(pool, worker, seq, t);
				continue;
			}
			else if (flagged && !worker.expecting
					&& (cpu = ThreadStateProbe.cpuNanos(t)) >= 0 && cpu == worker.blockedCpu) {
				// found blocked by the last probe, and not on a CPU since: still in that block (a socket read, say,
				// which the JVM shows as running); its CPU clock is a fraction of a /proc read's cost
				continue;
			}
			else {
				if (!flagged) {
					cpu = worker.cpuSeen; // read just now by ranSinceLastSeen, or -1
				}
				state = worker.probe.probe(t);
			}
			this.probed |= !trusted; // a safety look at a trusted item does not keep the interval short
			boolean asleepBefore = worker.asleepSeq == seq; // at the previous look at this item
			worker.asleepSeq = (state != ThreadStateProbe.RUNNING) ? seq : -1;
			boolean blocked;
			if (state == ThreadStateProbe.KERNEL_BLOCKED && !worker.sleepingHint) {
				// Only the kernel sees it sleep, in a futex: a JVM pause (a safepoint, a lock inside the JVM) or a
				// lock in native code looks like that for a moment. Believe it once it is seen asleep on two looks
				// at the same item in a row. A sleep elsewhere in the kernel, IO_BLOCKED, such as a socket read, is
				// believed at once.
				blocked = asleepBefore;
			}
			else {
				blocked = state != ThreadStateProbe.RUNNING;
			}
			if (blocked != worker.sleepingHint) {
				transition(pool, worker, seq, blocked);
			}
			else if (worker.expecting && asleepBefore && state != ThreadStateProbe.KERNEL_BLOCKED) {
				// Confirmed, an expected block is looked at again only while items wait: so only a block the JVM
				// cannot fake confirms it, seen on two looks in a row: the JVM's own state says the thread waits, or
				// the kernel says it sleeps outside a futex. A futex sleep, however often seen, may be the JVM's own
				// wait (a full test run under load caught a spinning worker in one on two probes in a row, and it
				// stayed flagged blocked while it ran): the worker stays expecting, and watched, until it is seen
				// running (it counts again) or blocked in another way.
				confirmExpected(pool, worker);
			}
			if (state != ThreadStateProbe.RUNNING) { // blocked, or to be confirmed at the next probe
				worker.runMark = -1; // CPU-intensive is judged by CPU time since the last block
				worker.cpuSeen = -1;
				worker.blockedCpu = (blocked && state != ThreadStateProbe.JVM_BLOCKED) ? cpu : -1;
			}
			else {
				worker.blockedCpu = -1;
				checkCpuIntensive(pool, worker, seq, t);
				if (worker.cpuSeen < 0) {
					worker.cpuSeen = ThreadStateProbe.cpuNanos(t);
					worker.cpuSeenAt = System.nanoTime();
				}
			}
		}
	}

	/**
	 * Whether a worker last found running has been on a CPU for at least half the wall time since: then it has not
	 * blocked for long, and its kernel state (a file read) need not be read. One read of its CPU clock, which is far
	 * cheaper; it also makes the next check's reference point. A worker that blocks is probed at the first scan that
	 * sees it off the CPU for half the time since the scan before, however long it ran before it blocked.
	 */
	private static boolean ranSinceLastSeen(Worker worker, Thread t) {
		long seen = worker.cpuSeen;
		if (seen < 0) {
			return false;
		}
		long cpu = ThreadStateProbe.cpuNanos(t);
		long now = System.nanoTime();
		boolean ran = 2 * (cpu - seen) >= now - worker.cpuSeenAt;
		worker.cpuSeen = cpu;
		worker.cpuSeenAt = now;
		return ran;
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
			if (blocked && worker.flags == 0) { // a block its item did not announce held the pool back
				worker.currentPwq.blockFound();
			}
			worker.setFlag(Worker.SLEEPING, blocked);
			this.acted = true;
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
			this.acted = true;
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
				this.acted = true;
			}
		}
		finally {
			pool.unlock(true);
		}
	}

}
