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

	/** xorshift state, seeded per thread. */
	private int random = (int) Thread.currentThread().getId() * 0x9E3779B9 | 1;

	static ThreadContext get() {
		return LOCAL.get();
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
