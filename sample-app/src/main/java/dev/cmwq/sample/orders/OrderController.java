package dev.cmwq.sample.orders;

import java.util.Map;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/orders}: accepts an order at once (202) and leaves its follow-up work to the workqueues.
 */
@RestController
class OrderController {

	private final OrderService orders;

	OrderController(OrderService orders) {
		this.orders = orders;
	}

	@PostMapping("/api/orders")
	ResponseEntity<Map<String, Object>> place(@RequestBody OrderRequest order) {
		long id = this.orders.place(order);
		return ResponseEntity.accepted().body(Map.of("order", id, "lines", order.lines().size()));
	}

}
