package dev.cmwq.autoconfigure.dashboard;

import dev.cmwq.autoconfigure.support.Http;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard when actuator serves its endpoints on a separate management port: the page cannot read the
 * endpoint from the application's port, so config.json does not claim it can and says why, and a warning is logged
 * at start-up.
 */
@ExtendWith(OutputCaptureExtension.class)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cmwq.dashboard.enabled=true", "management.server.port=0",
				"management.endpoints.web.exposure.include=health,workqueues" })
class CmwqDashboardOnManagementPortWebTests {

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Test
	void configSaysTheEndpointIsOnTheManagementPortAndStartUpWarns(CapturedOutput output) {
		Http.Response config = new Http(this.port).get("/cmwq/config.json");

		assertThat(config.status()).isEqualTo(200);
		assertThat(config.<Boolean>read("$.available")).isFalse();
		assertThat(config.<Object>read("$.endpoint")).isNull();
		assertThat(config.<String>read("$.message")).contains("management port", "management.server.port=0");
		assertThat(output).contains("cmwq dashboard at /cmwq/ cannot show the workqueues",
				"management.server.port=0");
		// what the page would have been told before: the endpoint is not on the application's port
		assertThat(new Http(this.port).get("/actuator/workqueues").status()).isEqualTo(404);
		assertThat(new Http(this.managementPort).get("/actuator/workqueues").status()).isEqualTo(200);
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
