package dev.cmwq.sample;

import java.time.Duration;
import java.util.List;

import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.sample.audit.AuditEntry;
import dev.cmwq.sample.audit.AuditTrail;
import dev.cmwq.sample.mail.Mailer;
import dev.cmwq.sample.orders.OrderRequest;
import dev.cmwq.sample.orders.OrderService;
import dev.cmwq.test.AutoConfigureWorkqueues;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order workflow with cmwq's test support: the {@code audit} workqueue runs inline, so an order's first audit
 * entry is in the database when {@code place} returns; {@code awaitIdle} then waits for the rest (the supplier calls,
 * the entries and the mail they queue), and {@link AutoConfigureWorkqueues} checks after the test that nothing is
 * left running.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "sample.supplier.latency=50ms")
@AutoConfigureWorkqueues(inline = "audit")
class OrderWorkflowTests {

	@Autowired
	OrderService orders;

	@Autowired
	AuditTrail audit;

	@Autowired
	Mailer mailer;

	@Autowired
	WorkqueueSystem workqueues;

	@Test
	void anOrderIsAuditedBeforePlaceReturnsAndConfirmedOnceTheWorkqueuesAreIdle() {
		long mailsBefore = this.mailer.sent();

		long id = this.orders.place(new OrderRequest("ada", List.of(new OrderRequest.Line(7L, 2))));
		assertThat(this.audit.latest(1)).extracting(AuditEntry::event)
			.containsExactly("order " + id + " placed by ada (1 lines)");

		assertThat(this.workqueues.awaitIdle(Duration.ofSeconds(30))).isTrue();
		assertThat(this.audit.latest(2)).extracting(AuditEntry::event)
			.containsExactly("order " + id + ": stock confirmed", "order " + id + " placed by ada (1 lines)");
		assertThat(this.mailer.sent()).isEqualTo(mailsBefore + 1);
	}

}
