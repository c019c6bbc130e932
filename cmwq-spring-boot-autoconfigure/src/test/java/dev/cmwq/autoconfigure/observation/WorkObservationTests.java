package dev.cmwq.autoconfigure.observation;

import dev.cmwq.spring.observation.DefaultWorkObservationConvention;
import dev.cmwq.spring.observation.ObservingWorkqueueTaskDecorator;
import dev.cmwq.spring.observation.WorkObservationContext;
import dev.cmwq.spring.observation.WorkObservationConvention;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.async.CmwqAsyncAutoConfiguration;
import dev.cmwq.autoconfigure.metrics.CmwqMetricsAutoConfiguration;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each item queued through the starter's beans is a {@code cmwq.work} observation, a child of the observation
 * current where it was queued, tagged with its workqueue and outcome (and a {@code @QueueWork} invocation with its
 * method), and timed by the engine only. {@link TraceContextPropagationTests} follows items in a real tracer.
 */
class WorkObservationTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private final ApplicationContextRunner withoutRegistry = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAsyncAutoConfiguration.class, CmwqAutoConfiguration.class,
				CmwqObservationAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=1");

	private final ApplicationContextRunner runner = this.withoutRegistry.withBean(ObservationRegistry.class,
			() -> this.registry);

	@Test
	void anItemIsAChildObservationOfTheQueueingCodeAndCurrentWhileItRuns() {
		this.runner.run((context) -> {
			Workqueue events = context.getBean("events", Workqueue.class);
			AtomicReference<Observation> current = new AtomicReference<>();
			Observation caller = Observation.start("caller", this.registry);
			try (Observation.Scope scope = caller.openScope()) {
				events.execute(() -> current.set(this.registry.getCurrentObservation()));
			}
			caller.stop();
			awaitIdle(context);
			assertThat(this.registry).hasObservationWithNameEqualTo("cmwq.work")
				.that()
				.hasContextualNameEqualTo("work events")
				.hasLowCardinalityKeyValue("workqueue", "events")
				.hasLowCardinalityKeyValue("outcome", "completed")
				.hasLowCardinalityKeyValue("code.function", "none")
				.hasLowCardinalityKeyValue("code.namespace", "none")
				.hasParentObservationEqualTo(caller);
			assertThat(current.get().getContext()).isInstanceOf(WorkObservationContext.class);
		});
	}

	@Test
	void aFailingQueueWorkItemIsObservedAsFailed() {
		this.runner.withBean(Risky.class).run((context) -> {
			CompletableFuture<Void> future = context.getBean(Risky.class).fail();
			await().atMost(PATIENCE).until(future::isDone);
			awaitIdle(context);
			assertThat(this.registry).hasObservationWithNameEqualTo("cmwq.work")
				.that()
				.hasLowCardinalityKeyValue("workqueue", "events_long")
				.hasLowCardinalityKeyValue("outcome", "failed")
				.hasLowCardinalityKeyValue("code.function", "fail")
				.hasLowCardinalityKeyValue("code.namespace", Risky.class.getCanonicalName())
				.assertThatError()
				.hasMessage("no stock");
		});
	}

	@Test
	void aFailingAsyncMethodIsObservedAsFailed() {
		this.runner.withUserConfiguration(AsyncConfiguration.class).withBean(Risky.class).run((context) -> {
			context.getBean(Risky.class).failAsync();
			await().atMost(PATIENCE)
				.until(() -> context.getBean(WorkqueueSystem.class)
					.workqueue("events_unbound")
					.orElseThrow()
					.snapshot()
					.stats()
					.failed() == 1);
			awaitIdle(context);
			assertThat(this.registry).hasObservationWithNameEqualTo("cmwq.work")
				.that()
				.hasLowCardinalityKeyValue("workqueue", "events_unbound")
				.hasLowCardinalityKeyValue("outcome", "failed");
		});
	}

	@Test
	void aConventionBeanRenamesTheObservation() {
		this.runner.withBean(WorkObservationConvention.class, () -> new DefaultWorkObservationConvention() {
			@Override
			public String getName() {
				return "shop.work";
			}

			@Override
			public KeyValues getLowCardinalityKeyValues(WorkObservationContext context) {
				return super.getLowCardinalityKeyValues(context).and("team", "checkout");
			}
		}).run((context) -> {
			context.getBean("events", Workqueue.class).execute(() -> {
			});
			awaitIdle(context);
			assertThat(this.registry).hasObservationWithNameEqualTo("shop.work")
				.that()
				.hasLowCardinalityKeyValue("team", "checkout");
		});
	}

	@Test
	void offWithTheProperty() {
		this.runner.withPropertyValues("cmwq.observations.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(ObservingWorkqueueTaskDecorator.class);
			context.getBean("events", Workqueue.class).execute(() -> {
			});
			awaitIdle(context);
			assertThat(this.registry).doesNotHaveAnyObservation();
		});
	}

	@Test
	void eachItemIsTimedOnceByTheEngineNotAgainByItsObservation() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class, MetricsAutoConfiguration.class,
					CmwqAutoConfiguration.class, CmwqObservationAutoConfiguration.class,
					CmwqMetricsAutoConfiguration.class))
			.withBean(SimpleMeterRegistry.class)
			.withPropertyValues("cmwq.cpus=1")
			.run((context) -> {
				ObservationRegistry observations = context.getBean(ObservationRegistry.class);
				Observation.createNotStarted("checkout", observations)
					.observe(() -> context.getBean("events", Workqueue.class).execute(() -> {
					}));
				awaitIdle(context);
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.get("checkout").timer().count()).as("observations make timers").isOne();
				assertThat(meters.find("cmwq.work").meters()).isEmpty();
				assertThat(meters.find("cmwq.work.active").meters()).isEmpty();
				await().atMost(PATIENCE)
					.until(() -> meters.get("cmwq.workqueue.execution").tag("workqueue", "events").timer().count() == 1);
			});
	}

	private static void awaitIdle(ApplicationContext context) {
		assertThat(context.getBean(WorkqueueSystem.class).awaitIdle(PATIENCE)).isTrue();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

	}

	static class Risky {

		@QueueWork("events_long")
		public CompletableFuture<Void> fail() {
			throw new IllegalStateException("no stock");
		}

		@Async("events_unbound")
		public void failAsync() {
			throw new IllegalStateException("async");
		}

	}

}
