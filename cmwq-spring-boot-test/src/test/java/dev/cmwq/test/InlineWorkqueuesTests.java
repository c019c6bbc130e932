package dev.cmwq.test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.observation.CmwqObservationAutoConfiguration;
import dev.cmwq.core.Work;
import dev.cmwq.core.WorkFailureHandler;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueStats;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A workqueue run inline by {@code cmwq.test.inline} is the real bean with the items run on the caller's thread:
 * the same task decorators and observations, the same counting and failure handling, the same pending bit.
 */
class InlineWorkqueuesTests {

	private final Events events = new Events();

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class, CmwqObservationAutoConfiguration.class,
				InlineWorkqueuesTestAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=2", "cmwq.workqueues.audit.max-active=1", "cmwq.test.inline=audit")
		.withBean(Events.class, () -> this.events)
		.withUserConfiguration(App.class);

	@Test
	void executeAppliesTheBeansDecoratorsAndObservationOnTheCallersThread() {
		this.runner.run((context) -> {
			context.getBean("audit", Workqueue.class).execute(() -> this.events.add("task"));
			String caller = Thread.currentThread().getName();
			assertThat(this.events.list).containsExactly("decorator in on " + caller,
					"observation cmwq.work started on " + caller, "task on " + caller,
					"observation cmwq.work stopped on " + caller, "decorator out on " + caller);
		});
	}

	@Test
	void queueWorkCallsReturnOnceTheMethodHasRunAndAreCountedAsTheWorkqueueCountsThem() {
		this.runner.run((context) -> {
			Audit audit = context.getBean(Audit.class);
			audit.record("checkout");
			CompletableFuture<String> rendered = audit.render();
			assertThat(this.events.list).contains("record checkout on " + Thread.currentThread().getName());
			assertThat(rendered).isCompletedWithValue(Thread.currentThread().getName());
			assertThat(stats(context.getBean("audit", Workqueue.class))).containsExactly(2L, 2L, 0L);
		});
	}

	@Test
	void failuresAreCountedAndHandledAsTheWorkqueueDoesAndNeverThrownAtTheCaller() {
		this.runner.run((context) -> {
			Workqueue audit = context.getBean("audit", Workqueue.class);
			context.getBean(Audit.class).fail();
			audit.queue(new Work(() -> {
				throw new IllegalStateException("plain item failed");
			}));
			assertThat(this.events.list).contains("WorkErrorHandler: @QueueWork failed",
					"WorkFailureHandler audit: plain item failed");
			assertThat(this.events.list).doesNotContain("WorkFailureHandler audit: @QueueWork failed");
			assertThat(stats(audit)).containsExactly(2L, 0L, 2L);
		});
	}

	@Test
	void queueingAnItemWhileItRunsAddsExactlyOneMoreRunAfterIt() {
		this.runner.run((context) -> {
			Workqueue audit = context.getBean("audit", Workqueue.class);
			List<Boolean> queued = new CopyOnWriteArrayList<>();
			Work[] self = new Work[1];
			self[0] = new Work(() -> {
				this.events.add("run");
				if (queued.isEmpty()) {
					queued.add(audit.queue(self[0]));
					queued.add(audit.queue(self[0]));
					this.events.add("first run ends");
				}
			});
			assertThat(audit.queue(self[0])).isTrue();
			String caller = Thread.currentThread().getName();
			assertThat(queued).containsExactly(true, false);
			assertThat(this.events.list).containsExactly("run on " + caller, "first run ends on " + caller,
					"run on " + caller);
		});
	}

	@Test
	void otherWorkqueuesStayAsynchronous() {
		this.runner.run((context) -> {
			CompletableFuture<String> thread = context.getBean(Audit.class).elsewhere();
			assertThat(thread.join()).startsWith("cmwq-");
		});
	}

	@Test
	void aNameThatIsNotAWorkqueueFailsTheContext() {
		this.runner.withPropertyValues("cmwq.test.inline=audit,adit").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("names [adit], which do not exist")
				.hasMessageContaining("audit");
		});
	}

	@Test
	void withoutAWorkqueueSystemTheContextFails() {
		this.runner.withPropertyValues("cmwq.enabled=false").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("@AutoConfigureWorkqueues found no WorkqueueSystem bean");
		});
	}

	private static List<Long> stats(Workqueue workqueue) {
		WorkqueueStats stats = workqueue.snapshot().stats();
		return List.of(stats.started(), stats.completed(), stats.failed());
	}

	/** What happened, on which thread. */
	static final class Events {

		final List<String> list = new CopyOnWriteArrayList<>();

		void add(String event) {
			this.list.add(event + " on " + Thread.currentThread().getName());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class App {

		@Bean
		TaskDecorator recordingDecorator(Events events) {
			return (task) -> () -> {
				events.add("decorator in");
				try {
					task.run();
				}
				finally {
					events.add("decorator out");
				}
			};
		}

		@Bean
		ObservationRegistry observationRegistry(Events events) {
			ObservationRegistry registry = ObservationRegistry.create();
			registry.observationConfig().observationHandler(new ObservationHandler<>() {

				@Override
				public void onStart(Observation.Context context) {
					events.add("observation " + context.getName() + " started");
				}

				@Override
				public void onStop(Observation.Context context) {
					events.add("observation " + context.getName() + " stopped");
				}

				@Override
				public boolean supportsContext(Observation.Context context) {
					return true;
				}

			});
			return registry;
		}

		@Bean
		WorkErrorHandler recordingErrorHandler(Events events) {
			return (workqueue, method, arguments, failure) -> events.list.add("WorkErrorHandler: " + failure.getMessage());
		}

		@Bean
		WorkFailureHandler recordingFailureHandler(Events events) {
			return (workqueue, work, failure) -> events.list
				.add("WorkFailureHandler " + workqueue.name() + ": " + failure.getMessage());
		}

		@Bean
		Audit auditTrail(Events events) {
			return new Audit(events);
		}

	}

	static class Audit {

		private final Events events;

		Audit(Events events) {
			this.events = events;
		}

		@QueueWork("audit")
		public void record(String event) {
			this.events.add("record " + event);
		}

		@QueueWork("audit")
		public CompletableFuture<String> render() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@QueueWork("audit")
		public void fail() {
			throw new IllegalStateException("@QueueWork failed");
		}

		@QueueWork("events")
		public CompletableFuture<String> elsewhere() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

}
