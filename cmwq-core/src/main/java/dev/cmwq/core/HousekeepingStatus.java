package dev.cmwq.core;

/**
 * The state of one kind of the engine's own threads ({@link WorkqueueSystem#housekeeping()}): the block detector
 * ({@code cmwq-block-detector}), the timer ({@code cmwq-timer}, which also runs the watchdog's checks) and the
 * rescuers of {@link WorkqueueFlag#MEM_RECLAIM} queues ({@code cmwq-rescuer}, all of them together). These threads
 * survive any {@code Throwable}: a failure is logged (rate-limited), counted here, and the failed work is retried
 * after a short back-off until it succeeds.
 *
 * @param thread the thread's name ({@code cmwq-rescuer} for the rescuers together)
 * @param working false from a failure until the failed work has succeeded on a retry (for the timer: until every
 * task that failed has; for the rescuers: until every rescuer that failed has)
 * @param failures failures since the system was built
 * @param lastFailure the latest failure, such as {@code "java.lang.OutOfMemoryError: Java heap space"} (for the
 * rescuers prefixed with the thread's name), or null if there was none
 */
public record HousekeepingStatus(String thread, boolean working, long failures, String lastFailure) {
}
