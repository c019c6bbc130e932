package dev.cmwq.sample.orders;

import java.util.Map;
import java.util.Optional;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /api/orders}: accepts an order at once (202) and leaves its follow-up work to the workqueues. An
 * order with a non-positive product id or quantity is refused with 400 and
 * {@code {"error": "lines[0].quantity must be positive, got 0", "field": "lines[0].quantity"}}; nothing is queued.
 */
@RestController
class OrderController {

	private final OrderService orders;

	OrderController(OrderService orders) {
		this.orders = orders;
	}

	@PostMapping("/api/orders")
	ResponseEntity<Map<String, Object>> place(@RequestBody OrderRequest order) {
		Optional<OrderRequest.Violation> violation = order.firstViolation();
		if (violation.isPresent()) {
			return ResponseEntity.badRequest()
				.body(Map.of("error", violation.get().message(), "field", violation.get().field()));
		}
		long id = this.orders.place(order);
		return ResponseEntity.accepted().body(Map.of("order", id, "lines", order.lines().size()));
	}

}
