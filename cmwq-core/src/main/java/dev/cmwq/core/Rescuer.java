package dev.cmwq.core;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The rescuer thread of a {@link WorkqueueFlag#MEM_RECLAIM} queue (the kernel's {@code rescuer_thread}). A pool
 * that needs a worker and cannot get one for the mayday interval sends a mayday for each such queue with items on
 * its worklist; the rescuer then moves that queue's pending items from the pool's worklist onto its own scheduled
 * list (where cancel can still unlink them, as from the kernel's {@code rescuer->scheduled}) and runs them itself,
 * so the queue keeps making progress when no worker can be had.
 */
final class Rescuer implements Runnable {

	private final DefaultWorkqueue wq; // I

	/** Pool-workqueues that asked for help; a pwq may appear more than once, which is harmless. */
	private final ConcurrentLinkedQueue<PoolWorkqueue> maydays = new ConcurrentLinkedQueue<>();

	/** A worker that belongs to no pool; its pool field is set while it runs items of one (rescuer thread only). */
	private final Worker worker;

	private final Thread thread; // I

	private volatile boolean stopped; // V

	Rescuer(DefaultWorkqueue wq) {
		this.wq = wq;
		this.worker = new Worker(null, 0, true);
		if (wq.system.virtualThreads.isVirtual()) { // items run on virtual threads wherever they run
			this.thread = wq.system.threadFactory.newThread(this);
			this.thread.setName("cmwq-rescuer-" + wq.name());
			this.thread.setDaemon(true);
		}
		else {
			this.thread = wq.system.newThread(this, "cmwq-rescuer-" + wq.name());
		}
		this.worker.thread = this.thread;
	}

	void start() {
		this.thread.start();
	}

	void mayday(PoolWorkqueue pwq) {
		this.wq.stats.mayday.increment();
		this.maydays.add(pwq);
		LockSupport.unpark(this.thread);
	}

	void stop() {
		this.stopped = true;
		LockSupport.unpark(this.thread);
	}

	/**
	 * Rescues the pools that call, until stopped. Survives any {@code Throwable} (an {@code OutOfMemoryError} in a
	 * flood): reported to the system's rescuer {@link Housekeeping}; after a back-off the failed rescue is tried
	 * again (it finds nothing to do if a worker took the items meanwhile), so that the rescuer counts as working
	 * again as soon as it can, even if no pool calls it any more. A rescuer stopped while failing no longer counts.
	 */
	@Override
	public void run() {
		ThreadContext.get().worker = this.worker;
		Housekeeping housekeeping = this.wq.system.rescuers;
		int failuresInARow = 0;
		PoolWorkqueue retry = null; // the pool-workqueue whose rescue failed
		while (!this.stopped) {
			PoolWorkqueue pwq = (retry != null) ? retry : this.maydays.poll();
			retry = null;
			if (pwq == null) {
				LockSupport.park(this);
				continue;
			}
			try {
				housekeeping.round();
				rescue(pwq);
			}
			catch (Throwable ex) {
				LockSupport.parkNanos(this, housekeeping.failed(this.thread.getName(), ex, failuresInARow++));
				retry = pwq;
				continue;
			}
			if (failuresInARow > 0) {
				failuresInARow = 0;
				housekeeping.recovered();
			}
		}
		if (failuresInARow > 0) {
			housekeeping.recovered(); // nothing is left to retry
		}
	}

	private void rescue(PoolWorkqueue pwq) {
		WorkerPool pool = pwq.pool;
		this.worker.pool = pool;
		pool.lock();
		pool.attachRescuer(this.worker);
		try {
			pool.moveToRescuer(pwq, this.worker);
			this.worker.processOne(pool, this.worker.scheduled.pollFirst());
		}
		finally {
			pool.detachRescuer(this.worker);
			pool.unlock();
			this.worker.pool = null;
		}
	}

}
