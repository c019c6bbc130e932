package dev.cmwq.core;

/**
 * Which threads run the items, and who manages concurrency ({@link WorkqueueSystem.Builder#virtualThreads}).
 * The virtual modes need JDK 21 or later ({@link #isSupported()}); everything else in the engine's contract holds in
 * every mode.
 */
public enum VirtualThreadMode {

	/** Workers are platform threads, concurrency managed as in the kernel (the default). */
	OFF,

	/**
	 * Workers are virtual threads, concurrency managed as with platform threads: a bound pool starts an item only
	 * while none of its workers counts as running, and the block detector finds blocked workers by their JVM state
	 * (a virtual thread's kernel state is its carrier's, so the {@code /proc} probes are skipped; blocking the JVM
	 * cannot see, such as a file read, is found only through {@link Blocking}). An item counts as CPU-intensive by
	 * the wall time it runs without blocking (the JVM has no CPU clock for virtual threads).
	 */
	MANAGED,

	/**
	 * Workers are virtual threads and the JDK's scheduler manages concurrency: items start as soon as
	 * {@code maxActive}, ordering, the pending bit and freezing allow, as if every queue were
	 * {@link WorkqueueFlag#CPU_INTENSIVE} (no item counts as running), and the block detector watches nothing (its
	 * thread runs only to retry a timer thread that could not be started). A
	 * virtual thread that blocks frees its carrier by itself; what is left to watch is CPU hogs and threads pinned
	 * to their carrier.
	 */
	SCHEDULER;

	/**
	 * Whether this JVM has virtual threads (JDK 21 or later).
	 * @return true if the virtual modes can be used
	 */
	public static boolean isSupported() {
		return VirtualThreads.SUPPORTED;
	}

	/** Whether items run on virtual threads in this mode. */
	boolean isVirtual() {
		return this != OFF;
	}

}
