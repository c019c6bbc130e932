package dev.cmwq.autoconfigure.observation;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.async.CmwqAsyncAutoConfiguration;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.observation.ContextPropagatingWorkqueueTaskDecorator;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a real tracer (Brave, as Spring Boot auto-configures it), an item runs in its caller's trace, with the
 * trace's fields in the MDC, whether or not the {@code cmwq.work} observation is on: the caller's context is
 * propagated on its own, as Spring's {@code ContextPropagatingTaskDecorator} does. With the observation on, each item
 * is a span of its own, a child of the caller's, named after its {@code @QueueWork} method; with it off, the item
 * runs in the caller's span. Every way of queueing is covered: {@code execute} on a workqueue bean,
 * {@code @QueueWork}, {@code @Async("name")} and plain {@code @Async} on the default workqueue.
 */
class TraceContextPropagationTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
				MicrometerTracingAutoConfiguration.class, BraveAutoConfiguration.class,
				TaskExecutionAutoConfiguration.class, CmwqAsyncAutoConfiguration.class, CmwqAutoConfiguration.class,
				CmwqObservationAutoConfiguration.class))
		.withUserConfiguration(App.class)
		.withPropertyValues("cmwq.cpus=1", "cmwq.async.default-workqueue=events",
				"management.tracing.sampling.probability=1.0");

	@Test
	void withTheObservationEachItemIsAChildSpanOfTheCallerWithTheTraceInTheMdc() {
		this.runner.run((context) -> {
			Map<String, Seen> seen = fromEveryKindOfItem(context);
			Seen caller = seen.get("caller");
			List<MutableSpan> spans = context.getBean(Spans.class).finished;
			for (String kind : List.of("execute", "queueWork", "async", "defaultAsync")) {
				Seen item = seen.get(kind);
				assertThat(item.traceId()).as(kind).isEqualTo(caller.traceId());
				assertThat(item.spanId()).as(kind).isNotEqualTo(caller.spanId());
				assertThat(item.mdcTraceId()).as(kind).isEqualTo(caller.traceId());
				assertThat(item.mdcSpanId()).as(kind).isEqualTo(item.spanId());
				MutableSpan span = spans.stream()
					.filter((finished) -> finished.id().equals(item.spanId()))
					.findFirst()
					.orElseThrow();
				assertThat(span.parentId()).as(kind).isEqualTo(caller.spanId());
				assertThat(span.name()).as(kind).startsWith("work ");
			}
			MutableSpan queueWork = spans.stream()
				.filter((span) -> span.id().equals(seen.get("queueWork").spanId()))
				.findFirst()
				.orElseThrow();
			assertThat(queueWork.tags()).containsEntry("workqueue", "events_long")
				.containsEntry("outcome", "completed")
				.containsEntry("code.function", "queueWork")
				.containsEntry("code.namespace", Jobs.class.getCanonicalName());
			MutableSpan execute = spans.stream()
				.filter((span) -> span.id().equals(seen.get("execute").spanId()))
				.findFirst()
				.orElseThrow();
			assertThat(execute.tags()).containsEntry("code.function", "none").containsEntry("code.namespace", "none");
		});
	}

	@Test
	void withCmwqObservationsOffItemsStillRunInTheCallersSpanWithTheTraceInTheMdc() {
		this.runner.withPropertyValues("cmwq.observations.enabled=false").run(this::runInTheCallersSpan);
	}

	@Test
	void withBootsObservationSwitchOffItemsStillRunInTheCallersSpanWithTheTraceInTheMdc() {
		this.runner.withPropertyValues("management.observations.enable.cmwq=false").run(this::runInTheCallersSpan);
	}

	@Test
	void withBootsPropagateContextItsDecoratorPropagatesAndTheStartersBacksOff() {
		this.runner.withPropertyValues("cmwq.observations.enabled=false", "spring.task.execution.propagate-context=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(ContextPropagatingTaskDecorator.class)
					.doesNotHaveBean(ContextPropagatingWorkqueueTaskDecorator.class);
				runInTheCallersSpan(context);
			});
	}

	private void runInTheCallersSpan(AssertableApplicationContext context) throws Exception {
		Map<String, Seen> seen = fromEveryKindOfItem(context);
		Seen caller = seen.get("caller");
		for (String kind : List.of("execute", "queueWork", "async", "defaultAsync")) {
			assertThat(seen.get(kind)).as(kind).isEqualTo(caller);
		}
		assertThat(context.getBean(Spans.class).finished).extracting(MutableSpan::name).containsExactly("checkout");
	}

	/** What a caller in an observation (as a web request is), and each kind of item it queues, see. */
	private static Map<String, Seen> fromEveryKindOfItem(AssertableApplicationContext context) throws Exception {
		ObservationRegistry registry = context.getBean(ObservationRegistry.class);
		Tracer tracer = context.getBean(Tracer.class);
		Jobs jobs = context.getBean(Jobs.class);
		Workqueue events = context.getBean("events", Workqueue.class);
		Observation checkout = Observation.start("checkout", registry);
		Seen caller;
		CompletableFuture<Seen> execute = new CompletableFuture<>();
		CompletableFuture<Seen> queueWork;
		CompletableFuture<Seen> async;
		CompletableFuture<Seen> defaultAsync;
		try (Observation.Scope scope = checkout.openScope()) {
			caller = Seen.now(tracer);
			events.execute(() -> execute.complete(Seen.now(tracer)));
			queueWork = jobs.queueWork();
			async = jobs.async();
			defaultAsync = jobs.defaultAsync();
		}
		finally {
			checkout.stop();
		}
		Function<CompletableFuture<Seen>, Seen> result = (future) -> future.orTimeout(PATIENCE.toMillis(),
				TimeUnit.MILLISECONDS).join();
		Map<String, Seen> seen = Map.of("caller", caller, "execute", result.apply(execute), "queueWork",
				result.apply(queueWork), "async", result.apply(async), "defaultAsync", result.apply(defaultAsync));
		assertThat(context.getBean(WorkqueueSystem.class).awaitIdle(PATIENCE)).isTrue();
		return seen;
	}

	/** The current span and the trace fields of the MDC, on some thread. */
	record Seen(String traceId, String spanId, String mdcTraceId, String mdcSpanId) {

		static Seen now(Tracer tracer) {
			Span span = tracer.currentSpan();
			return new Seen((span != null) ? span.context().traceId() : null,
					(span != null) ? span.context().spanId() : null, MDC.get("traceId"), MDC.get("spanId"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class App {

		@Bean
		Jobs jobs(Tracer tracer) {
			return new Jobs(tracer);
		}

		@Bean
		Spans spans() {
			return new Spans();
		}

	}

	/** Every span Brave finishes. */
	static class Spans extends SpanHandler {

		final List<MutableSpan> finished = new CopyOnWriteArrayList<>();

		@Override
		public boolean end(TraceContext context, MutableSpan span, Cause cause) {
			this.finished.add(span);
			return true;
		}

	}

	static class Jobs {

		private final Tracer tracer;

		Jobs(Tracer tracer) {
			this.tracer = tracer;
		}

		@QueueWork("events_long")
		public CompletableFuture<Seen> queueWork() {
			return CompletableFuture.completedFuture(Seen.now(this.tracer));
		}

		@Async("events_unbound")
		public CompletableFuture<Seen> async() {
			return CompletableFuture.completedFuture(Seen.now(this.tracer));
		}

		@Async
		public CompletableFuture<Seen> defaultAsync() {
			return CompletableFuture.completedFuture(Seen.now(this.tracer));
		}

	}

}
