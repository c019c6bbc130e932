package dev.cmwq.core;

/**
 * What the engine keeps per thread, in one {@link ThreadLocal} lookup: the worker the thread is (workers and
 * rescuers), the item it runs inline, and for other threads the CPU they last queued on and a random state for
 * choosing another. Every field is W: read and written by its own thread only.
 */
final class ThreadContext {

	private static final ThreadLocal<ThreadContext> LOCAL = ThreadLocal.withInitial(ThreadContext::new);

	/** The worker this thread is, or null. */
	Worker worker;

	/** The item whose task this thread runs inline ({@link Workqueue#runInline}), or null. */
	Work inline;

	/** The CPU this thread last queued work on without naming one, or -1. */
	int cpu = -1;

	/** The first CPU of the group this thread spreads its items over ({@code CpuTopology.queueingCpu}), or -1. */
	int groupCpu = -1;

	/** Items this thread may still queue on {@link #cpu}'s backlog without comparing ({@code CpuTopology.queueingCpu}). */
	int stays;

	/** What {@link Work#current} holds while this thread runs an item for its caller; made on first use. */
	private Worker callerWorker;

	/** xorshift state, seeded per thread. */
	private int random = (int) Thread.currentThread().getId() * 0x9E3779B9 | 1;

	static ThreadContext get() {
		return LOCAL.get();
	}

	/**
	 * The stand-in worker of items this thread runs for their callers: of no pool, so that a worker picking such an
	 * item while it runs here defers it (see {@code Worker.handOff}), and with this thread, so that the item's own
	 * waits for itself are recognized ({@link FlushDependency}).
	 */
	Worker callerWorker() {
		Worker worker = this.callerWorker;
		if (worker == null) {
			worker = new Worker(null, -1, false);
			worker.thread = Thread.currentThread();
			this.callerWorker = worker;
		}
		return worker;
	}

	/** A pseudo-random number in {@code [0, bound)}. */
	int nextInt(int bound) {
		int x = this.random;
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		this.random = x;
		return (x & Integer.MAX_VALUE) % bound;
	}

}
