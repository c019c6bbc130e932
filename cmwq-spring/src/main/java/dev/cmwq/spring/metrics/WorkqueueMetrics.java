package dev.cmwq.spring.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.cmwq.core.HousekeepingStatus;
import dev.cmwq.core.PoolSnapshot;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.WorkListener;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSnapshot;
import dev.cmwq.core.WorkqueueStats;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds the metrics of a {@link WorkqueueSystem} to a registry. Gauges carry Micrometer's base units: worker counts
 * are {@code threads}, item counts {@code tasks} (as for Micrometer's {@code executor.*} meters), so Prometheus names
 * them {@code cmwq_pool_workers_threads}, {@code cmwq_workqueue_pending_tasks}; 0/1 states and CPUs have none.
 *
 * <ul>
 * <li>{@code cmwq.pool.workers} (tags {@code pool}, {@code kind}, {@code state} = busy | idle),
 * {@code cmwq.pool.workers.rogue}, {@code cmwq.pool.workers.blocked} (busy workers that concurrency management
 * knows are blocked), {@code cmwq.pool.running} (threads), {@code cmwq.pool.pending} (tasks), {@code cmwq.pool.stalled}
 * (1 while the watchdog reports the pool stalled, else 0) (tags {@code pool}, {@code kind}): gauges</li>
 * <li>{@code cmwq.pool.cm.wakeups} (tags {@code pool}, {@code kind}): counter of the times a worker of the pool
 * blocked and concurrency management started another worker</li>
 * <li>{@code cmwq.pool.worker.start.failures} (tags {@code pool}, {@code kind}): counter of the worker threads the
 * pool could not start (the thread factory refused, misbehaved, or the JVM could not make a thread)</li>
 * <li>{@code cmwq.frozen} (1 while frozen, else 0) and {@code cmwq.cpus} (tag {@code state} = online | offline):
 * gauges</li>
 * <li>{@code cmwq.workqueue.active}, {@code cmwq.workqueue.pending} (tag {@code workqueue}): gauges (tasks)</li>
 * <li>{@code cmwq.workqueue.items} (tags {@code workqueue}, {@code outcome} = completed | failed | cancelled |
 * rejected),
 * {@code cmwq.workqueue.cpu.intensive}, {@code cmwq.workqueue.cm.wakeups}, {@code cmwq.workqueue.mayday},
 * {@code cmwq.workqueue.rescued} (tag {@code workqueue}): counters over the queue's statistics</li>
 * <li>{@code cmwq.workqueue.wait} (queued to started) and {@code cmwq.workqueue.execution} (tag
 * {@code workqueue}): timers fed by a {@link WorkListener}, the one place every item is timed. Like every Micrometer
 * timer they publish no histogram unless the registry's configuration asks for one (Spring Boot:
 * {@code management.metrics.distribution.percentiles-histogram.cmwq.workqueue.wait=true})</li>
 * <li>{@code cmwq.watchdog.stalls} (tag {@code pool}): counter</li>
 * <li>{@code cmwq.housekeeping.failures} (tag {@code thread} = cmwq-block-detector | cmwq-timer | cmwq-rescuer):
 * counter of failures of the engine's own threads ({@link WorkqueueSystem#housekeeping()}), each retried</li>
 * </ul>
 *
 * Gauges and counters read a snapshot shared for a short time (100 ms by default), so one scrape costs one
 * {@link WorkqueueSystem#snapshot()}. The pools are fixed for the system's life; the queues present at binding are
 * bound at once, and a queue made later gets its meters when its first item starts. A destroyed queue's gauges read
 * NaN and its counters keep their last value.
 */
public class WorkqueueMetrics implements MeterBinder, AutoCloseable {

	/** How long gauges and counters share one snapshot by default. */
	public static final Duration DEFAULT_SNAPSHOT_TTL = Duration.ofMillis(100);

	private final WorkqueueSystem system;

	private final SnapshotCache snapshots;

	private final List<Binding> bindings = new CopyOnWriteArrayList<>();

	/**
	 * Metrics for a system, sharing snapshots for {@link #DEFAULT_SNAPSHOT_TTL}.
	 * @param system the system
	 */
	public WorkqueueMetrics(WorkqueueSystem system) {
		this(system, DEFAULT_SNAPSHOT_TTL);
	}

	/**
	 * Metrics for a system.
	 * @param system the system
	 * @param snapshotTtl how long gauges and counters share one snapshot; zero takes one per reading
	 */
	public WorkqueueMetrics(WorkqueueSystem system, Duration snapshotTtl) {
		this.system = system;
		this.snapshots = new SnapshotCache(system, snapshotTtl.toNanos());
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Binding binding = new Binding(registry);
		SystemSnapshot snapshot = this.snapshots.get().snapshot;
		binding.bindSystem();
		for (PoolSnapshot pool : snapshot.pools()) {
			binding.bindPool(pool);
		}
		for (WorkqueueSnapshot queue : snapshot.workqueues()) {
			binding.queue(queue.name());
		}
		this.bindings.add(binding);
		this.system.addListener(binding);
	}

	/**
	 * Stops feeding the timers.
	 */
	@Override
	public void close() {
		for (Binding binding : this.bindings) {
			this.system.removeListener(binding);
		}
		this.bindings.clear();
	}

	/** The meters bound to one registry; also the listener that feeds its timers. */
	private final class Binding implements WorkListener {

		private final MeterRegistry registry;

		/** Per queue name, its timers; an entry's presence means the queue's meters are registered. */
		private final Map<String, QueueTimers> queues = new ConcurrentHashMap<>();

		Binding(MeterRegistry registry) {
			this.registry = registry;
		}

		void bindSystem() {
			SnapshotCache cache = WorkqueueMetrics.this.snapshots;
			Gauge.builder("cmwq.frozen", cache, (c) -> c.system((s) -> s.frozen() ? 1 : 0))
				.description("1 while the freezable workqueues are frozen, else 0")
				.strongReference(true)
				.register(this.registry);
			for (boolean online : new boolean[] { true, false }) {
				Gauge.builder("cmwq.cpus", cache,
						(c) -> c.system((s) -> s.cpus().stream().filter((cpu) -> cpu.online() == online).count()))
					.description("CPUs of the workqueue system, by state")
					.tag("state", online ? "online" : "offline")
					.strongReference(true)
					.register(this.registry);
			}
			for (HousekeepingStatus housekeeping : WorkqueueMetrics.this.system.housekeeping()) {
				String thread = housekeeping.thread();
				FunctionCounter.builder("cmwq.housekeeping.failures", WorkqueueMetrics.this.system,
						(system) -> system.housekeeping()
							.stream()
							.filter((status) -> status.thread().equals(thread))
							.mapToLong(HousekeepingStatus::failures)
							.sum())
					.description("Failures of the engine's own threads (block detector, timer, rescuers); each is retried")
					.tag("thread", thread)
					.register(this.registry);
			}
		}

		void bindPool(PoolSnapshot pool) {
			String id = pool.id();
			Tags tags = Tags.of("pool", id, "kind", pool.kind());
			SnapshotCache cache = WorkqueueMetrics.this.snapshots;
			Gauge.builder("cmwq.pool.workers", cache, (c) -> c.pool(id, PoolSnapshot::busy))
				.description("Worker threads of the pool, by state")
				.baseUnit(BaseUnits.THREADS)
				.tags(tags)
				.tag("state", "busy")
				.strongReference(true)
				.register(this.registry);
			Gauge.builder("cmwq.pool.workers", cache, (c) -> c.pool(id, PoolSnapshot::idle))
				.description("Worker threads of the pool, by state")
				.baseUnit(BaseUnits.THREADS)
				.tags(tags)
				.tag("state", "idle")
				.strongReference(true)
				.register(this.registry);
			Gauge.builder("cmwq.pool.workers.rogue", cache, (c) -> c.pool(id, PoolSnapshot::rogue))
				.description("Workers of the pool detached from its offline CPU")
				.baseUnit(BaseUnits.THREADS)
				.tags(tags)
				.strongReference(true)
				.register(this.registry);
			Gauge.builder("cmwq.pool.workers.blocked", cache, (c) -> c.pool(id, PoolSnapshot::blocked))
				.description("Busy workers of the pool that concurrency management knows are blocked")
				.baseUnit(BaseUnits.THREADS)
				.tags(tags)
				.strongReference(true)
				.register(this.registry);
			Gauge.builder("cmwq.pool.running", cache, (c) -> c.pool(id, PoolSnapshot::running))
				.description("Workers of the pool counted as running by concurrency management")
				.baseUnit(BaseUnits.THREADS)
				.tags(tags)
				.strongReference(true)
				.register(this.registry);
			Gauge.builder("cmwq.pool.pending", cache, (c) -> c.pool(id, PoolSnapshot::pending))
				.description("Items queued to the pool and not started yet")
				.baseUnit(BaseUnits.TASKS)
				.tags(tags)
				.strongReference(true)
				.register(this.registry);
			Gauge.builder("cmwq.pool.stalled", cache, (c) -> c.pool(id, (p) -> p.stalled() ? 1 : 0))
				.description("1 while the watchdog reports the pool stalled, else 0")
				.tags(tags)
				.strongReference(true)
				.register(this.registry);
			FunctionCounter.builder("cmwq.pool.cm.wakeups", cache, (c) -> c.pool(id, PoolSnapshot::cmWakeups))
				.description("Times a worker of the pool blocked and concurrency management started another worker")
				.tags(tags)
				.register(this.registry);
			FunctionCounter
				.builder("cmwq.pool.worker.start.failures", cache, (c) -> c.pool(id, PoolSnapshot::failedStarts))
				.description("Worker threads the pool could not start: the thread factory refused or misbehaved")
				.tags(tags)
				.register(this.registry);
			FunctionCounter.builder("cmwq.watchdog.stalls", cache, (c) -> c.pool(id, PoolSnapshot::stalls))
				.description("Times the watchdog reported the pool as stalled")
				.tag("pool", id)
				.register(this.registry);
		}

		/** The queue's timers, registering all its meters on first use. */
		QueueTimers queue(String name) {
			QueueTimers timers = this.queues.get(name);
			return (timers != null) ? timers : this.queues.computeIfAbsent(name, this::bindQueue);
		}

		private QueueTimers bindQueue(String name) {
			Tags tags = Tags.of("workqueue", name);
			SnapshotCache cache = WorkqueueMetrics.this.snapshots;
			Gauge.builder("cmwq.workqueue.active", cache, (c) -> c.workqueue(name, WorkqueueSnapshot::active))
				.description("Items of the workqueue running now")
				.baseUnit(BaseUnits.TASKS)
				.tags(tags)
				.strongReference(true)
				.register(this.registry);
			Gauge.builder("cmwq.workqueue.pending", cache, (c) -> c.workqueue(name, WorkqueueSnapshot::pending))
				.description("Items of the workqueue queued and not started yet")
				.baseUnit(BaseUnits.TASKS)
				.tags(tags)
				.strongReference(true)
				.register(this.registry);
			items(cache, name, "completed", WorkqueueStats::completed);
			items(cache, name, "failed", WorkqueueStats::failed);
			items(cache, name, "cancelled", WorkqueueStats::cancelled);
			items(cache, name, "rejected", WorkqueueStats::rejected);
			counter(cache, name, "cmwq.workqueue.cpu.intensive", WorkqueueStats::cpuIntensive,
					"Items found running longer than the CPU-intensive threshold without blocking");
			counter(cache, name, "cmwq.workqueue.cm.wakeups", WorkqueueStats::cmWakeups,
					"Times an item blocked and concurrency management started another worker");
			counter(cache, name, "cmwq.workqueue.mayday", WorkqueueStats::mayday,
					"Times a pool asked the workqueue's rescuer for help");
			counter(cache, name, "cmwq.workqueue.rescued", WorkqueueStats::rescued,
					"Items the workqueue's rescuer ran");
			Timer wait = timer("cmwq.workqueue.wait", name, "Time from queueing an item to its start");
			Timer execution = timer("cmwq.workqueue.execution", name, "Time items of the workqueue ran");
			return new QueueTimers(wait, execution);
		}

		private Timer timer(String meter, String name, String description) {
			return Timer.builder(meter)
				.description(description)
				.tag("workqueue", name)
				.register(this.registry);
		}

		private void items(SnapshotCache cache, String name, String outcome, SnapshotCache.StatsValue value) {
			FunctionCounter.builder("cmwq.workqueue.items", cache, (c) -> c.stats(name, value))
				.description("Items of the workqueue that ended, or were refused, by outcome")
				.tag("workqueue", name)
				.tag("outcome", outcome)
				.register(this.registry);
		}

		private void counter(SnapshotCache cache, String name, String meter, SnapshotCache.StatsValue value,
				String description) {
			FunctionCounter.builder(meter, cache, (c) -> c.stats(name, value))
				.description(description)
				.tag("workqueue", name)
				.register(this.registry);
		}

		@Override
		public void started(Workqueue workqueue, long waitNanos) {
			queue(workqueue.name()).waiting.record(waitNanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void finished(Workqueue workqueue, long executionNanos, Throwable failure) {
			queue(workqueue.name()).execution.record(executionNanos, TimeUnit.NANOSECONDS);
		}

	}

	private record QueueTimers(Timer waiting, Timer execution) {
	}

}
