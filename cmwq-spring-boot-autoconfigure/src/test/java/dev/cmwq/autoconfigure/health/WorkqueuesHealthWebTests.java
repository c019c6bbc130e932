package dev.cmwq.autoconfigure.health;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import dev.cmwq.autoconfigure.support.Http;
import dev.cmwq.autoconfigure.support.Items;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
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
 * The {@code workqueues} health contributor over HTTP, with a watchdog threshold short enough to see a stall.
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=health",
				"management.endpoint.health.show-details=always" })
class WorkqueuesHealthWebTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	@Test
	void upWithDetailsThenDownNamingTheStalledPoolThenUpAgain() {
		Http http = new Http(this.port);
		Http.Response up = http.get("/actuator/health/workqueues");
		assertThat(up.status()).isEqualTo(200);
		assertThat((String) up.read("$.status")).isEqualTo("UP");
		assertThat((Boolean) up.read("$.details.frozen")).isFalse();
		assertThat(up.<List<Integer>>read("$.details.offlineCpus")).isEmpty();
		assertThat((String) http.get("/actuator/health").read("$.components.workqueues.status")).isEqualTo("UP");

		// the pool's only worker blocks; the next item cannot start: the watchdog reports cpu0 as stalled
		Workqueue events = this.system.workqueue("events").orElseThrow();
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch ran = new CountDownLatch(1);
		events.queueOn(0, Items.blocking(blocked, release));
		Items.await(blocked);
		events.queueOn(0, new Work(ran::countDown));
		try {
			await().atMost(PATIENCE).untilAsserted(() -> {
				Http.Response down = http.get("/actuator/health/workqueues");
				assertThat(down.status()).isEqualTo(503);
				assertThat((String) down.read("$.status")).isEqualTo("DOWN");
				assertThat(down.<List<String>>read("$.details.stalledPools")).containsExactly("cpu0");
				assertThat((String) down.read("$.details.error")).contains("cpu0");
			});
			assertThat((String) http.get("/actuator/health").read("$.status")).isEqualTo("DOWN");
		}
		finally {
			release.countDown();
		}
		Items.await(ran);

		await().atMost(PATIENCE).untilAsserted(() -> {
			Http.Response again = http.get("/actuator/health/workqueues");
			assertThat(again.status()).isEqualTo(200);
			assertThat((String) again.read("$.status")).isEqualTo("UP");
		});
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean(destroyMethod = "close")
		WorkqueueSystem workqueueSystem() {
			return WorkqueueSystem.builder()
				.cpus(1)
				.maxWorkersPerPool(1)
				.watchdogThreshold(Duration.ofMillis(200))
				.build();
		}

	}

}
