package dev.cmwq.autoconfigure.observation;

import dev.cmwq.spring.observation.DefaultWorkObservationConvention;
import dev.cmwq.spring.observation.ObservingWorkqueueTaskDecorator;
import dev.cmwq.spring.observation.WorkObservationContext;
import dev.cmwq.spring.observation.WorkObservationConvention;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.async.CmwqAsyncAutoConfiguration;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
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
 * current where it was queued, tagged with its workqueue and outcome; with Micrometer Tracing it is a span of the
 * caller's trace.
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
	void withTracingAnItemIsASpanOfTheCallersTrace() {
		SimpleTracer tracer = new SimpleTracer();
		ObservationRegistry tracing = ObservationRegistry.create();
		tracing.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
		this.withoutRegistry.withBean(ObservationRegistry.class, () -> tracing).run((context) -> {
			AtomicReference<String> spanInItem = new AtomicReference<>();
			Observation caller = Observation.start("checkout", tracing);
			try (Observation.Scope scope = caller.openScope()) {
				context.getBean("events", Workqueue.class)
					.execute(() -> spanInItem.set(tracer.currentSpan().context().spanId()));
			}
			caller.stop();
			awaitIdle(context);
			SimpleSpan checkout = tracer.getSpans()
				.stream()
				.filter((span) -> span.getName().equals("checkout"))
				.findFirst()
				.orElseThrow();
			SimpleSpan work = tracer.getSpans()
				.stream()
				.filter((span) -> span.getName().equals("work events"))
				.findFirst()
				.orElseThrow();
			assertThat(work.getTraceId()).isEqualTo(checkout.getTraceId());
			assertThat(work.getParentId()).isEqualTo(checkout.getSpanId());
			assertThat(work.getTags()).containsEntry("workqueue", "events").containsEntry("outcome", "completed");
			assertThat(work.getEndTimestamp()).isNotNull();
			assertThat(spanInItem.get()).isEqualTo(work.getSpanId());
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
