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
 * A web application with the dashboard off (the default) serves nothing of it: not the page, not its files, and no
 * Chart.js at {@code /webjars/chart.js/} either (the starter brings no WebJar; the dashboard has its own copy).
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "management.endpoints.web.exposure.include=workqueues")
class CmwqDashboardOffWebTests {

	/** The chart.js WebJar version the dashboard's copy comes from (the parent pom's {@code chartjs.version}). */
	static final String CHART_JS_VERSION = "4.5.1";

	@LocalServerPort
	int port;

	@Test
	void servesNoPageNoFilesAndNoChartLibrary() {
		Http http = new Http(this.port);

		assertThat(http.get("/actuator/workqueues").status()).as("the application runs").isEqualTo(200);
		assertThat(http.get("/cmwq/").status()).isEqualTo(404);
		assertThat(http.get("/cmwq/config.json").status()).isEqualTo(404);
		assertThat(http.get("/cmwq/dashboard.js").status()).isEqualTo(404);
		assertThat(http.get("/cmwq/lib/chart.js/chart.umd.min.js").status()).isEqualTo(404);
		assertThat(http.get("/webjars/chart.js/" + CHART_JS_VERSION + "/dist/chart.umd.min.js").status())
			.isEqualTo(404);
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
