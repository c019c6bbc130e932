package dev.cmwq.sample.orders;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import dev.cmwq.sample.audit.AuditTrail;
import dev.cmwq.sample.mail.Mailer;
import dev.cmwq.sample.search.SearchIndexer;
import dev.cmwq.sample.supplier.StockLevel;
import dev.cmwq.sample.supplier.SupplierClient;

import org.springframework.stereotype.Service;

/**
 * Takes an order and leaves the slow parts to workqueues: the audit entry ({@code audit}, ordered), a stock check
 * per line with the supplier ({@code supplier}, blocking HTTP), the confirmation mail once every check answered
 * ({@code mailer}, freezable) and a reindex of each product, since its stock changed ({@code search-index},
 * coalesced per product).
 */
@Service
public class OrderService {

	private final AtomicLong ids = new AtomicLong();

	private final AuditTrail audit;

	private final SupplierClient supplier;

	private final Mailer mailer;

	private final SearchIndexer indexer;

	public OrderService(AuditTrail audit, SupplierClient supplier, Mailer mailer, SearchIndexer indexer) {
		this.audit = audit;
		this.supplier = supplier;
		this.mailer = mailer;
		this.indexer = indexer;
	}

	/**
	 * Accepts an order; its follow-up work runs on the workqueues.
	 * @param order the order
	 * @return the order's id
	 */
	public long place(OrderRequest order) {
		long id = this.ids.incrementAndGet();
		this.audit.record("order " + id + " placed by " + order.customer() + " (" + order.lines().size() + " lines)");
		List<CompletableFuture<StockLevel>> checks = order.lines()
			.stream()
			.map((line) -> this.supplier.checkStock("SKU-" + line.productId()))
			.toList();
		CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new)).whenComplete((done, failure) -> {
			if (failure != null) {
				this.audit.record("order " + id + ": stock check failed: " + failure);
				return;
			}
			this.audit.record("order " + id + ": stock confirmed");
			this.mailer.sendOrderConfirmation(id, order.customer());
		});
		order.lines().forEach((line) -> this.indexer.reindex(line.productId()));
		return id;
	}

}
