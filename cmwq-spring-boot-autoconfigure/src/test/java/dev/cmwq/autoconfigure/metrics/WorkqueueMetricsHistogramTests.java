package dev.cmwq.autoconfigure.metrics;

import java.util.List;

import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The timers' histograms follow Spring Boot's defaults: no {@code _bucket} series unless the application switches
 * them on per meter with {@code management.metrics.distribution.percentiles-histogram.<meter>} (or sets its own
 * buckets with {@code management.metrics.distribution.slo.<meter>}).
 */
class WorkqueueMetricsHistogramTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(MetricsAutoConfiguration.class, CmwqMetricsAutoConfiguration.class))
		.withUserConfiguration(SystemAndRegistry.class);

	@Test
	void byDefaultThereAreNoBucketSeries() {
		this.runner.run((context) -> {
			String scrape = scrapeAfterAnItem(context);
			assertThat(scrape).contains("cmwq_workqueue_wait_seconds_count{")
				.contains("cmwq_workqueue_execution_seconds_max{")
				.doesNotContain("_bucket");
		});
	}

	@Test
	void bootsPercentilesHistogramSwitchTurnsBucketsOnForOneMeter() {
		this.runner.withPropertyValues("management.metrics.distribution.percentiles-histogram.cmwq.workqueue.wait=true")
			.run((context) -> {
				String scrape = scrapeAfterAnItem(context);
				assertThat(buckets(scrape, "cmwq_workqueue_wait_seconds_bucket{")).hasSizeGreaterThan(10)
					.anySatisfy((line) -> assertThat(line).contains("le=\"+Inf\""));
				assertThat(buckets(scrape, "cmwq_workqueue_execution_seconds_bucket{")).isEmpty();
			});
	}

	@Test
	void bootsPercentilesHistogramSwitchOnThePrefixTurnsBucketsOnForEveryTimer() {
		this.runner.withPropertyValues("management.metrics.distribution.percentiles-histogram.cmwq=true")
			.run((context) -> {
				String scrape = scrapeAfterAnItem(context);
				assertThat(buckets(scrape, "cmwq_workqueue_wait_seconds_bucket{")).isNotEmpty();
				assertThat(buckets(scrape, "cmwq_workqueue_execution_seconds_bucket{")).isNotEmpty();
			});
	}

	@Test
	void bootsSloPropertySetsTheBucketsOfOneMeter() {
		this.runner.withPropertyValues("management.metrics.distribution.slo.cmwq.workqueue.wait=10ms,1s")
			.run((context) -> {
				String scrape = scrapeAfterAnItem(context);
				assertThat(buckets(scrape, "cmwq_workqueue_wait_seconds_bucket{workqueue=\"events\""))
					.extracting((line) -> line.substring(line.indexOf("le=\"") + 4, line.indexOf("\"}")))
					.containsExactly("0.01", "1.0", "+Inf");
				assertThat(buckets(scrape, "cmwq_workqueue_execution_seconds_bucket{")).isEmpty();
			});
	}

	private static String scrapeAfterAnItem(AssertableApplicationContext context) {
		Workqueue events = context.getBean(WorkqueueSystem.class).workqueue("events").orElseThrow();
		events.queue(new Work(() -> {
		}));
		events.flush();
		return context.getBean(PrometheusMeterRegistry.class).scrape();
	}

	private static List<String> buckets(String scrape, String prefix) {
		return scrape.lines().filter((line) -> line.startsWith(prefix)).toList();
	}

	@Configuration(proxyBeanMethods = false)
	static class SystemAndRegistry {

		@Bean(destroyMethod = "close")
		WorkqueueSystem workqueueSystem() {
			return WorkqueueSystem.builder().cpus(1).build();
		}

		@Bean
		PrometheusMeterRegistry meterRegistry() {
			return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		}

	}

}
