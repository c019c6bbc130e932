package dev.cmwq.sample.orders;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * An order as a client sends it: {@code {"customer": "ada", "lines": [{"productId": 7, "quantity": 2}]}}.
 * @param customer who orders
 * @param lines what
 */
public record OrderRequest(String customer, List<Line> lines) {

	public OrderRequest {
		customer = (customer == null || customer.isBlank()) ? "anonymous" : customer;
		lines = (lines != null) ? Collections.unmodifiableList(new ArrayList<>(lines)) : List.of();
	}

	/**
	 * The first field that is not valid: every line needs a positive product id and a positive quantity.
	 * @return the field and what is wrong with it, or empty if the order is valid
	 */
	Optional<Violation> firstViolation() {
		for (int i = 0; i < this.lines.size(); i++) {
			Line line = this.lines.get(i);
			String field = "lines[" + i + "]";
			if (line == null) {
				return Optional.of(new Violation(field, "must be a line with a productId and a quantity, got null"));
			}
			Optional<Violation> violation = positive(field + ".productId", line.productId())
				.or(() -> positive(field + ".quantity", line.quantity()));
			if (violation.isPresent()) {
				return violation;
			}
		}
		return Optional.empty();
	}

	private static Optional<Violation> positive(String field, Number value) {
		if (value == null) {
			return Optional.of(new Violation(field, "is required"));
		}
		return (value.longValue() > 0) ? Optional.empty()
				: Optional.of(new Violation(field, "must be positive, got " + value));
	}

	/**
	 * One line of an order ({@code null} where the client left a field out).
	 * @param productId the product, positive
	 * @param quantity how many, positive
	 */
	public record Line(Long productId, Integer quantity) {
	}

	/**
	 * A field of the order that is not valid.
	 * @param field its path, e.g. {@code lines[0].quantity}
	 * @param problem what is wrong, e.g. {@code must be positive, got -2}
	 */
	record Violation(String field, String problem) {

		String message() {
			return this.field + " " + this.problem;
		}

	}

}
