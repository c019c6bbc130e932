package dev.cmwq.autoconfigure.actuate;

import dev.cmwq.autoconfigure.support.Http;
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

/**
 * The {@code workqueues} endpoint exposed over HTTP without {@code management.endpoint.workqueues.access}: reads
 * work, writes do not exist.
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = "management.endpoints.web.exposure.include=workqueues")
class WorkqueuesEndpointReadOnlyWebTests {

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	@Test
	void readsAreAllowedByDefault() {
		Http http = new Http(this.port);

		assertThat(http.get("/actuator/workqueues").status()).isEqualTo(200);
		assertThat(http.get("/actuator/workqueues/events").status()).isEqualTo(200);
	}

	@Test
	void postsAreRefusedByDefaultAndChangeNothing() {
		Http http = new Http(this.port);

		assertThat(http.postJson("/actuator/workqueues/freeze").status()).isIn(404, 405);
		assertThat(http.postJson("/actuator/workqueues/thaw").status()).isIn(404, 405);
		assertThat(http.postJson("/actuator/workqueues/cpus/1/offline").status()).isIn(404, 405);

		assertThat(this.system.isFrozen()).isFalse();
		assertThat(this.system.isOnline(1)).isTrue();
		assertThat((Boolean) http.get("/actuator/workqueues").read("$.frozen")).isFalse();
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
