package dev.cmwq.autoconfigure.async;

import java.util.concurrent.Callable;

import dev.cmwq.autoconfigure.support.Http;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code cmwq.async.default-workqueue}, Spring MVC's async request processing (a controller returning a
 * {@link Callable}) runs on the workqueue.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "cmwq.cpus=1", "cmwq.async.default-workqueue=events_unbound" })
class DefaultWorkqueueMvcTests {

	@LocalServerPort
	int port;

	@Test
	void aCallableReturnedByAControllerRunsOnTheWorkqueue() {
		Http.Response response = new Http(this.port).get("/thread");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.body()).startsWith("cmwq-unbound");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@RestController
	static class App {

		@GetMapping("/thread")
		Callable<String> thread() {
			return () -> Thread.currentThread().getName();
		}

	}

}
