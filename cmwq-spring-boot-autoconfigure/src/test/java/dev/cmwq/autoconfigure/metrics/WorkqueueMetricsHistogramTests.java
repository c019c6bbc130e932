package dev.cmwq.autoconfigure.metrics;

import dev.cmwq.spring.metrics.WorkqueueMetrics;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The timers' histogram buckets as Spring Boot binds them: {@link WorkqueueMetrics#BUCKETS} by default, and Boot's
 * {@code management.metrics.distribution.slo.*} properties replace them.
 */
class WorkqueueMetricsHistogramTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(MetricsAutoConfiguration.class, WorkqueueMetricsAutoConfiguration.class))
		.withUserConfiguration(SystemAndRegistry.class);

	@Test
	void timersHaveTheDefaultBuckets() {
		this.runner.run((context) -> {
			assertThat(buckets(context.getBean(MeterRegistry.class), "cmwq.workqueue.wait"))
				.containsExactlyElementsOf(WorkqueueMetrics.BUCKETS);
			assertThat(buckets(context.getBean(MeterRegistry.class), "cmwq.workqueue.execution"))
				.containsExactlyElementsOf(WorkqueueMetrics.BUCKETS);
		});
	}

	@Test
	void bootsSloPropertyReplacesTheBuckets() {
		this.runner.withPropertyValues("management.metrics.distribution.slo.cmwq.workqueue.wait=10ms,1s")
			.run((context) -> {
				assertThat(buckets(context.getBean(MeterRegistry.class), "cmwq.workqueue.wait"))
					.containsExactly(Duration.ofMillis(10), Duration.ofSeconds(1));
				assertThat(buckets(context.getBean(MeterRegistry.class), "cmwq.workqueue.execution"))
					.containsExactlyElementsOf(WorkqueueMetrics.BUCKETS);
			});
	}

	private static List<Duration> buckets(MeterRegistry registry, String name) {
		Timer timer = registry.get(name).tag("workqueue", "events").timer();
		return Arrays.stream(timer.takeSnapshot().histogramCounts())
			.map((bucket) -> Duration.ofNanos((long) bucket.bucket()))
			.toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class SystemAndRegistry {

		@Bean(destroyMethod = "close")
		WorkqueueSystem workqueueSystem() {
			return WorkqueueSystem.builder().cpus(1).build();
		}

		@Bean
		SimpleMeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

}
