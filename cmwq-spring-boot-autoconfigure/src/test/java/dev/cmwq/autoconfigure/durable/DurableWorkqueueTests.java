package dev.cmwq.autoconfigure.durable;

import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.StartupFailures;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.durable.DurableEvent;
import dev.cmwq.spring.durable.JdbcDurableQueues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Durable workqueues against a real database (H2 or PostgreSQL, per subclass), through the auto-configuration: a
 * call is stored before it returns, runs on its workqueue and its row goes; in a transaction it is stored in it and
 * queued only if it commits; failures are retried and then dead-lettered; keys coalesce through the unique
 * constraint; an item whose instance's lease ran out is taken over; shutdown releases unstarted items; the table is
 * created per {@code cmwq.durable.initialize-schema} and again harmlessly; operators see it in the metrics and the
 * endpoint. Each test has a database of its own.
 */
abstract class DurableWorkqueueTests {

	static final Duration PATIENCE = Duration.ofSeconds(30);

	/**
	 * A new empty database.
	 * @return its JDBC URL
	 */
	abstract String newDatabase();

	/** Extra properties for the database (user). */
	abstract String[] databaseProperties();

	/** Whether Spring Boot counts the database as embedded (in memory), for initialize-schema=embedded. */
	abstract boolean embedded();

	ApplicationContextRunner runner(String url) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class, DataSourceAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
					JacksonAutoConfiguration.class, CmwqDurableAutoConfiguration.class,
					CmwqDurableUnavailableAutoConfiguration.class))
			.withPropertyValues("cmwq.cpus=2", "spring.datasource.url=" + url,
					"cmwq.durable.initialize-schema=always", "cmwq.durable.lease=2s",
					"cmwq.durable.poll-interval=200ms", "cmwq.durable.max-attempts=3",
					"cmwq.durable.retry-delay=100ms", "cmwq.workqueues.jobs.durable=true",
					"cmwq.workqueues.held.durable=true", "cmwq.workqueues.held.flags=freezable")
			.withPropertyValues(databaseProperties())
			.withBean(Jobs.class)
			.withBean(Chain.class)
			.withBean(RecordingErrorHandler.class);
	}

	@Test
	void aCallIsStoredBeforeItReturnsRunsAndItsRowIsRemoved() {
		runner(newDatabase()).run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			CountDownLatch gate = jobs.closeGate();
			jobs.gated("parcel 1");
			List<Map<String, Object>> rows = rows(context, "jobs");
			assertThat(rows).singleElement().satisfies((row) -> {
				assertThat(row.get("bean_name")).isEqualTo("durableWorkqueueTests.Jobs");
				assertThat(row.get("method")).isEqualTo("gated(java.lang.String)");
				assertThat(row.get("arguments")).isEqualTo("[\"parcel 1\"]");
				assertThat(row.get("state")).isEqualTo("PENDING");
				assertThat(row.get("claimed_by")).isEqualTo(context.getBean(JdbcDurableQueues.class).instanceId());
			});
			gate.countDown();
			await().atMost(PATIENCE).until(() -> rows(context, "jobs").isEmpty());
			assertThat(jobs.ran()).containsExactly("parcel 1");
			assertThat(count(context, "jobs", DurableEvent.STORED)).isOne();
			assertThat(count(context, "jobs", DurableEvent.COMPLETED)).isOne();
		});
	}

	@Test
	void inATransactionTheCallIsStoredInItAndQueuedOnlyOnceItCommits() {
		runner(newDatabase()).run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			JdbcDurableQueues queues = context.getBean(JdbcDurableQueues.class);
			TransactionTemplate transaction = context.getBean(TransactionTemplate.class);
			transaction.executeWithoutResult((status) -> {
				jobs.record("committed");
				assertThat(rowCountSeenElsewhere(context)).as("uncommitted row, from another connection").isZero();
				assertThat(queues.statistics(false).get(0).held()).as("held before commit").isZero();
			});
			await().atMost(PATIENCE).until(() -> jobs.ran().contains("committed") && rows(context, "jobs").isEmpty());

			transaction.executeWithoutResult((status) -> {
				jobs.record("rolled back");
				status.setRollbackOnly();
			});
			assertThat(rows(context, "jobs")).isEmpty();
			assertThat(queues.statistics(false).get(0).held()).isZero();
			assertThat(count(context, "jobs", DurableEvent.STORED)).as("stored once committed").isOne();
		});
	}

	@Test
	void aDurableCallMadeByARunningDurableItemIsStoredInItsTurn() {
		runner(newDatabase()).run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			context.getBean(Chain.class).first("chained");
			await().atMost(PATIENCE)
				.until(() -> jobs.ran().contains("chained, then") && rows(context, "jobs").isEmpty());
			assertThat(count(context, "jobs", DurableEvent.STORED)).isEqualTo(2);
			assertThat(count(context, "jobs", DurableEvent.COMPLETED)).isEqualTo(2);
		});
	}

	@Test
	void aDelayedCallIsStoredWithTheTimeItMayRunAndRunsNoEarlier() {
		runner(newDatabase()).run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			jobs.later("after a while");
			Map<String, Object> row = rows(context, "jobs").get(0);
			Instant notBefore = instant(row.get("not_before"));
			assertThat(Duration.between(instant(row.get("created_at")), notBefore)).isEqualTo(Duration.ofMillis(300));
			await().atMost(PATIENCE).until(() -> jobs.ran().contains("after a while"));
			assertThat(jobs.ranAt().get("after a while")).isAfterOrEqualTo(notBefore);
		});
	}

	@Test
	void aFailingItemIsTriedAgainAndAfterMaxAttemptsIsADeadLetter() {
		runner(newDatabase()).run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			jobs.failing("poison");
			await().atMost(PATIENCE).until(() -> rows(context, "jobs").stream()
				.anyMatch((row) -> "DEAD".equals(row.get("state"))));
			// the row is a dead letter first; the event is counted and the handler told just after, on the thread
			// that ran it
			RecordingErrorHandler errors = context.getBean(RecordingErrorHandler.class);
			await().atMost(PATIENCE).until(() -> !errors.failures.isEmpty());
			Map<String, Object> row = rows(context, "jobs").get(0);
			assertThat(row.get("attempts")).isEqualTo(3);
			assertThat(row.get("claimed_by")).isNull();
			assertThat((String) row.get("last_error")).contains("IllegalStateException: no poison");
			assertThat(jobs.failures()).isEqualTo(3);
			assertThat(count(context, "jobs", DurableEvent.RETRIED)).isEqualTo(2);
			assertThat(count(context, "jobs", DurableEvent.DEAD)).isOne();
			assertThat(errors.failures).singleElement()
				.satisfies((failure) -> assertThat(failure).hasMessage("no poison"));
		});
	}

	@Test
	void anItemThatFailsOnceRunsAgainAndIsRemoved() {
		runner(newDatabase()).run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			jobs.flaky("second time lucky");
			await().atMost(PATIENCE).until(() -> jobs.ran().contains("second time lucky"));
			await().atMost(PATIENCE).until(() -> rows(context, "jobs").isEmpty());
			assertThat(count(context, "jobs", DurableEvent.RETRIED)).isOne();
			assertThat(count(context, "jobs", DurableEvent.COMPLETED)).isOne();
			assertThat(context.getBean(RecordingErrorHandler.class).failures).isEmpty();
		});
	}

	@Test
	void aKeyKeepsOnePendingRowAndCallsWithItAreCoalescedUntilItStarts() {
		runner(newDatabase()).run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			system.freeze(); // the "held" workqueue is freezable: its items stay pending
			jobs.reindex(7);
			jobs.reindex(7);
			jobs.reindex(8);
			jobs.reindex(7);
			assertThat(rows(context, "held")).extracting((row) -> row.get("item_key")).containsExactly("7", "8");
			assertThat(count(context, "held", DurableEvent.COALESCED)).isEqualTo(2);
			system.thaw();
			await().atMost(PATIENCE).until(() -> rows(context, "held").isEmpty());
			assertThat(jobs.reindexed()).containsExactlyInAnyOrder(7L, 8L);
			jobs.reindex(7); // no longer pending: stored again
			await().atMost(PATIENCE).until(() -> jobs.reindexed().size() == 3);
			assertThat(jobs.reindexed()).containsExactlyInAnyOrder(7L, 8L, 7L);
		});
	}

	@Test
	void anItemWhoseInstanceStoppedRenewingIsTakenOverOnceItsLeaseRunsOut() {
		runner(newDatabase()).run((context) -> {
			Instant leaseUntil = Instant.now().plusMillis(1500);
			insertForeignRow(context, "ghost", leaseUntil, 1, "[\"abandoned\"]");
			insertForeignRow(context, null, null, 0, "[\"left for anyone\"]");
			Jobs jobs = context.getBean(Jobs.class);
			await().atMost(PATIENCE).until(() -> jobs.ran().size() == 2 && rows(context, "jobs").isEmpty());
			assertThat(jobs.ran()).containsExactlyInAnyOrder("abandoned", "left for anyone");
			assertThat(jobs.ranAt().get("abandoned")).as("not before the ghost's lease ran out").isAfter(leaseUntil);
			assertThat(count(context, "jobs", DurableEvent.CLAIMED)).isEqualTo(2);
		});
	}

	@Test
	void aClaimedItemThatCannotBeQueuedIsReleasedAndRunsLater() {
		AtomicInteger failures = new AtomicInteger(1);
		runner(newDatabase()).withBean(TaskDecorator.class, () -> (task) -> {
			if (failures.getAndDecrement() > 0) {
				throw new IllegalStateException("decorator failure (injected)");
			}
			return task;
		}).run((context) -> {
			insertForeignRow(context, null, null, 0, "[\"after a failed start\"]");
			Jobs jobs = context.getBean(Jobs.class);
			// before: the row stayed claimed by this instance, renewed for ever, and never ran
			await().atMost(PATIENCE).until(() -> jobs.ran().size() == 1 && rows(context, "jobs").isEmpty());
			assertThat(jobs.ran()).containsExactly("after a failed start");
			assertThat(failures.get()).isNegative();
		});
	}

	@Test
	void anItemStartedAsOftenAsItMayWithoutFinishingIsADeadLetterWithoutRunning() {
		runner(newDatabase()).run((context) -> {
			insertForeignRow(context, "ghost", Instant.now().minusSeconds(1), 3, "[\"crashes its instance\"]");
			await().atMost(PATIENCE).until(() -> rows(context, "jobs").stream()
				.anyMatch((row) -> "DEAD".equals(row.get("state"))));
			assertThat((String) rows(context, "jobs").get(0).get("last_error")).contains("started 3 times");
			assertThat(context.getBean(Jobs.class).ran()).isEmpty();
		});
	}

	@Test
	void shutdownReleasesTheItemsItDidNotStartAndTheNextStartRunsThem() {
		String url = newDatabase();
		runner(url).run((context) -> {
			context.getBean(WorkqueueSystem.class).freeze();
			Jobs jobs = context.getBean(Jobs.class);
			for (long id = 1; id <= 3; id++) {
				jobs.reindex(id);
			}
			assertThat(rows(context, "held")).hasSize(3)
				.allSatisfy((row) -> assertThat(row.get("claimed_by")).isNotNull());
			context.getBean(JdbcDurableQueues.class).stop();
			assertThat(rows(context, "held")).hasSize(3).allSatisfy((row) -> {
				assertThat(row.get("claimed_by")).isNull();
				assertThat(row.get("state")).isEqualTo("PENDING");
			});
			assertThat(count(context, "held", DurableEvent.RELEASED)).isEqualTo(3);
		});
		runner(url).run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			await().atMost(PATIENCE).until(() -> jobs.reindexed().size() == 3 && rows(context, "held").isEmpty());
			assertThat(jobs.reindexed()).containsExactlyInAnyOrder(1L, 2L, 3L);
		});
	}

	@Test
	void theSchemaIsCreatedOnceAndAppliedAgainHarmlesslyAtTheNextStart() {
		String url = newDatabase();
		runner(url).run((context) -> {
			assertThat(context).hasNotFailed();
			context.getBean(Jobs.class).record("first start");
			await().atMost(PATIENCE).until(() -> context.getBean(Jobs.class).ran().contains("first start"));
		});
		runner(url).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(new JdbcTemplate(context.getBean(DataSource.class))
				.queryForList("SELECT version FROM cmwq_durable_schema", Integer.class)).containsExactly(1);
		});
	}

	@Test
	void withInitializeSchemaNeverAMissingTableFailsStartUpSayingHowToCreateIt() {
		runner(newDatabase()).withPropertyValues("cmwq.durable.initialize-schema=never").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(StartupFailures.messages(context.getStartupFailure()))
				.anySatisfy((message) -> assertThat(message).contains("cmwq_durable_item")
					.contains("cmwq.durable.initialize-schema=always")
					.contains("META-INF/cmwq/schema-"));
		});
	}

	@Test
	void withInitializeSchemaEmbeddedTheTableIsCreatedOnlyInAnEmbeddedDatabase() {
		runner(newDatabase()).withPropertyValues("cmwq.durable.initialize-schema=embedded").run((context) -> {
			if (embedded()) {
				assertThat(context).hasNotFailed();
				assertThat(rows(context, "jobs")).isEmpty();
			}
			else {
				assertThat(context).hasFailed();
				assertThat(StartupFailures.messages(context.getStartupFailure()))
					.anySatisfy((message) -> assertThat(message).contains("cmwq_durable_item")
						.contains("cmwq.durable.initialize-schema=always"));
			}
		});
	}

	@Test
	void operatorsSeeTheBacklogClaimsRetriesAndDeadLettersInMetricsAndTheEndpoint() {
		runner(newDatabase())
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					CmwqDurableMetricsAutoConfiguration.class, CmwqDurableEndpointAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("management.endpoints.web.exposure.include=durableworkqueues")
			.run((context) -> {
				Jobs jobs = context.getBean(Jobs.class);
				context.getBean(WorkqueueSystem.class).freeze();
				jobs.reindex(1);
				jobs.reindex(2);
				jobs.failing("for the dead letters");
				await().atMost(PATIENCE).until(() -> rows(context, "jobs").stream()
					.anyMatch((row) -> "DEAD".equals(row.get("state"))));
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().atMost(PATIENCE)
					.untilAsserted(() -> assertThat(
							registry.get("cmwq.durable.backlog").tag("workqueue", "held").gauge().value())
						.isEqualTo(2));
				assertThat(registry.get("cmwq.durable.claimed").tag("workqueue", "held").gauge().value()).isEqualTo(2);
				await().atMost(PATIENCE)
					.untilAsserted(() -> assertThat(
							registry.get("cmwq.durable.dead").tag("workqueue", "jobs").gauge().value())
						.isEqualTo(1));
				assertThat(registry.get("cmwq.durable.items").tags("workqueue", "jobs", "event", "retried")
					.functionCounter()
					.count()).isEqualTo(2);

				DurableWorkqueuesEndpoint.DurableWorkqueuesDescriptor view = context
					.getBean(DurableWorkqueuesEndpoint.class)
					.durableWorkqueues();
				String instance = context.getBean(JdbcDurableQueues.class).instanceId();
				assertThat(view.instance()).isEqualTo(instance);
				assertThat(view.workqueues()).anySatisfy((queue) -> {
					assertThat(queue.workqueue()).isEqualTo("held");
					assertThat(queue.backlog()).isEqualTo(2);
					assertThat(queue.claims()).containsEntry(instance, 2L);
					assertThat(queue.unstarted()).isEqualTo(2);
				});
				assertThat(view.workqueues()).anySatisfy((queue) -> {
					assertThat(queue.workqueue()).isEqualTo("jobs");
					assertThat(queue.dead()).isEqualTo(1);
					assertThat(queue.events()).containsEntry("retried", 2L).containsEntry("dead", 1L);
				});
				context.getBean(WorkqueueSystem.class).thaw();
			});
	}

	static List<Map<String, Object>> rows(AssertableApplicationContext context, String workqueue) {
		return new JdbcTemplate(context.getBean(DataSource.class))
			.queryForList("SELECT * FROM cmwq_durable_item WHERE queue_name = ? ORDER BY id", workqueue)
			.stream()
			.map(DurableWorkqueueTests::lowerCaseKeys)
			.toList();
	}

	private static Map<String, Object> lowerCaseKeys(Map<String, Object> row) {
		Map<String, Object> lower = new java.util.LinkedHashMap<>();
		row.forEach((key, value) -> lower.put(key.toLowerCase(java.util.Locale.ROOT), value));
		return lower;
	}

	/** Rows as another connection sees them, from another thread (outside the test thread's transaction). */
	private static int rowCountSeenElsewhere(AssertableApplicationContext context) {
		int[] count = { -1 };
		Thread reader = new Thread(() -> count[0] = new JdbcTemplate(context.getBean(DataSource.class))
			.queryForObject("SELECT COUNT(*) FROM cmwq_durable_item", Integer.class));
		reader.start();
		try {
			reader.join(TimeUnit.SECONDS.toMillis(30));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return count[0];
	}

	private static long count(AssertableApplicationContext context, String workqueue, DurableEvent event) {
		return context.getBean(JdbcDurableQueues.class).count(workqueue, event);
	}

	/** A row of the record method as another instance stored it, claimed by {@code claimedBy} or by none. */
	private static void insertForeignRow(AssertableApplicationContext context, String claimedBy, Instant leaseUntil,
			int attempts, String arguments) {
		new JdbcTemplate(context.getBean(DataSource.class)).update(
				"INSERT INTO cmwq_durable_item (queue_name, bean_name, method, arguments, state, attempts, not_before, "
						+ "claimed_by, lease_until, created_at) VALUES ('jobs', 'durableWorkqueueTests.Jobs', "
						+ "'record(java.lang.String)', ?, 'PENDING', ?, ?, ?, ?, ?)",
				arguments, attempts, utc(Instant.now()), claimedBy, (leaseUntil != null) ? utc(leaseUntil) : null,
				utc(Instant.now()));
	}

	/** A timestamp column's value: H2 gives an OffsetDateTime, PostgreSQL a Timestamp. */
	private static Instant instant(Object value) {
		return (value instanceof OffsetDateTime time) ? time.toInstant() : ((java.sql.Timestamp) value).toInstant();
	}

	private static OffsetDateTime utc(Instant instant) {
		return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
	}

	static class Jobs {

		final List<String> ran = new CopyOnWriteArrayList<>();

		final Map<String, Instant> ranAt = new java.util.concurrent.ConcurrentHashMap<>();

		final List<Long> reindexed = new CopyOnWriteArrayList<>();

		final AtomicInteger failures = new AtomicInteger();

		volatile CountDownLatch gate = new CountDownLatch(0);

		// what tests read, through methods: the bean they get is a proxy, whose own fields are not these

		public List<String> ran() {
			return this.ran;
		}

		public Map<String, Instant> ranAt() {
			return this.ranAt;
		}

		public List<Long> reindexed() {
			return this.reindexed;
		}

		public int failures() {
			return this.failures.get();
		}

		public CountDownLatch closeGate() {
			this.gate = new CountDownLatch(1);
			return this.gate;
		}

		@QueueWork("jobs")
		public void record(String what) {
			this.ranAt.put(what, Instant.now());
			this.ran.add(what);
		}

		@QueueWork(value = "jobs", delay = "300ms")
		public void later(String what) {
			record(what);
		}

		@QueueWork("jobs")
		public void gated(String what) throws InterruptedException {
			this.gate.await();
			this.ran.add(what);
		}

		@QueueWork("jobs")
		public void failing(String what) {
			this.failures.incrementAndGet();
			throw new IllegalStateException("no " + what);
		}

		@QueueWork("jobs")
		public void flaky(String what) {
			if (this.failures.getAndIncrement() == 0) {
				throw new IllegalStateException("not yet");
			}
			this.ran.add(what);
		}

		@QueueWork(value = "held", key = "#id")
		public void reindex(long id) {
			this.reindexed.add(id);
		}

	}

	/** A durable item that makes a durable call: stored, not run inline. */
	static class Chain {

		private final Jobs jobs;

		Chain(Jobs jobs) {
			this.jobs = jobs;
		}

		@QueueWork("jobs")
		public void first(String what) {
			this.jobs.record(what + ", then");
		}

	}

	static class RecordingErrorHandler implements WorkErrorHandler {

		final List<Throwable> failures = new CopyOnWriteArrayList<>();

		@Override
		public void handleError(String workqueue, Method method, Object[] arguments, Throwable failure) {
			this.failures.add(failure);
		}

	}

}
