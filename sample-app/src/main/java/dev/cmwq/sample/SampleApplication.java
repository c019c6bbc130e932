package dev.cmwq.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * A small web shop back end that runs its asynchronous work on cmwq workqueues (see {@code application.yml}):
 *
 * <ul>
 * <li>{@code thumbnails}: CPU-intensive image rendering ({@link dev.cmwq.sample.images.Thumbnails}),</li>
 * <li>{@code supplier}: a bound queue whose items block on HTTP calls to a slow supplier
 * ({@link dev.cmwq.sample.supplier.SupplierClient}),</li>
 * <li>{@code audit}: an ordered queue, so the audit trail keeps the order of events
 * ({@link dev.cmwq.sample.audit.AuditTrail}),</li>
 * <li>{@code mailer}: a freezable queue, held during maintenance ({@link dev.cmwq.sample.mail.Mailer}),</li>
 * <li>{@code search-index}: reindexing coalesced per product while pending
 * ({@link dev.cmwq.sample.search.SearchIndexer}).</li>
 * </ul>
 *
 * A load switch ({@code POST /api/load/on}) keeps the pools busy; the dashboard is at {@code /cmwq/}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
