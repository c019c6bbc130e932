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
 * The dashboard when the {@code workqueues} endpoint is not exposed over HTTP: the page is told, so it can say what
 * to add.
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cmwq.dashboard.enabled=true", "management.endpoints.web.exposure.include=health" })
class CmwqDashboardWithoutEndpointWebTests {

	@LocalServerPort
	int port;

	@Test
	void configSaysTheEndpointIsUnavailable() {
		Http.Response config = new Http(this.port).get("/cmwq/config.json");

		assertThat(config.status()).isEqualTo(200);
		assertThat(config.<Boolean>read("$.available")).isFalse();
		assertThat(config.<Boolean>read("$.write")).isFalse();
		assertThat(config.<Object>read("$.endpoint")).isNull();
		assertThat(config.<String>read("$.message")).contains("management.endpoints.web.exposure.include");
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
