package dev.cmwq.autoconfigure.metrics;

import dev.cmwq.spring.metrics.WorkqueueMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.UnaryOperator;

import dev.cmwq.autoconfigure.support.Items;
import dev.cmwq.core.Overflow;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link WorkqueueMetrics} against a running engine, read through a {@link SimpleMeterRegistry}.
 */
class WorkqueueMetricsTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final List<CountDownLatch> releases = new ArrayList<>();

	private WorkqueueSystem system;

	private WorkqueueMetrics metrics;

	@AfterEach
	void close() {
		this.releases.forEach(CountDownLatch::countDown);
		if (this.metrics != null) {
			this.metrics.close();
		}
		if (this.system != null) {
			this.system.close();
		}
	}

	@Test
	void registersEveryContractMeterWithItsTags() {
		this.system = WorkqueueSystem.builder().cpus(2).build();
		this.system.allocWorkqueue("thumbnails", Set.of(WorkqueueFlag.CPU_INTENSIVE), 4);
		this.metrics = new WorkqueueMetrics(this.system);
		this.metrics.bindTo(this.registry);

		for (String pool : List.of("cpu0", "cpu0-highpri", "cpu1", "cpu1-highpri", "unbound", "unbound-highpri")) {
			String kind = pool.startsWith("unbound") ? "unbound" : pool.endsWith("highpri") ? "highpri" : "normal";
			for (String state : List.of("busy", "idle")) {
				assertThat(this.registry.find("cmwq.pool.workers")
					.tags("pool", pool, "kind", kind, "state", state)
					.gauge()).as(pool + " " + state).isNotNull();
			}
			for (String name : List.of("cmwq.pool.workers.rogue", "cmwq.pool.workers.blocked", "cmwq.pool.running",
					"cmwq.pool.pending", "cmwq.pool.stalled")) {
				assertThat(this.registry.find(name).tags("pool", pool, "kind", kind).gauge()).as(name + " " + pool)
					.isNotNull();
			}
			assertThat(this.registry.find("cmwq.watchdog.stalls").tags("pool", pool).functionCounter()).isNotNull();
			for (String name : List.of("cmwq.pool.cm.wakeups", "cmwq.pool.worker.start.failures")) {
				assertThat(this.registry.find(name).tags("pool", pool, "kind", kind).functionCounter())
					.as(name + " " + pool)
					.isNotNull();
			}
		}
		for (String queue : List.of("events", "events_freezable", "thumbnails")) {
			assertThat(this.registry.find("cmwq.workqueue.active").tag("workqueue", queue).gauge()).isNotNull();
			assertThat(this.registry.find("cmwq.workqueue.pending").tag("workqueue", queue).gauge()).isNotNull();
			for (String outcome : List.of("completed", "failed", "cancelled", "rejected")) {
				assertThat(this.registry.find("cmwq.workqueue.items")
					.tags("workqueue", queue, "outcome", outcome)
					.functionCounter()).isNotNull();
			}
			for (String name : List.of("cmwq.workqueue.cpu.intensive", "cmwq.workqueue.cm.wakeups",
					"cmwq.workqueue.mayday", "cmwq.workqueue.rescued")) {
				assertThat(this.registry.find(name).tag("workqueue", queue).functionCounter()).as(name).isNotNull();
			}
			assertThat(this.registry.find("cmwq.workqueue.wait").tag("workqueue", queue).timer()).isNotNull();
			assertThat(this.registry.find("cmwq.workqueue.execution").tag("workqueue", queue).timer()).isNotNull();
		}
		assertThat(this.registry.find("cmwq.pool.workers").tags("pool", "cpu0", "state", "busy").gauge().value())
			.isZero();
		assertThat(this.registry.get("cmwq.frozen").gauge().value()).isZero();
		assertThat(this.registry.get("cmwq.cpus").tag("state", "online").gauge().value()).isEqualTo(2);
		assertThat(this.registry.get("cmwq.cpus").tag("state", "offline").gauge().value()).isZero();
	}

	@Test
	void gaugesCountingWorkersAreInThreadsAndThoseCountingItemsInTasks() {
		start((builder) -> builder);
		for (String name : List.of("cmwq.pool.workers", "cmwq.pool.workers.rogue", "cmwq.pool.workers.blocked",
				"cmwq.pool.running")) {
			assertThat(baseUnits(name)).as(name).containsOnly(BaseUnits.THREADS);
		}
		for (String name : List.of("cmwq.pool.pending", "cmwq.workqueue.active", "cmwq.workqueue.pending")) {
			assertThat(baseUnits(name)).as(name).containsOnly(BaseUnits.TASKS);
		}
		// 0/1 states, CPUs and counters of events have no unit: their names say what they count
		for (String name : List.of("cmwq.pool.stalled", "cmwq.frozen", "cmwq.cpus", "cmwq.workqueue.items",
				"cmwq.workqueue.cm.wakeups", "cmwq.pool.cm.wakeups", "cmwq.watchdog.stalls")) {
			assertThat(baseUnits(name)).as(name).containsOnlyNulls();
		}
	}

	@Test
	void frozenAndCpuGaugesFollowTheOperatorControls() {
		start((builder) -> builder);
		this.system.freeze();
		this.system.cpuOffline(1);
		assertThat(this.registry.get("cmwq.frozen").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get("cmwq.cpus").tag("state", "online").gauge().value()).isEqualTo(1);
		assertThat(this.registry.get("cmwq.cpus").tag("state", "offline").gauge().value()).isEqualTo(1);

		this.system.thaw();
		this.system.cpuOnline(1);
		assertThat(this.registry.get("cmwq.frozen").gauge().value()).isZero();
		assertThat(this.registry.get("cmwq.cpus").tag("state", "online").gauge().value()).isEqualTo(2);
		assertThat(this.registry.get("cmwq.cpus").tag("state", "offline").gauge().value()).isZero();
	}

	@Test
	void blockedGaugeCountsTheBlockedWorkerThatLetAnotherRun() {
		start((builder) -> builder);
		Workqueue events = this.system.workqueue("events").orElseThrow();
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch release = release();
		CountDownLatch ran = new CountDownLatch(1);
		events.queueOn(0, Items.blocking(blocked, release));
		Items.await(blocked);
		assertThat(poolGauge("cmwq.pool.workers.blocked", "cpu0")).isZero();

		// the item queued behind the blocked one runs because concurrency management saw the first one block
		events.queueOn(0, new Work(ran::countDown));
		Items.await(ran);
		assertThat(poolGauge("cmwq.pool.workers.blocked", "cpu0")).isEqualTo(1);
		assertThat(poolGauge("cmwq.pool.workers.blocked", "cpu1")).isZero();

		release.countDown();
		events.flush();
		await().atMost(PATIENCE).until(() -> poolGauge("cmwq.pool.workers.blocked", "cpu0") == 0);
	}

	@Test
	void poolAndQueueGaugesFollowRunningAndPendingItems() {
		start((builder) -> builder.cpuIntensiveThreshold(Duration.ZERO));
		Workqueue events = this.system.workqueue("events").orElseThrow();
		CountDownLatch spinning = new CountDownLatch(1);
		CountDownLatch ran = new CountDownLatch(1);

		events.queueOn(0, Items.spinning(spinning, release()));
		Items.await(spinning);
		events.queueOn(0, new Work(ran::countDown));

		assertThat(poolGauge("cmwq.pool.workers", "cpu0", "state", "busy")).isEqualTo(1);
		assertThat(poolGauge("cmwq.pool.running", "cpu0")).isEqualTo(1);
		assertThat(poolGauge("cmwq.pool.pending", "cpu0")).isEqualTo(1);
		assertThat(queueGauge("cmwq.workqueue.active", "events")).isEqualTo(1);
		assertThat(queueGauge("cmwq.workqueue.pending", "events")).isEqualTo(1);

		this.releases.forEach(CountDownLatch::countDown);
		Items.await(ran);
		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(poolGauge("cmwq.pool.workers", "cpu0", "state", "busy")).isZero();
			assertThat(poolGauge("cmwq.pool.workers", "cpu0", "state", "idle")).isGreaterThanOrEqualTo(1);
			assertThat(poolGauge("cmwq.pool.running", "cpu0")).isZero();
			assertThat(poolGauge("cmwq.pool.pending", "cpu0")).isZero();
			assertThat(queueGauge("cmwq.workqueue.active", "events")).isZero();
			assertThat(queueGauge("cmwq.workqueue.pending", "events")).isZero();
		});
	}

	@Test
	void rogueGaugeRisesWhenCpuGoesOfflineAndFallsWhenItComesBack() {
		start((builder) -> builder);
		Workqueue events = this.system.workqueue("events").orElseThrow();
		CountDownLatch blocked = new CountDownLatch(1);
		events.queueOn(1, Items.blocking(blocked, release()));
		Items.await(blocked);
		assertThat(poolGauge("cmwq.pool.workers.rogue", "cpu1")).isZero();

		this.system.cpuOffline(1);
		assertThat(poolGauge("cmwq.pool.workers.rogue", "cpu1")).isGreaterThanOrEqualTo(1);
		assertThat(poolGauge("cmwq.pool.workers.rogue", "cpu0")).isZero();

		this.system.cpuOnline(1);
		assertThat(poolGauge("cmwq.pool.workers.rogue", "cpu1")).isZero();
	}

	@Test
	void itemCountersCountEachOutcome() {
		start((builder) -> builder.cpuIntensiveThreshold(Duration.ZERO).failureHandler((wq, work, failure) -> {
		}));
		Workqueue events = this.system.workqueue("events").orElseThrow();
		events.setCapacity(1, Overflow.REJECT, Duration.ZERO);
		CountDownLatch spinning = new CountDownLatch(1);
		CountDownLatch release = release();
		events.queueOn(0, Items.spinning(spinning, release));
		Items.await(spinning);
		Work doomed = new Work(() -> {
		});
		events.queueOn(0, doomed);
		assertThat(doomed.cancel()).isTrue();
		events.queueOn(0, new Work(() -> {
			throw new IllegalStateException("boom");
		}));
		assertThatThrownBy(() -> events.queueOn(0, new Work(() -> {
		}))).isInstanceOf(RejectedExecutionException.class);
		release.countDown();
		events.flush();

		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(items("events", "completed")).isEqualTo(1);
			assertThat(items("events", "failed")).isEqualTo(1);
			assertThat(items("events", "cancelled")).isEqualTo(1);
			assertThat(items("events", "rejected")).isEqualTo(1);
		});
	}

	@Test
	void workerThreadsThatCouldNotBeStartedAreCountedPerPool() {
		start((builder) -> builder.threadFactory((r) -> null).shutdownTimeout(Duration.ZERO));
		this.system.workqueue("events").orElseThrow().queueOn(1, new Work(() -> {
		}));
		await().atMost(PATIENCE).until(() -> poolCounter("cmwq.pool.worker.start.failures", "cpu1") >= 1);
		assertThat(poolCounter("cmwq.pool.worker.start.failures", "cpu0")).isZero();
	}

	@Test
	void timersRecordWaitAndExecutionOfEveryItem() {
		start((builder) -> builder);
		Workqueue events = this.system.workqueue("events").orElseThrow();
		for (int i = 0; i < 5; i++) {
			events.queue(new Work(() -> sleep(20)));
		}
		events.flush();

		Timer waiting = this.registry.get("cmwq.workqueue.wait").tag("workqueue", "events").timer();
		Timer execution = this.registry.get("cmwq.workqueue.execution").tag("workqueue", "events").timer();
		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(waiting.count()).isEqualTo(5);
			assertThat(execution.count()).isEqualTo(5);
		});
		assertThat(execution.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(20);
		// no histogram unless the registry's configuration asks for one, as for every Micrometer timer
		assertThat(execution.takeSnapshot().histogramCounts()).isEmpty();
		assertThat(waiting.takeSnapshot().histogramCounts()).isEmpty();
		assertThat(this.registry.get("cmwq.workqueue.wait").tag("workqueue", "events_long").timer().count()).isZero();
	}

	@Test
	void cpuIntensiveCounterCountsItemsThatHogTheCpu() {
		start((builder) -> builder.cpuIntensiveThreshold(Duration.ofMillis(20)));
		Workqueue events = this.system.workqueue("events").orElseThrow();
		CountDownLatch spinning = new CountDownLatch(1);
		CountDownLatch release = release();
		CountDownLatch behind = new CountDownLatch(1);
		events.queueOn(0, Items.spinning(spinning, release));
		Items.await(spinning);
		// the item waiting behind the spinner starts once the spinner is found CPU-intensive
		events.queueOn(0, new Work(behind::countDown));
		Items.await(behind);
		release.countDown();
		events.flush();

		await().atMost(PATIENCE).until(() -> stats("cmwq.workqueue.cpu.intensive", "events") == 1);
	}

	@Test
	void cmWakeupsCounterCountsBlockedItemsThatLetAnotherRun() {
		start((builder) -> builder.cpuIntensiveThreshold(Duration.ZERO));
		Workqueue events = this.system.workqueue("events").orElseThrow();
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch secondQueued = new CountDownLatch(1);
		CountDownLatch release = release();
		CountDownLatch secondRan = new CountDownLatch(1);
		// the first item runs (spins) until the second is pending behind it, then blocks
		events.queueOn(0, new Work(() -> {
			started.countDown();
			Items.spinning(new CountDownLatch(1), secondQueued).task().run();
			Items.await(release);
		}));
		Items.await(started);
		events.queueOn(0, new Work(secondRan::countDown));
		secondQueued.countDown();

		Items.await(secondRan);
		await().atMost(PATIENCE).until(() -> stats("cmwq.workqueue.cm.wakeups", "events") >= 1);
		// the same wake-ups, counted by the pool whose worker blocked
		assertThat(poolCounter("cmwq.pool.cm.wakeups", "cpu0")).isEqualTo(stats("cmwq.workqueue.cm.wakeups", "events"));
		assertThat(poolCounter("cmwq.pool.cm.wakeups", "cpu0-highpri")).isZero();
		assertThat(poolCounter("cmwq.pool.cm.wakeups", "cpu1")).isZero();
	}

	@Test
	void maydayAndRescuedCountersCountRescuerWork() {
		start((builder) -> builder.cpus(1).maxWorkersPerPool(1).maydayInterval(Duration.ofMillis(50)));
		Workqueue events = this.system.workqueue("events").orElseThrow();
		Workqueue reclaim = this.system.allocWorkqueue("reclaim", Set.of(WorkqueueFlag.MEM_RECLAIM), 0);
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch rescued = new CountDownLatch(1);
		events.queueOn(0, Items.blocking(blocked, release()));
		Items.await(blocked);

		reclaim.queueOn(0, new Work(rescued::countDown));

		Items.await(rescued);
		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(stats("cmwq.workqueue.mayday", "reclaim")).isGreaterThanOrEqualTo(1);
			assertThat(stats("cmwq.workqueue.rescued", "reclaim")).isEqualTo(1);
		});
	}

	@Test
	void watchdogStallsCounterCountsStalledPools() {
		start((builder) -> builder.cpus(1).maxWorkersPerPool(1).watchdogThreshold(Duration.ofMillis(200)));
		Workqueue events = this.system.workqueue("events").orElseThrow();
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch release = release();
		CountDownLatch ran = new CountDownLatch(1);
		events.queueOn(0, Items.blocking(blocked, release));
		Items.await(blocked);
		events.queueOn(0, new Work(ran::countDown));

		await().atMost(PATIENCE)
			.until(() -> this.registry.get("cmwq.watchdog.stalls").tag("pool", "cpu0").functionCounter().count() >= 1);
		assertThat(this.registry.get("cmwq.watchdog.stalls").tag("pool", "cpu0-highpri").functionCounter().count())
			.isZero();
		assertThat(poolGauge("cmwq.pool.stalled", "cpu0")).isEqualTo(1);
		assertThat(poolGauge("cmwq.pool.stalled", "cpu0-highpri")).isZero();
		release.countDown();
		Items.await(ran);
		await().atMost(PATIENCE).until(() -> poolGauge("cmwq.pool.stalled", "cpu0") == 0);
	}

	@Test
	void queueMadeAfterBindingGetsItsMetersWithItsFirstItem() {
		start((builder) -> builder);
		Workqueue late = this.system.allocWorkqueue("late", Set.of(), 0);
		assertThat(this.registry.find("cmwq.workqueue.items").tag("workqueue", "late").meters()).isEmpty();

		late.queue(new Work(() -> {
		}));
		late.flush();

		await().atMost(PATIENCE).until(() -> this.registry.find("cmwq.workqueue.execution")
			.tag("workqueue", "late")
			.timer() != null && this.registry.get("cmwq.workqueue.execution").tag("workqueue", "late").timer().count() == 1);
		await().atMost(PATIENCE).until(() -> items("late", "completed") == 1);
		assertThat(queueGauge("cmwq.workqueue.active", "late")).isZero();
	}

	@Test
	void closeStopsFeedingTheTimers() {
		start((builder) -> builder);
		Workqueue events = this.system.workqueue("events").orElseThrow();
		this.metrics.close();

		events.queue(new Work(() -> {
		}));
		events.flush();

		await().atMost(PATIENCE).until(() -> items("events", "completed") == 1);
		assertThat(this.registry.get("cmwq.workqueue.execution").tag("workqueue", "events").timer().count()).isZero();
	}

	private void start(UnaryOperator<WorkqueueSystem.Builder> customizer) {
		this.system = customizer.apply(WorkqueueSystem.builder().cpus(2)).build();
		this.metrics = new WorkqueueMetrics(this.system, Duration.ZERO);
		this.metrics.bindTo(this.registry);
	}

	private List<String> baseUnits(String name) {
		return this.registry.get(name).meters().stream().map((meter) -> meter.getId().getBaseUnit()).toList();
	}

	private CountDownLatch release() {
		CountDownLatch latch = new CountDownLatch(1);
		this.releases.add(latch);
		return latch;
	}

	private double poolGauge(String name, String pool, String... moreTags) {
		Gauge gauge = this.registry.get(name).tag("pool", pool).tags(moreTags).gauge();
		return gauge.value();
	}

	private double poolCounter(String name, String pool) {
		return this.registry.get(name).tag("pool", pool).functionCounter().count();
	}

	private double queueGauge(String name, String queue) {
		return this.registry.get(name).tag("workqueue", queue).gauge().value();
	}

	private double items(String queue, String outcome) {
		return this.registry.get("cmwq.workqueue.items")
			.tags("workqueue", queue, "outcome", outcome)
			.functionCounter()
			.count();
	}

	private double stats(String name, String queue) {
		FunctionCounter counter = this.registry.get(name).tag("workqueue", queue).functionCounter();
		return counter.count();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
