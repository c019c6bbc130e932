package dev.cmwq.test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link AutoConfigureWorkqueues} waits after each test until work queued by the test, delayed and chained items
 * included, has run, and runs the workqueues it names inline.
 */
@DirtiesContext
@SpringBootTest(properties = { "cmwq.cpus=1", "cmwq.workqueues.audit.ordered=true" })
@AutoConfigureWorkqueues(inline = "audit")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AutoConfigureWorkqueuesTests {

	static final List<String> ran = new CopyOnWriteArrayList<>();

	@Autowired
	@Qualifier("events")
	Workqueue events;

	@Autowired
	Audit audit;

	@Test
	@Order(1)
	void queuesAChainWithADelayedLinkAndReturnsAtOnce() {
		DelayedWork third = new DelayedWork(() -> ran.add("third"));
		Work second = new Work(() -> {
			ran.add("second");
			this.events.queueDelayed(third, Duration.ofMillis(300));
		});
		this.events.queue(new Work(() -> {
			ran.add("first");
			this.events.queue(second);
		}));
	}

	@Test
	@Order(2)
	void theNextTestStartsOnceTheWholeChainHasRun() {
		assertThat(ran).containsExactly("first", "second", "third");
	}

	@Test
	@Order(3)
	void anInlineWorkqueueRunsTheItemBeforeTheCallReturns() {
		this.audit.record("checkout");
		assertThat(this.audit.entries()).containsExactly("checkout@" + Thread.currentThread().getName());
	}

	@Test
	@Order(4)
	void anInlineWorkqueuesFuturesAreCompleteWhenTheCallReturns() {
		assertThat(this.audit.count("refund")).isCompletedWithValue("refund@" + Thread.currentThread().getName());
		assertThat(this.audit.failing()).isCompletedExceptionally();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	@Import(Audit.class)
	static class App {

	}

	static class Audit {

		private final List<String> entries = new CopyOnWriteArrayList<>();

		@QueueWork("audit")
		public void record(String event) {
			this.entries.add(event + "@" + Thread.currentThread().getName());
		}

		public List<String> entries() {
			return this.entries;
		}

		@QueueWork("audit")
		public CompletableFuture<String> count(String event) {
			return CompletableFuture.completedFuture(event + "@" + Thread.currentThread().getName());
		}

		@QueueWork("audit")
		public CompletableFuture<String> failing() {
			throw new IllegalStateException("fails (expected by the test)");
		}

	}

}
