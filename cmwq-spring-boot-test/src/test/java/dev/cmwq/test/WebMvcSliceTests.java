package dev.cmwq.test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * {@link AutoConfigureWorkqueues} in a test slice, which leaves out the application's auto-configurations: the
 * workqueue system is there, {@code @QueueWork} methods run on workqueues (not on the test's thread), and the
 * inline workqueue runs its items on the request's thread before the response.
 */
@WebMvcTest(properties = { "cmwq.cpus=2", "cmwq.workqueues.audit.ordered=true" })
@AutoConfigureWorkqueues(inline = "audit")
class WebMvcSliceTests {

	@Autowired
	MockMvc mvc;

	@Autowired
	Orders orders;

	@Autowired
	WorkqueueSystem system;

	@Test
	void queueWorkRunsOnAWorkqueueAndTheInlineOneBeforeTheResponse() throws Exception {
		this.mvc.perform(post("/orders")).andExpect(status().isOk());
		assertThat(this.orders.audited()).containsExactly(Thread.currentThread().getName());
		assertThat(this.orders.mailed().join()).startsWith("cmwq-");
		assertThat(this.system.workqueue("audit").orElseThrow().snapshot().stats().completed()).isEqualTo(1);
	}

	@SpringBootConfiguration
	@Import({ OrderController.class, Orders.class })
	static class App {

	}

	@RestController
	static class OrderController {

		private final Orders orders;

		OrderController(Orders orders) {
			this.orders = orders;
		}

		@PostMapping("/orders")
		void place() {
			this.orders.audit();
			this.orders.mailed(this.orders.mail());
		}

	}

	static class Orders {

		private final List<String> audited = new CopyOnWriteArrayList<>();

		private volatile CompletableFuture<String> mailed;

		@QueueWork("audit")
		public void audit() {
			this.audited.add(Thread.currentThread().getName());
		}

		@QueueWork("events")
		public CompletableFuture<String> mail() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		public List<String> audited() {
			return this.audited;
		}

		public CompletableFuture<String> mailed() {
			return this.mailed;
		}

		public void mailed(CompletableFuture<String> mailed) {
			this.mailed = mailed;
		}

	}

}
