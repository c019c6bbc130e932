package dev.cmwq.autoconfigure.dashboard;

import dev.cmwq.autoconfigure.support.Http;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard at a path of the application's choosing, with actuator elsewhere and the endpoint read-only: the
 * page is told so, and offers no actions.
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cmwq.dashboard.enabled=true", "cmwq.dashboard.path=/ops/queues",
				"cmwq.dashboard.refresh-interval=2s", "management.endpoints.web.exposure.include=workqueues",
				"management.endpoints.web.base-path=/manage", "server.servlet.context-path=/shop" })
class CmwqDashboardReadOnlyWebTests {

	@LocalServerPort
	int port;

	@Test
	void configPointsAtTheEndpointAndSaysItIsReadOnly() {
		Http.Response config = new Http(this.port).get("/shop/ops/queues/config.json");

		assertThat(config.status()).isEqualTo(200);
		assertThat(config.<String>read("$.endpoint")).isEqualTo("/shop/manage/workqueues");
		assertThat(config.<Boolean>read("$.available")).isTrue();
		assertThat(config.<Boolean>read("$.write")).isFalse();
		assertThat(config.<Integer>read("$.refreshMillis")).isEqualTo(2000);
	}

	@Test
	void pageIsServedAtTheConfiguredPath() {
		Http http = new Http(this.port);

		assertThat(http.get("/shop/ops/queues/").status()).isEqualTo(200);
		assertThat(http.get("/shop/ops/queues/lib/chart.js/chart.umd.min.js").status()).isEqualTo(200);
		assertThat(http.get("/shop/cmwq/").status()).isEqualTo(404);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean(destroyMethod = "close")
		WorkqueueSystem workqueueSystem() {
			return WorkqueueSystem.builder().cpus(2).build();
		}

	}

}
