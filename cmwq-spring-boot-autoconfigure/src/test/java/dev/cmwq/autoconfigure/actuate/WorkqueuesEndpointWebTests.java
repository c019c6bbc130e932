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

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=workqueues",
				"management.endpoint.workqueues.access=unrestricted" })
class WorkqueuesEndpointWebTests {

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	@Test
	void probe() {
		Http http = new Http(this.port);
		Http.Response r = http.get("/actuator/workqueues");
		System.out.println("XXX " + r);
		System.out.println("XXX " + http.get("/actuator/workqueues/events"));
		System.out.println("XXX " + http.get("/actuator/workqueues/nope"));
		System.out.println("XXX " + http.post("/actuator/workqueues/freeze"));
		System.out.println("XXX " + http.post("/actuator/workqueues/bogus"));
		System.out.println("XXX " + http.post("/actuator/workqueues/cpus/1/offline"));
		System.out.println("XXX " + http.post("/actuator/workqueues/cpus/x/offline"));
		System.out.println("XXX " + http.post("/actuator/workqueues/cpus/0/offline"));
		System.out.println("XXX " + http.post("/actuator/workqueues/cpus/0/explode"));
		System.out.println("XXX " + http.post("/actuator/workqueues/cpus/7/offline"));
		System.out.println("XXX " + http.post("/actuator/workqueues/cpus/0"));
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
