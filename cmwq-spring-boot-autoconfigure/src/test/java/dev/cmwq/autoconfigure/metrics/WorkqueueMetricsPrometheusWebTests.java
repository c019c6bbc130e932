package dev.cmwq.autoconfigure.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

import dev.cmwq.autoconfigure.support.Http;
import dev.cmwq.autoconfigure.support.Items;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The metrics as Prometheus scrapes them from {@code /actuator/prometheus}, bound by Spring Boot.
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "management.endpoints.web.exposure.include=prometheus")
class WorkqueueMetricsPrometheusWebTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	@Autowired
	@Qualifier("probe")
	Workqueue probe;

	@Test
	void scrapeHasEveryContractMetricWithItsTags() {
		String scrape = scrape();

		for (String state : List.of("busy", "idle")) {
			assertThat(value(scrape, "cmwq_pool_workers_threads", Map.of("pool", "cpu0", "kind", "normal", "state", state)))
				.isPresent();
		}
		assertThat(value(scrape, "cmwq_pool_workers_threads", Map.of("pool", "unbound-highpri", "kind", "unbound",
				"state", "busy"))).isPresent();
		for (String name : List.of("cmwq_pool_workers_rogue_threads", "cmwq_pool_workers_blocked_threads",
				"cmwq_pool_running_threads", "cmwq_pool_pending_tasks", "cmwq_pool_stalled")) {
			assertThat(value(scrape, name, Map.of("pool", "cpu1-highpri", "kind", "highpri"))).as(name).isPresent();
		}
		assertThat(value(scrape, "cmwq_watchdog_stalls_total", Map.of("pool", "cpu0"))).isPresent();
		assertThat(value(scrape, "cmwq_pool_cm_wakeups_total", Map.of("pool", "cpu0", "kind", "normal"))).isPresent();
		assertThat(scrape).containsPattern("(?m)^cmwq_frozen(\\{\\})? 0\\.0$");
		assertThat(value(scrape, "cmwq_cpus", Map.of("state", "online"))).hasValue(2.0);
		assertThat(value(scrape, "cmwq_cpus", Map.of("state", "offline"))).hasValue(0.0);
		// as for every timer Spring Boot binds: no histogram buckets unless the application asks for them
		assertThat(scrape).doesNotContain("_bucket");
		for (String name : List.of("cmwq_workqueue_active_tasks", "cmwq_workqueue_pending_tasks",
				"cmwq_workqueue_cpu_intensive_total", "cmwq_workqueue_cm_wakeups_total", "cmwq_workqueue_mayday_total",
				"cmwq_workqueue_rescued_total", "cmwq_workqueue_wait_seconds_count",
				"cmwq_workqueue_wait_seconds_sum", "cmwq_workqueue_execution_seconds_count",
				"cmwq_workqueue_execution_seconds_sum", "cmwq_workqueue_execution_seconds_max")) {
			assertThat(value(scrape, name, Map.of("workqueue", "probe"))).as(name).isPresent();
		}
		for (String outcome : List.of("completed", "failed", "cancelled")) {
			assertThat(value(scrape, "cmwq_workqueue_items_total", Map.of("workqueue", "probe", "outcome", outcome)))
				.as(outcome)
				.isPresent();
		}
	}

	@Test
	void scrapedValuesMoveWithRealWork() {
		double completed = value(scrape(), "cmwq_workqueue_items_total",
				Map.of("workqueue", "probe", "outcome", "completed")).orElseThrow();
		double executions = value(scrape(), "cmwq_workqueue_execution_seconds_count", Map.of("workqueue", "probe"))
			.orElseThrow();
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.probe.queueOn(1, Items.blocking(blocked, release));
		Items.await(blocked);
		try {
			await().atMost(PATIENCE).untilAsserted(() -> {
				String scrape = scrape();
				assertThat(value(scrape, "cmwq_pool_workers_threads", Map.of("pool", "cpu1", "state", "busy")))
					.hasValue(1.0);
				assertThat(value(scrape, "cmwq_workqueue_active_tasks", Map.of("workqueue", "probe"))).hasValue(1.0);
			});
		}
		finally {
			release.countDown();
		}
		for (int i = 0; i < 3; i++) {
			this.probe.queue(new Work(() -> {
			}));
		}
		this.probe.flush();

		await().atMost(PATIENCE).untilAsserted(() -> {
			String scrape = scrape();
			assertThat(value(scrape, "cmwq_pool_workers_threads", Map.of("pool", "cpu1", "state", "busy"))).hasValue(0.0);
			assertThat(value(scrape, "cmwq_workqueue_active_tasks", Map.of("workqueue", "probe"))).hasValue(0.0);
			assertThat(value(scrape, "cmwq_workqueue_items_total", Map.of("workqueue", "probe", "outcome",
					"completed"))).hasValue(completed + 4);
			assertThat(value(scrape, "cmwq_workqueue_execution_seconds_count", Map.of("workqueue", "probe")))
				.hasValue(executions + 4);
		});
	}

	private String scrape() {
		Http.Response response = new Http(this.port).get("/actuator/prometheus");
		assertThat(response.status()).isEqualTo(200);
		return response.body();
	}

	/** The value of the one sample of {@code name} that has all {@code labels} (and maybe more). */
	static OptionalDouble value(String scrape, String name, Map<String, String> labels) {
		return scrape.lines()
			.filter((line) -> line.startsWith(name + "{"))
			.filter((line) -> labels.entrySet()
				.stream()
				.allMatch((label) -> line.contains(label.getKey() + "=\"" + label.getValue() + "\"")))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim().split(" ")[0]))
			.reduce((a, b) -> {
				throw new AssertionError("More than one sample of " + name + " with " + labels);
			});
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean(destroyMethod = "close")
		WorkqueueSystem workqueueSystem() {
			return WorkqueueSystem.builder().cpus(2).build();
		}

		@Bean
		Workqueue probe(WorkqueueSystem system) {
			return system.allocWorkqueue("probe", Set.of(), 0);
		}

	}

}
