package dev.cmwq.sample.orders;

import java.util.List;

/**
 * An order as a client sends it: {@code {"customer": "ada", "lines": [{"productId": 7, "quantity": 2}]}}.
 * @param customer who orders
 * @param lines what
 */
public record OrderRequest(String customer, List<Line> lines) {

	public OrderRequest {
		customer = (customer == null || customer.isBlank()) ? "anonymous" : customer;
		lines = (lines != null) ? List.copyOf(lines) : List.of();
	}

	/**
	 * One line of an order.
	 * @param productId the product
	 * @param quantity how many
	 */
	public record Line(long productId, int quantity) {
	}

}
