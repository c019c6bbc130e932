package dev.cmwq.sample;

import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample's security with HTTP Basic (the default): reading is open, changing workqueues through actuator needs
 * role OPERATOR; the dashboard's chart library is served below its own path only.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleSecurityTests {

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	private Http http;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
	}

	@AfterEach
	void restore() {
		this.system.thaw();
		for (int cpu = 0; cpu < this.system.cpus(); cpu++) {
			this.system.cpuOnline(cpu);
		}
	}

	@Test
	void anonymousPostIsRefusedWith401AndChangesNothing() {
		Http.Response response = this.http.post("/actuator/workqueues/freeze");

		assertThat(response.status()).isEqualTo(401);
		assertThat(this.system.isFrozen()).isFalse();
	}

	@Test
	void anonymousCpuOfflineIsRefusedWith401AndChangesNothing() {
		Http.Response response = this.http.post("/actuator/workqueues/cpus/1/offline");

		assertThat(response.status()).isEqualTo(401);
		assertThat(this.system.isOnline(1)).isTrue();
	}

	@Test
	void wrongPasswordIsRefusedWith401() {
		Http.Response response = this.http.as("operator", "not-the-password").post("/actuator/workqueues/freeze");

		assertThat(response.status()).isEqualTo(401);
		assertThat(this.system.isFrozen()).isFalse();
	}

	@Test
	void authenticatedNonOperatorIsRefusedWith403AndChangesNothing() {
		Http viewer = this.http.as("viewer", "viewer");

		assertThat(viewer.post("/actuator/workqueues/freeze").status()).isEqualTo(403);
		assertThat(viewer.post("/actuator/workqueues/cpus/1/offline").status()).isEqualTo(403);
		assertThat(this.system.isFrozen()).isFalse();
		assertThat(this.system.isOnline(1)).isTrue();
	}

	@Test
	void operatorFreezesThawsAndTakesCpusOfflineAndOnline() {
		Http operator = this.http.as("operator", "operator");

		Http.Response freeze = operator.postJson("/actuator/workqueues/freeze", "{}");
		assertThat(freeze.status()).isEqualTo(200);
		assertThat(freeze.<Boolean>read("$.frozen")).isTrue();
		assertThat(this.system.isFrozen()).isTrue();

		Http.Response thaw = operator.postJson("/actuator/workqueues/thaw", "{}");
		assertThat(thaw.status()).isEqualTo(200);
		assertThat(this.system.isFrozen()).isFalse();

		Http.Response offline = operator.postJson("/actuator/workqueues/cpus/1/offline", "{}");
		assertThat(offline.status()).isEqualTo(200);
		assertThat(offline.<Boolean>read("$.online")).isFalse();
		assertThat(this.system.isOnline(1)).isFalse();

		Http.Response lastCpu = operator.postJson("/actuator/workqueues/cpus/0/offline", "{}");
		assertThat(lastCpu.status()).isEqualTo(409);
		assertThat(lastCpu.<String>read("$.error")).contains("last online CPU");

		assertThat(operator.postJson("/actuator/workqueues/cpus/1/online", "{}").status()).isEqualTo(200);
		assertThat(this.system.isOnline(1)).isTrue();
	}

	@Test
	void readsAreOpenToEveryone() {
		assertThat(this.http.get("/actuator/workqueues").status()).isEqualTo(200);
		assertThat(this.http.get("/actuator/workqueues/thumbnails").status()).isEqualTo(200);
		assertThat(this.http.get("/actuator/health").status()).isEqualTo(200);
		assertThat(this.http.get("/actuator/prometheus").body()).contains("cmwq_pool_workers");
		assertThat(this.http.get("/cmwq/").status()).isEqualTo(200);
		assertThat(this.http.get("/cmwq/config.json").<Boolean>read("$.write")).isTrue();
	}

	@Test
	void chartLibraryComesFromTheDashboardsPathNotFromAWebJar() {
		Http.Response chart = this.http.get("/cmwq/lib/chart.js/chart.umd.min.js");
		assertThat(chart.status()).isEqualTo(200);
		assertThat(chart.body()).contains("Chart");
		assertThat(this.http.get("/webjars/chart.js/4.5.1/dist/chart.umd.min.js").status()).isEqualTo(404);
		assertThat(getClass().getClassLoader().getResource("META-INF/resources/webjars/chart.js"))
			.as("a chart.js WebJar on the sample's class path").isNull();
	}

	@Test
	void withHttpBasicTheDashboardGetsNoCsrfTokenToSend() {
		assertThat(this.http.get("/cmwq/config.json").<Object>read("$.csrf")).isNull();
	}

	@Test
	void dashboardFetchesGet401WithoutABrowserLoginPrompt() {
		// the dashboard sends X-Requested-With, so the browser shows no login box and the page asks instead
		Http.Response response = this.http.withHeader("X-Requested-With", "XMLHttpRequest")
			.post("/actuator/workqueues/freeze");

		assertThat(response.status()).isEqualTo(401);
		assertThat(response.header("WWW-Authenticate")).isEmpty();
		assertThat(this.http.post("/actuator/workqueues/freeze").header("WWW-Authenticate")).hasValueSatisfying(
				(value) -> assertThat(value).startsWith("Basic"));
	}

}
