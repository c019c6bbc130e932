package dev.cmwq.core;

/**
 * A worker pool at one moment. {@code busy + idle = workers}.
 *
 * @param id {@code cpu<N>}, {@code cpu<N>-highpri}, {@code unbound} or {@code unbound-highpri}
 * @param cpu the CPU of a bound pool, null for unbound pools
 * @param kind {@code normal}, {@code highpri} or {@code unbound}
 * @param online false while the pool's CPU is offline (its workers are rogue)
 * @param workers worker threads of the pool
 * @param busy workers that are not idle (running an item, blocked in one, or about to take one)
 * @param idle workers waiting for work (one that ran out of work and naps for some microseconds before it parks
 * included)
 * @param rogue workers, busy or idle, detached from an offline CPU
 * @param running workers counted as running by concurrency management
 * @param blocked busy workers that concurrency management knows are blocked (found by the detector or announced
 * through {@link Blocking}), so that another worker could take over
 * @param pending items queued to the pool and not yet started
 * @param stalled whether the watchdog reports the pool as stalled
 * @param stalls how often the watchdog has reported the pool as stalled
 * @param cmWakeups how often concurrency management started another worker because one of this pool's workers
 * blocked (detected or announced)
 * @param failedStarts how often the pool could not start a worker thread: the thread factory returned null or a
 * thread already started, threw, or its thread did not run the worker in time
 */
public record PoolSnapshot(String id, Integer cpu, String kind, boolean online, int workers, int busy, int idle,
		int rogue, int running, int blocked, int pending, boolean stalled, long stalls,
		long cmWakeups, long failedStarts) {
}
