package dev.cmwq.sample.supplier;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The (simulated) supplier's stock service.
 * @param baseUrl where it is; blank: this application's own {@code /api/suppliers/acme}, on its own port
 * @param latency how long the simulated supplier takes to answer
 */
@ConfigurationProperties("sample.supplier")
public record SupplierProperties(String baseUrl, Duration latency) {

	public SupplierProperties {
		baseUrl = (baseUrl != null) ? baseUrl : "";
		latency = (latency != null) ? latency : Duration.ofMillis(300);
	}

}
