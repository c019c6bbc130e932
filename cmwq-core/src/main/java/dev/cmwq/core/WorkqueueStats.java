package dev.cmwq.core;

/**
 * Cumulative statistics of one workqueue.
 *
 * @param started items started
 * @param completed items that returned normally
 * @param failed items that threw
 * @param cancelled pending items cancelled (or dropped at shutdown)
 * @param rejected queueings refused with a {@link java.util.concurrent.RejectedExecutionException}: the queue was
 * full and its overflow policy refused the item, or it was destroyed, draining or shutting down
 * @param cpuTimeMs CPU time its items used, in milliseconds
 * @param cpuIntensive items found running longer than the CPU-intensive threshold without blocking
 * @param cmWakeups times one of its items blocked and concurrency management started another worker
 * @param mayday times a pool asked the queue's rescuer for help
 * @param rescued items its rescuer ran
 */
public record WorkqueueStats(long started, long completed, long failed, long cancelled, long rejected,
		long cpuTimeMs, long cpuIntensive, long cmWakeups, long mayday, long rescued) {
}
