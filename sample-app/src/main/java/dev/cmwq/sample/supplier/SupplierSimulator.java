package dev.cmwq.sample.supplier;

import java.util.concurrent.ThreadLocalRandom;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A slow supplier's stock service, so the sample needs nothing outside itself: {@code GET
 * /api/suppliers/acme/stock/{sku}} answers after {@code sample.supplier.latency} (± 20 %).
 */
@RestController
@RequestMapping("/api/suppliers/acme")
class SupplierSimulator {

	private final SupplierProperties properties;

	SupplierSimulator(SupplierProperties properties) {
		this.properties = properties;
	}

	@GetMapping("/stock/{sku}")
	StockLevel stock(@PathVariable String sku) throws InterruptedException {
		long latency = this.properties.latency().toMillis();
		Thread.sleep(Math.max(0, latency + ThreadLocalRandom.current().nextLong(-latency / 5, latency / 5 + 1)));
		return new StockLevel(sku, Math.floorMod(sku.hashCode(), 50));
	}

}
