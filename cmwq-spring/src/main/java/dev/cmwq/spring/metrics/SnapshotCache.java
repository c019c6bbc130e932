package dev.cmwq.spring.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.cmwq.core.PoolSnapshot;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.WorkqueueSnapshot;
import dev.cmwq.core.WorkqueueStats;
import dev.cmwq.core.WorkqueueSystem;

/**
 * One {@link WorkqueueSystem#snapshot()} shared by every meter for a short time, so that a scrape reading dozens of
 * gauges takes one snapshot, not one per gauge.
 *
 * <p>Thread safety: {@link #current} is replaced whole (volatile); refreshes are serialized by {@code this}, so
 * concurrent readers past the time-to-live take one snapshot between them. {@link #lastStats} only grows: it keeps
 * the statistics of a queue after it is destroyed, so its counters never go backwards.
 */
final class SnapshotCache {

	private final WorkqueueSystem system; // I

	private final long ttlNanos; // I

	private volatile Indexed current; // replaced under this

	private final Map<String, WorkqueueStats> lastStats = new ConcurrentHashMap<>();

	SnapshotCache(WorkqueueSystem system, long ttlNanos) {
		this.system = system;
		this.ttlNanos = ttlNanos;
	}

	/** The cached snapshot, taken anew when older than the time-to-live. */
	Indexed get() {
		Indexed view = this.current;
		if (view != null && System.nanoTime() - view.takenAt < this.ttlNanos) {
			return view;
		}
		synchronized (this) {
			view = this.current;
			if (view == null || System.nanoTime() - view.takenAt >= this.ttlNanos) {
				view = new Indexed(this.system.snapshot(), System.nanoTime());
				for (WorkqueueSnapshot queue : view.snapshot.workqueues()) {
					this.lastStats.put(queue.name(), queue.stats());
				}
				this.current = view;
			}
			return view;
		}
	}

	/** A value of the whole system. */
	double system(SystemValue value) {
		return value.of(get().snapshot);
	}

	/** A pool's value, NaN if there is no such pool. */
	double pool(String id, PoolValue value) {
		PoolSnapshot pool = get().pools.get(id);
		return (pool != null) ? value.of(pool) : Double.NaN;
	}

	/** A queue's value, NaN if the queue is gone. */
	double workqueue(String name, QueueValue value) {
		WorkqueueSnapshot queue = get().workqueues.get(name);
		return (queue != null) ? value.of(queue) : Double.NaN;
	}

	/** A queue's cumulative statistic; after the queue is destroyed, its last known value. */
	double stats(String name, StatsValue value) {
		get();
		WorkqueueStats stats = this.lastStats.get(name);
		return (stats != null) ? value.of(stats) : 0;
	}

	/** A snapshot with its pools and queues by name. */
	static final class Indexed {

		final SystemSnapshot snapshot;

		final long takenAt;

		final Map<String, PoolSnapshot> pools = new HashMap<>();

		final Map<String, WorkqueueSnapshot> workqueues = new HashMap<>();

		Indexed(SystemSnapshot snapshot, long takenAt) {
			this.snapshot = snapshot;
			this.takenAt = takenAt;
			for (PoolSnapshot pool : snapshot.pools()) {
				this.pools.put(pool.id(), pool);
			}
			for (WorkqueueSnapshot queue : snapshot.workqueues()) {
				this.workqueues.put(queue.name(), queue);
			}
		}

	}

	@FunctionalInterface
	interface SystemValue {

		double of(SystemSnapshot snapshot);

	}

	@FunctionalInterface
	interface PoolValue {

		double of(PoolSnapshot pool);

	}

	@FunctionalInterface
	interface QueueValue {

		double of(WorkqueueSnapshot queue);

	}

	@FunctionalInterface
	interface StatsValue {

		double of(WorkqueueStats stats);

	}

}
