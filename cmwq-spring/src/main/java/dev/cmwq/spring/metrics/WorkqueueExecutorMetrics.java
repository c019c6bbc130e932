package dev.cmwq.spring.metrics;

import dev.cmwq.core.PoolSnapshot;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSnapshot;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * A workqueue used as an executor, with the meters Micrometer's {@code ExecutorServiceMetrics} gives a
 * {@code ThreadPoolExecutor} (what Spring Boot binds for its {@code ThreadPoolTaskExecutor}s): the same names, base
 * units and {@code name} tag, so that dashboards and alerts written for an executor keep working when a workqueue
 * replaces it. Each reads the workqueue's snapshot:
 *
 * <ul>
 * <li>{@code executor.completed} (counter, tasks): items of the queue that ran to an end, completed or failed</li>
 * <li>{@code executor.active} (threads): items of the queue running now, each on a worker thread</li>
 * <li>{@code executor.queued} (tasks): items of the queue queued and not started yet</li>
 * <li>{@code executor.queue.remaining} (tasks): how many more may be queued: the workqueue's capacity less the queued
 * items; for an unbounded workqueue (the default), as for Spring's executor with its default unbounded queue,
 * {@code Integer.MAX_VALUE} less the queued items</li>
 * <li>{@code executor.pool.size} (threads): worker threads of the pools the queue's items run on (all CPUs' normal
 * or highpri pools for a bound queue, the unbound or unbound highpri pool otherwise), which serve the other
 * workqueues on those pools as well</li>
 * <li>{@code executor.pool.max} (threads): the most items of the queue in flight at once, its {@code max-active}
 * per CPU for a bound queue, in total otherwise</li>
 * <li>{@code executor.pool.core} (threads): the items of the queue that run at once while none of them blocks:
 * one per CPU for a bound queue, whose pools run one item at a time unless it blocks; {@code executor.pool.max}
 * for unbound and {@code cpu-intensive} queues, which concurrency management does not hold back</li>
 * </ul>
 *
 * A destroyed queue's gauges read NaN and its counter keeps its last value.
 */
public class WorkqueueExecutorMetrics implements MeterBinder {

	private final SnapshotCache snapshots;

	private final String workqueue;

	private final Tags tags;

	/**
	 * Meters for a workqueue used as an executor.
	 * @param system the workqueue's system
	 * @param workqueue the workqueue's name
	 * @param executorName the executor's name, the {@code name} tag (Spring Boot uses the executor's bean name,
	 * such as {@code applicationTaskExecutor})
	 * @param tags more tags
	 */
	public WorkqueueExecutorMetrics(WorkqueueSystem system, String workqueue, String executorName,
			Iterable<Tag> tags) {
		this.snapshots = new SnapshotCache(system, WorkqueueMetrics.DEFAULT_SNAPSHOT_TTL.toNanos());
		this.workqueue = workqueue;
		this.tags = Tags.concat(tags, "name", executorName);
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		FunctionCounter
			.builder("executor.completed", this.snapshots,
					(c) -> c.stats(this.workqueue, (stats) -> stats.completed() + stats.failed()))
			.description("The approximate total number of tasks that have completed execution")
			.baseUnit(BaseUnits.TASKS)
			.tags(this.tags)
			.register(registry);
		gauge(registry, "executor.active", "The approximate number of threads that are actively executing tasks",
				BaseUnits.THREADS, (snapshot, queue) -> queue.active());
		gauge(registry, "executor.queued", "The approximate number of tasks that are queued for execution",
				BaseUnits.TASKS, (snapshot, queue) -> queue.pending());
		gauge(registry, "executor.queue.remaining",
				"The number of additional elements that this queue can ideally accept without blocking",
				BaseUnits.TASKS, (snapshot, queue) -> Math.max(0, queue.capacity() - queue.pending()));
		gauge(registry, "executor.pool.size", "The current number of threads in the pool", BaseUnits.THREADS,
				WorkqueueExecutorMetrics::poolSize);
		gauge(registry, "executor.pool.core", "The core number of threads for the pool", BaseUnits.THREADS,
				WorkqueueExecutorMetrics::poolCore);
		gauge(registry, "executor.pool.max", "The maximum allowed number of threads in the pool", BaseUnits.THREADS,
				WorkqueueExecutorMetrics::poolMax);
	}

	private void gauge(MeterRegistry registry, String name, String description, String baseUnit, Value value) {
		Gauge.builder(name, this.snapshots, (c) -> {
			SnapshotCache.Indexed view = c.get();
			WorkqueueSnapshot queue = view.workqueues.get(this.workqueue);
			return (queue != null) ? value.of(view.snapshot, queue) : Double.NaN;
		}).description(description).baseUnit(baseUnit).tags(this.tags).strongReference(true).register(registry);
	}

	private static double poolSize(SystemSnapshot snapshot, WorkqueueSnapshot queue) {
		boolean unbound = has(queue, WorkqueueFlag.UNBOUND);
		boolean highpri = has(queue, WorkqueueFlag.HIGHPRI);
		return snapshot.pools()
			.stream()
			.filter((pool) -> (pool.cpu() == null) == unbound && pool.id().endsWith("-highpri") == highpri)
			.mapToInt(PoolSnapshot::workers)
			.sum();
	}

	private static double poolMax(SystemSnapshot snapshot, WorkqueueSnapshot queue) {
		int pools = has(queue, WorkqueueFlag.UNBOUND) ? 1 : snapshot.cpus().size();
		return (double) queue.maxActive() * pools;
	}

	private static double poolCore(SystemSnapshot snapshot, WorkqueueSnapshot queue) {
		if (has(queue, WorkqueueFlag.UNBOUND) || has(queue, WorkqueueFlag.CPU_INTENSIVE)) {
			return poolMax(snapshot, queue);
		}
		return Math.min(snapshot.cpus().size(), poolMax(snapshot, queue));
	}

	private static boolean has(WorkqueueSnapshot queue, WorkqueueFlag flag) {
		return queue.flags().contains(flag);
	}

	@FunctionalInterface
	private interface Value {

		double of(SystemSnapshot snapshot, WorkqueueSnapshot queue);

	}

}
