package dev.cmwq.autoconfigure.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.async.CmwqAsyncAutoConfiguration;
import dev.cmwq.autoconfigure.support.Items;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.task.TaskExecutorMetricsAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With {@code cmwq.async.default-workqueue}, the application's task executor keeps the {@code executor.*} meters
 * Spring Boot publishes for its own {@code applicationTaskExecutor}: the same meters, and values read from the
 * workqueue.
 */
class WorkqueueExecutorMetricsTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class, TaskExecutionAutoConfiguration.class,
				TaskExecutorMetricsAutoConfiguration.class, CmwqAsyncAutoConfiguration.class,
				CmwqAutoConfiguration.class, CmwqMetricsAutoConfiguration.class))
		.withBean(SimpleMeterRegistry.class)
		.withPropertyValues("cmwq.cpus=2");

	@Test
	void theSameMetersAsSpringBootPublishesForItsOwnExecutor() {
		List<String> boots = new ArrayList<>();
		this.runner.run((context) -> {
			assertThat(context).getBean("applicationTaskExecutor").isInstanceOf(ThreadPoolTaskExecutor.class);
			boots.addAll(executorMeters(context));
		});
		assertThat(boots).as("Spring Boot's executor meters").hasSize(7);
		this.runner.withPropertyValues("cmwq.async.default-workqueue=events")
			.run((context) -> assertThat(executorMeters(context)).containsExactlyElementsOf(boots));
	}

	@Test
	void valuesFollowTheItemsOfTheWorkqueue() {
		this.runner
			.withPropertyValues("cmwq.async.default-workqueue=app", "cmwq.workqueues.app.flags=unbound",
					"cmwq.workqueues.app.max-active=2", "cmwq.workqueues.app.queue-capacity=10")
			.run((context) -> {
				TaskExecutor executor = context.getBean("applicationTaskExecutor", TaskExecutor.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(gauge(registry, "executor.pool.max")).isEqualTo(2);
				assertThat(gauge(registry, "executor.pool.core")).isEqualTo(2);
				assertThat(gauge(registry, "executor.queue.remaining")).isEqualTo(10);
				CountDownLatch started = new CountDownLatch(2);
				CountDownLatch release = new CountDownLatch(1);
				try {
					for (int i = 0; i < 3; i++) {
						executor.execute(() -> {
							started.countDown();
							Items.await(release);
						});
					}
					Items.await(started);
					await().atMost(PATIENCE).untilAsserted(() -> {
						assertThat(gauge(registry, "executor.active")).isEqualTo(2);
						assertThat(gauge(registry, "executor.queued")).isEqualTo(1);
						assertThat(gauge(registry, "executor.queue.remaining")).isEqualTo(10 - 1);
						assertThat(gauge(registry, "executor.pool.size")).isGreaterThanOrEqualTo(2);
					});
				}
				finally {
					release.countDown();
				}
				executor.execute(() -> {
					throw new IllegalStateException("counts as completed, as in a ThreadPoolExecutor");
				});
				assertThat(context.getBean(WorkqueueSystem.class).awaitIdle(PATIENCE)).isTrue();
				await().atMost(PATIENCE).untilAsserted(() -> {
					assertThat(registry.get("executor.completed")
						.tag("name", "applicationTaskExecutor")
						.functionCounter()
						.count()).isEqualTo(4);
					assertThat(gauge(registry, "executor.active")).isZero();
					assertThat(gauge(registry, "executor.queued")).isZero();
				});
			});
	}

	@Test
	void anUnboundedWorkqueueHasRoomForIntegerMaxValueItemsLikeSpringsDefaultExecutor() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=events")
			.run((context) -> assertThat(gauge(context.getBean(MeterRegistry.class), "executor.queue.remaining"))
				.isEqualTo(Integer.MAX_VALUE));
	}

	@Test
	void aBoundWorkqueueRunsOneItemPerCpuUnlessItBlocksAndMaxActivePerCpu() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=app", "cmwq.workqueues.app.max-active=3")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(gauge(registry, "executor.pool.core")).isEqualTo(2);
				assertThat(gauge(registry, "executor.pool.max")).isEqualTo(6);
			});
	}

	@Test
	void withoutADefaultWorkqueueSpringBootsExecutorKeepsItsOwnMeters() {
		this.runner.run((context) -> assertThat(context).hasSingleBean(ThreadPoolTaskExecutor.class)
			.doesNotHaveBean("workqueueTaskExecutorMetrics"));
	}

	/** Each executor meter of {@code applicationTaskExecutor}: name, type, base unit and tag keys. */
	private static List<String> executorMeters(AssertableApplicationContext context) {
		MeterRegistry registry = context.getBean(MeterRegistry.class);
		List<String> meters = new ArrayList<>();
		registry.getMeters()
			.stream()
			.filter((meter) -> meter.getId().getName().startsWith("executor."))
			.filter((meter) -> "applicationTaskExecutor".equals(meter.getId().getTag("name")))
			.forEach((meter) -> {
				Set<String> tags = new TreeSet<>();
				meter.getId().getTags().stream().map(Tag::getKey).forEach(tags::add);
				meters.add(meter.getId().getName() + " " + meter.getId().getType() + " "
						+ meter.getId().getBaseUnit() + " " + tags);
			});
		meters.sort(null);
		return meters;
	}

	private static double gauge(MeterRegistry registry, String name) {
		return registry.get(name).tag("name", "applicationTaskExecutor").gauge().value();
	}

}
