package dev.cmwq.core;

import java.util.concurrent.locks.LockSupport;

/**
 * Finds running workers of concurrency-managed pools that have blocked (the JVM's stand-in for the kernel's
 * scheduler hooks {@code wq_worker_sleeping} / {@code wq_worker_running}), and items that run longer than the
 * CPU-intensive threshold without blocking.
 *
 * <h2>How</h2>
 * One daemon thread scans, every {@code interval} (50 µs by default; about 140 µs in practice, as Linux adds its
 * timer slack to short sleeps), the workers of the bound pools that have pending items: only there can a blocked
 * worker hold work back. A worker inside an item ({@link Worker#inItem}, false during the engine's own
 * bookkeeping, so its short lock waits between items are never taken for blocking) is probed with
 * {@link ThreadStateProbe} (JVM state, then the kernel's R/S/D state). Found blocked, it is flagged
 * {@link Worker#SLEEPING}, stops counting as running, and the pool kicks another worker; found running again, the
 * flag is cleared. A block that only the kernel sees (a RUNNABLE Java thread in state S or D) must be seen on two
 * scans of the same item, since a JVM safepoint pause looks the same for a moment. Transitions re-check under the
 * pool lock that the worker is still on the same item, so a
 * worker caught at the very end of its item costs at most one spurious kick. Items younger than one interval are
 * not probed: a stream of short items (each probe of /proc costs 15-25 µs) keeps the detector cheap.
 *
 * <h2>Cost</h2>
 * When no bound pool has pending items the thread lingers for a few milliseconds, then parks without a timeout:
 * an idle system pays nothing. Queueing into a managed pool whose worker counts as running unparks it.
 *
 * <p>Fields (tags as in {@code package-info.java}): {@code thread}, {@code parked} and {@code stopped} are V; {@code Worker.kernelBlockedSeq} is D,
 * owned by the scan thread.
 */
final class BlockDetector implements Runnable {

	/** Scans without pending work before parking for good (about 10 to 20 ms). */
	private static final int LINGER_SCANS = 200;

	private final WorkqueueSystem system;

	private final long intervalNanos;

	private final long cpuIntensiveNanos;

	private volatile Thread thread;

	private volatile boolean parked;

	private volatile boolean stopped;

	BlockDetector(WorkqueueSystem system, long intervalNanos, long cpuIntensiveNanos) {
		this.system = system;
		this.intervalNanos = intervalNanos;
		this.cpuIntensiveNanos = cpuIntensiveNanos;
	}

	/** A managed pool has pending items behind a running worker: make sure the scan runs. */
	void watch() {
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
		if (this.thread == null && !this.stopped) {
			Thread t = new Thread(this, "cmwq-block-detector");
			t.setDaemon(true);
			this.thread = t;
			t.start();
		}
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
		int quiet = 0;
		while (!this.stopped) {
			if (scan()) {
				quiet = 0;
			}
			else if (++quiet >= LINGER_SCANS) {
				this.parked = true;
				if (!anyPending()) { // re-check after publishing 'parked', against a queuer that missed it
					while (this.parked && !this.stopped) {
						LockSupport.park(this);
					}
				}
				this.parked = false;
				quiet = 0;
				continue;
			}
			LockSupport.parkNanos(this, this.intervalNanos);
		}
	}

	private boolean anyPending() {
		for (WorkerPool pool : this.system.boundPools()) {
			if (pool.associated && pool.nrPending > 0) {
				return true;
			}
		}
		return false;
	}

	/** One pass over the managed pools with pending items; true if there were any. */
	private boolean scan() {
		boolean any = false;
		for (WorkerPool pool : this.system.boundPools()) {
			if (pool.associated && pool.nrPending > 0) {
				any = true;
				scan(pool);
			}
		}
		return any;
	}

	private void scan(WorkerPool pool) {
		long now = System.nanoTime();
		for (Worker worker : pool.workerArray) {
			Thread t = worker.thread;
			if (!worker.inItem || t == null) {
				continue;
			}
			long seq = worker.itemSeq;
			if (now - worker.runningSince < this.intervalNanos) {
				continue; // items this young mostly finish before the next scan: don't pay for a probe
			}
			int state = worker.probe.probe(t);
			boolean blocked;
			if (state == ThreadStateProbe.KERNEL_BLOCKED && !worker.sleepingHint) {
				// Only the kernel sees it sleep: a blocking system call, or a JVM safepoint pause that looks the
				// same for a moment. Believe it once it is seen on two scans of the same item.
				blocked = worker.kernelBlockedSeq == seq;
				worker.kernelBlockedSeq = seq;
			}
			else {
				blocked = state != ThreadStateProbe.RUNNING;
				worker.kernelBlockedSeq = -1;
			}
			if (blocked != worker.sleepingHint) {
				transition(pool, worker, seq, blocked, now);
			}
			else if (!blocked && this.cpuIntensiveNanos > 0 && (worker.flags & Worker.CPU_INTENSIVE) == 0
					&& now - worker.runningSince > this.cpuIntensiveNanos) {
				markCpuIntensive(pool, worker, seq);
			}
		}
	}

	/**
	 * Flags or unflags a worker found blocked or running again. A kicked idle worker is unparked at once, but a new
	 * thread is started by the timer thread (hundreds of microseconds, more under load), so the scan goes on.
	 */
	private void transition(WorkerPool pool, Worker worker, long seq, boolean blocked, long now) {
		pool.lock();
		try {
			if (worker.itemSeq != seq || worker.currentWork == null) {
				return; // the item ended meanwhile
			}
			worker.setFlag(Worker.SLEEPING, blocked);
			if (!blocked) {
				worker.runningSince = now;
			}
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

}
