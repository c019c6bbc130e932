package dev.cmwq.sample.supplier;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import dev.cmwq.annotation.QueueWork;

import org.springframework.core.env.Environment;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.stereotype.Service;
import org.springframework.web.client.RestClient;

/**
 * Asks the supplier for stock levels on the {@code supplier} workqueue: a bound queue whose items spend their time
 * blocked in a socket read. The {@link RestClient} comes from Spring Boot's {@code RestClient.Builder}, to which cmwq
 * adds its blocking hint: while one call waits, its pool starts the next item on another worker at once
 * (concurrency management), so a few workers keep many calls in flight without a pool to size.
 */
@Service
public class SupplierClient {

	private final RestClient client;

	private final SupplierProperties properties;

	private final Environment environment;

	public SupplierClient(RestClient.Builder builder, SupplierProperties properties, Environment environment) {
		SimpleClientHttpRequestFactory requests = new SimpleClientHttpRequestFactory();
		requests.setConnectTimeout(Duration.ofSeconds(5));
		requests.setReadTimeout(Duration.ofSeconds(30));
		this.client = builder.requestFactory(requests).build();
		this.properties = properties;
		this.environment = environment;
	}

	/**
	 * The supplier's stock of an article.
	 * @param sku the article
	 * @return its stock level, once the supplier answered
	 */
	@QueueWork("supplier")
	public CompletableFuture<StockLevel> checkStock(String sku) {
		StockLevel level = this.client.get().uri(baseUrl() + "/stock/{sku}", sku).retrieve().body(StockLevel.class);
		return CompletableFuture.completedFuture(level);
	}

	private String baseUrl() {
		if (!this.properties.baseUrl().isBlank()) {
			return this.properties.baseUrl();
		}
		return "http://localhost:" + this.environment.getRequiredProperty("local.server.port")
				+ "/api/suppliers/acme";
	}

}
