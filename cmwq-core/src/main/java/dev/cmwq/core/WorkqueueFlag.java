package dev.cmwq.core;

/**
 * Attributes of a {@link Workqueue}, after the kernel's {@code WQ_*} flags.
 */
public enum WorkqueueFlag {

	/** Served by the unbound pools: no concurrency management, items start as soon as {@code maxActive} allows. */
	UNBOUND,

	/** Served by the highpri pools, whose items are not held back by the normal pools' running items. */
	HIGHPRI,

	/** Items never count as running, so they never hold back other items of their pool. */
	CPU_INTENSIVE,

	/** Takes part in {@link WorkqueueSystem#freeze()}: starts nothing new while frozen. */
	FREEZABLE,

	/** Owns a rescuer thread that runs its items when a pool cannot get a worker. */
	MEM_RECLAIM

}
