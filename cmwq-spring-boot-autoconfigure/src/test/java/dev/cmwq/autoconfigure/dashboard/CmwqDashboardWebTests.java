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
 * The dashboard served over HTTP, with the endpoint's write operations granted.
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cmwq.dashboard.enabled=true", "management.endpoints.web.exposure.include=workqueues",
				"management.endpoint.workqueues.access=unrestricted" })
class CmwqDashboardWebTests {

	@LocalServerPort
	int port;

	@Test
	void pageIsServedAtItsPath() {
		Http http = new Http(this.port);

		Http.Response page = http.get("/cmwq/");
		assertThat(page.status()).isEqualTo(200);
		assertThat(page.contentType()).startsWith("text/html");
		assertThat(page.body()).contains("<script src=\"dashboard.js\"").contains("lib/chart.js/chart.umd.min.js");
		assertThat(http.get("/cmwq/index.html").status()).isEqualTo(200);
	}

	@Test
	void pathWithoutSlashRedirectsToThePage() {
		Http.Response response = new Http(this.port).get("/cmwq");

		assertThat(response.status()).isEqualTo(302);
	}

	@Test
	void scriptStylesAndChartLibraryAreServed() {
		Http http = new Http(this.port);

		assertThat(http.get("/cmwq/dashboard.js").body()).contains("config.json");
		assertThat(http.get("/cmwq/dashboard.css").status()).isEqualTo(200);
		Http.Response chart = http.get("/cmwq/lib/chart.js/chart.umd.min.js");
		assertThat(chart.status()).isEqualTo(200);
		assertThat(chart.body()).contains("Chart");
		assertThat(http.get("/cmwq/lib/chart.js/LICENSE.md").body()).contains("Chart.js Contributors");
	}

	@Test
	void chartLibraryIsServedOnlyBelowTheDashboardsPath() {
		Http http = new Http(this.port);

		assertThat(http.get("/webjars/chart.js/" + CmwqDashboardOffWebTests.CHART_JS_VERSION + "/dist/chart.umd.min.js")
			.status()).isEqualTo(404);
		assertThat(http.get("/META-INF/cmwq-dashboard/lib/chart.js/chart.umd.min.js").status()).isEqualTo(404);
		assertThat(http.get("/lib/chart.js/chart.umd.min.js").status()).isEqualTo(404);
	}

	@Test
	void configTellsWhereTheEndpointIsAndThatItCanBeWritten() {
		Http.Response config = new Http(this.port).get("/cmwq/config.json");

		assertThat(config.status()).isEqualTo(200);
		assertThat(config.<String>read("$.endpoint")).isEqualTo("/actuator/workqueues");
		assertThat(config.<Boolean>read("$.available")).isTrue();
		assertThat(config.<Boolean>read("$.write")).isTrue();
		assertThat(config.<Boolean>read("$.chartLibrary")).isTrue();
		assertThat(config.<Integer>read("$.refreshMillis")).isEqualTo(1000);
		assertThat(config.<Integer>read("$.historySeconds")).isEqualTo(300);
		assertThat(config.<Object>read("$.csrf")).as("no CSRF protection here (no Spring Security)").isNull();
		assertThat(config.<Object>read("$.durableEndpoint")).as("no durable workqueues here").isNull();
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
