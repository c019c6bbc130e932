package dev.cmwq.sample;

import java.time.Duration;
import java.util.List;

import dev.cmwq.sample.mail.Mailer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shop API answers at once and its follow-up work happens on the workqueues.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class SampleApiTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	@LocalServerPort
	int port;

	@Autowired
	Mailer mailer;

	private Http http;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
	}

	@Test
	void anOrderIsAuditedInOrderCheckedWithTheSupplierAndConfirmedByMail() {
		long mailsBefore = this.mailer.sent();

		Http.Response placed = this.http.postJson("/api/orders",
				"{\"customer\": \"ada\", \"lines\": [{\"productId\": 7, \"quantity\": 2}, {\"productId\": 8, \"quantity\": 1}]}");

		assertThat(placed.status()).isEqualTo(202);
		int order = placed.read("$.order");
		await().atMost(PATIENCE).untilAsserted(() -> {
			List<String> events = this.http.get("/api/audit?limit=500").read("$[*].event");
			// newest first
			assertThat(events).containsSubsequence("order " + order + ": stock confirmed",
					"order " + order + " placed by ada (2 lines)");
		});
		await().atMost(PATIENCE).until(() -> this.mailer.sent() > mailsBefore);
		int supplierCalls = this.http.get("/actuator/workqueues/supplier").read("$.stats.completed");
		assertThat(supplierCalls).isGreaterThanOrEqualTo(2);
	}

	@Test
	void anOrderWithANonPositiveProductIdOrQuantityIsRefusedNamingTheFieldAndQueuesNothing() {
		Http.Response negativeProduct = this.http.postJson("/api/orders",
				"{\"customer\": \"mallory\", \"lines\": [{\"productId\": -7, \"quantity\": 2}]}");
		assertThat(negativeProduct.status()).isEqualTo(400);
		assertThat(negativeProduct.<String>read("$.field")).isEqualTo("lines[0].productId");
		assertThat(negativeProduct.<String>read("$.error")).isEqualTo("lines[0].productId must be positive, got -7");

		Http.Response zeroQuantity = this.http.postJson("/api/orders", "{\"customer\": \"mallory\", \"lines\": "
				+ "[{\"productId\": 7, \"quantity\": 1}, {\"productId\": 8, \"quantity\": 0}]}");
		assertThat(zeroQuantity.status()).isEqualTo(400);
		assertThat(zeroQuantity.<String>read("$.field")).isEqualTo("lines[1].quantity");
		assertThat(zeroQuantity.<String>read("$.error")).isEqualTo("lines[1].quantity must be positive, got 0");

		Http.Response missingProduct = this.http.postJson("/api/orders",
				"{\"customer\": \"mallory\", \"lines\": [{\"quantity\": 3}]}");
		assertThat(missingProduct.status()).isEqualTo(400);
		assertThat(missingProduct.<String>read("$.field")).isEqualTo("lines[0].productId");
		assertThat(missingProduct.<String>read("$.error")).isEqualTo("lines[0].productId is required");

		Http.Response negativeQuantity = this.http.postJson("/api/orders",
				"{\"customer\": \"mallory\", \"lines\": [{\"productId\": 7, \"quantity\": -2}]}");
		assertThat(negativeQuantity.status()).isEqualTo(400);
		assertThat(negativeQuantity.<String>read("$.field")).isEqualTo("lines[0].quantity");

		// the audit queue is ordered: once a valid order placed afterwards is audited, a refused one would be too
		assertThat(this.http.postJson("/api/orders",
				"{\"customer\": \"trent\", \"lines\": [{\"productId\": 9, \"quantity\": 1}]}").status())
			.isEqualTo(202);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(
				this.http.get("/api/audit?limit=500").<List<String>>read("$[*].event"))
			.anyMatch((event) -> event.contains("placed by trent")));
		assertThat(this.http.get("/api/audit?limit=500").<List<String>>read("$[*].event"))
			.noneMatch((event) -> event.contains("mallory"));
	}

	@Test
	void aThumbnailIsRenderedOnTheThumbnailsQueue() {
		assertThat(this.http.get("/api/images/4242/thumbnail.png").status()).isEqualTo(404);

		assertThat(this.http.post("/api/images/4242/thumbnail").status()).isEqualTo(202);

		await().atMost(PATIENCE).until(() -> this.http.get("/api/images/4242/thumbnail.png").status() == 200);
		assertThat(this.http.get("/api/images/4242/thumbnail.png").body()).startsWith("\uFFFDPNG");
		int rendered = this.http.get("/actuator/workqueues/thumbnails").read("$.stats.completed");
		assertThat(rendered).isPositive();
	}

	@Test
	void theSlowSupplierAnswersAfterItsLatency() {
		long start = System.nanoTime();
		Http.Response stock = this.http.get("/api/suppliers/acme/stock/SKU-1");

		assertThat(stock.status()).isEqualTo(200);
		assertThat(stock.<String>read("$.sku")).isEqualTo("SKU-1");
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(240));
	}

	@Test
	void reindexRequestsAreAccepted() {
		assertThat(this.http.post("/api/products/5/reindex").status()).isEqualTo(202);

		await().atMost(PATIENCE).until(() -> this.http.get("/api/products/5/index").<Integer>read("$.reindexed") >= 1);
	}

}
