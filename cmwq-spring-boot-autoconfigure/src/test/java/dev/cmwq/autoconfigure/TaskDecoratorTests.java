package dev.cmwq.autoconfigure;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.Workqueue;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@link TaskDecorator} bean wraps every item, and context propagation carries MDC and the current
 * observation into the work.
 */
class TaskDecoratorTests {

	/**
	 * What two decorators record around an item: as with Spring Boot's executor (a {@code CompositeTaskDecorator}
	 * of the beans in order), the first decorator wraps the item itself and the next wraps that.
	 */
	private static final String[] ORDERED = { "outer:before", "inner:before", "work", "inner:after", "outer:after" };

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class, CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.workqueues.thumbnails.max-active=4")
		.withBean(Worker.class);

	@BeforeEach
	void registerMdcAccessor() {
		// Boot registers no MDC accessor itself (Micrometer Tracing does); an application that wants MDC does this.
		ContextRegistry.getInstance().registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
	}

	@AfterEach
	void removeMdcAccessor() {
		ContextRegistry.getInstance().removeThreadLocalAccessor(Slf4jThreadLocalAccessor.KEY);
		MDC.clear();
	}

	@Test
	void everyDecoratorBeanWrapsQueueWorkItemsInOrder() {
		this.runner.withUserConfiguration(Decorators.class).run((context) -> {
			Trace trace = context.getBean(Trace.class);
			assertThat(context.getBean(Worker.class).work().get(30, TimeUnit.SECONDS)).isEqualTo("done");
			awaitSize(trace, 5); // the future completes inside the decorators
			assertThat(trace.events).containsExactly(ORDERED);
		});
	}

	@Test
	void everyDecoratorBeanWrapsItemsQueuedThroughTheWorkqueueBean() {
		this.runner.withUserConfiguration(Decorators.class).run((context) -> {
			Trace trace = context.getBean(Trace.class);
			CompletableFuture<Void> done = new CompletableFuture<>();
			context.getBean("thumbnails", Workqueue.class).execute(() -> {
				trace.events.add("work");
				done.complete(null);
			});
			done.get(30, TimeUnit.SECONDS);
			awaitSize(trace, 5);
			assertThat(trace.events).containsExactly(ORDERED);
		});
	}

	@Test
	void everyDecoratorBeanWrapsAsyncMethodsOnAWorkqueue() {
		this.runner.withUserConfiguration(Decorators.class, AsyncConfiguration.class)
			.withBean(AsyncWorker.class)
			.run((context) -> {
				Trace trace = context.getBean(Trace.class);
				context.getBean(AsyncWorker.class).work(trace).get(30, TimeUnit.SECONDS);
				awaitSize(trace, 5);
				assertThat(trace.events).containsExactly(ORDERED);
			});
	}

	@Test
	void withPropagateContextMdcReachesTheWork() {
		this.runner.withPropertyValues("spring.task.execution.propagate-context=true").run((context) -> {
			assertThat(context).hasSingleBean(ContextPropagatingTaskDecorator.class);
			MDC.put("requestId", "r-42");
			try {
				assertThat(context.getBean(Worker.class).requestId().get(30, TimeUnit.SECONDS)).isEqualTo("r-42");
				CompletableFuture<String> seen = new CompletableFuture<>();
				context.getBean("thumbnails", Workqueue.class).execute(() -> seen.complete(MDC.get("requestId")));
				assertThat(seen.get(30, TimeUnit.SECONDS)).isEqualTo("r-42");
			}
			finally {
				MDC.remove("requestId");
			}
		});
	}

	@Test
	void withPropagateContextTheCurrentObservationReachesTheWork() {
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler((observationContext) -> true);
		ObservationRegistry previous = ObservationThreadLocalAccessor.getInstance().getObservationRegistry();
		ObservationThreadLocalAccessor.getInstance().setObservationRegistry(registry);
		try {
			this.runner.withPropertyValues("spring.task.execution.propagate-context=true").run((context) -> {
				Observation observation = Observation.start("checkout", registry);
				try (Observation.Scope scope = observation.openScope()) {
					assertThat(context.getBean(Worker.class).currentObservation(registry).get(30, TimeUnit.SECONDS))
						.isEqualTo("checkout");
				}
				finally {
					observation.stop();
				}
			});
		}
		finally {
			ObservationThreadLocalAccessor.getInstance().setObservationRegistry(previous);
		}
	}

	@Test
	void withPropagateContextMdcReachesTheWorkWithoutTaskExecutionAutoConfiguration() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class))
			.withPropertyValues("spring.task.execution.propagate-context=true", "cmwq.workqueues.thumbnails.max-active=4")
			.withBean(Worker.class)
			.run((context) -> {
				MDC.put("requestId", "r-7");
				try {
					assertThat(context.getBean(Worker.class).requestId().get(30, TimeUnit.SECONDS)).isEqualTo("r-7");
				}
				finally {
					MDC.remove("requestId");
				}
			});
	}

	@Test
	void withoutPropagateContextMdcStaysWithTheCaller() {
		this.runner.run((context) -> {
			assertThat(context).doesNotHaveBean(ContextPropagatingTaskDecorator.class);
			MDC.put("requestId", "r-1");
			try {
				assertThat(context.getBean(Worker.class).requestId().get(30, TimeUnit.SECONDS)).isNull();
			}
			finally {
				MDC.remove("requestId");
			}
		});
	}

	@Test
	void withoutContextPropagationLibraryNoDecoratorIsDefined() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader("io.micrometer.context"))
			.withPropertyValues("spring.task.execution.propagate-context=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(ContextPropagatingTaskDecorator.class);
			});
	}

	private static void awaitSize(Trace trace, int size) {
		org.awaitility.Awaitility.await()
			.atMost(java.time.Duration.ofSeconds(30))
			.until(() -> trace.events.size() >= size);
	}

	static class Trace {

		final List<String> events = new CopyOnWriteArrayList<>();

	}

	@Configuration(proxyBeanMethods = false)
	static class Decorators {

		@Bean
		Trace trace() {
			return new Trace();
		}

		@Bean
		@Order(2)
		TaskDecorator outer(Trace trace) {
			return named("outer", trace);
		}

		@Bean
		@Order(1)
		TaskDecorator inner(Trace trace) {
			return named("inner", trace);
		}

		private static TaskDecorator named(String name, Trace trace) {
			return (runnable) -> () -> {
				trace.events.add(name + ":before");
				try {
					runnable.run();
				}
				finally {
					trace.events.add(name + ":after");
				}
			};
		}

	}

	static class Worker {

		private final Trace trace;

		Worker(org.springframework.beans.factory.ObjectProvider<Trace> trace) {
			this.trace = trace.getIfAvailable(Trace::new);
		}

		@QueueWork("thumbnails")
		public CompletableFuture<String> work() {
			this.trace.events.add("work");
			return CompletableFuture.completedFuture("done");
		}

		@QueueWork("thumbnails")
		public CompletableFuture<String> currentObservation(ObservationRegistry registry) {
			Observation current = registry.getCurrentObservation();
			return CompletableFuture.completedFuture((current != null) ? current.getContext().getName() : null);
		}

		@QueueWork("thumbnails")
		public CompletableFuture<String> requestId() {
			return CompletableFuture.completedFuture(MDC.get("requestId"));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

	}

	static class AsyncWorker {

		@Async("thumbnails")
		public CompletableFuture<Void> work(Trace trace) {
			trace.events.add("work");
			return CompletableFuture.completedFuture(null);
		}

	}

}
