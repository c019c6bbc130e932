package dev.cmwq.autoconfigure.health;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.HousekeepingFaults;
import dev.cmwq.core.HousekeepingStatus;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.metrics.WorkqueueMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * While one of the engine's own threads is not working (here the timer, made to fail every round), the
 * {@code workqueues} contributor is DOWN naming it, and {@code cmwq.housekeeping.failures} counts the failures; once
 * the thread works again the contributor is UP.
 */
class HousekeepingHealthTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	@Test
	void downNamingAFailingEngineThreadAndCountingItsFailuresThenUpOnceItWorks() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build()) {
			WorkqueuesHealthIndicator indicator = new WorkqueuesHealthIndicator(system);
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			new WorkqueueMetrics(system).bindTo(registry);
			Workqueue wq = system.allocWorkqueue("delayed", Set.of(), 0);
			runDelayed(wq); // the timer thread runs
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			assertThat(failures(registry, "cmwq-timer")).isZero();

			HousekeepingFaults.failTimer(system, () -> {
				throw new OutOfMemoryError("Java heap space");
			});
			CountDownLatch ran = new CountDownLatch(1);
			wq.queueDelayed(new DelayedWork(ran::countDown), Duration.ofMillis(1));
			await().atMost(PATIENCE).until(() -> failures(registry, "cmwq-timer") >= 3);
			Health down = indicator.health();
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat(down.getDetails()).containsEntry("failingThreads", List.of("cmwq-timer"))
				.doesNotContainKey("stalledPools");
			assertThat((String) down.getDetails().get("error")).startsWith("Engine threads are not working: cmwq-timer (")
				.contains("failures, latest: java.lang.OutOfMemoryError: Java heap space)");
			assertThat(failures(registry, "cmwq-block-detector")).isZero();
			assertThat(failures(registry, "cmwq-rescuer")).isZero();

			HousekeepingFaults.failTimer(system, null);
			assertThat(ran.await(30, TimeUnit.SECONDS)).as("the delayed item runs once the timer works").isTrue();
			await().atMost(PATIENCE).until(() -> indicator.health().getStatus().equals(Status.UP));
			assertThat(indicator.health().getDetails()).doesNotContainKeys("failingThreads", "error");
			HousekeepingStatus timer = system.housekeeping().get(1);
			assertThat(failures(registry, "cmwq-timer")).isEqualTo(timer.failures()).isGreaterThanOrEqualTo(3);
		}
	}

	private static void runDelayed(Workqueue wq) throws InterruptedException {
		CountDownLatch ran = new CountDownLatch(1);
		wq.queueDelayed(new DelayedWork(ran::countDown), Duration.ofMillis(1));
		assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
	}

	private static double failures(SimpleMeterRegistry registry, String thread) {
		FunctionCounter counter = registry.get("cmwq.housekeeping.failures").tag("thread", thread).functionCounter();
		return counter.count();
	}

}
