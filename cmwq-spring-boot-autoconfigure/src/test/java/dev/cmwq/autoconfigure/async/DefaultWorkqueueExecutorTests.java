package dev.cmwq.autoconfigure.async;

import dev.cmwq.spring.async.WorkqueueTaskExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.InvalidCmwqPropertyException;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code cmwq.async.default-workqueue} makes a workqueue the application's task executor: plain {@code @Async} and
 * whatever uses Spring Boot's {@code applicationTaskExecutor} run there, and Spring Boot's own executor backs off.
 */
class DefaultWorkqueueExecutorTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
				CmwqAsyncAutoConfiguration.class, CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=1")
		.withUserConfiguration(AsyncConfiguration.class)
		.withBean(Greeter.class);

	@Test
	void plainAsyncMethodsRunOnTheDefaultWorkqueue() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=events_long").run((context) -> {
			String thread = context.getBean(Greeter.class).thread().get(30, TimeUnit.SECONDS);
			assertThat(thread).startsWith("cmwq-");
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			await().atMost(Duration.ofSeconds(30))
				.until(() -> system.workqueue("events_long").orElseThrow().snapshot().stats().completed() == 1);
			assertThat(system.workqueue("events").orElseThrow().snapshot().stats().started()).isZero();
		});
	}

	@Test
	void aPlainAsyncMethodThatThrowsCountsAsFailedOnTheDefaultWorkqueue() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=events_long").run((context) -> {
			context.getBean(Greeter.class).explode();
			Workqueue queue = context.getBean(WorkqueueSystem.class).workqueue("events_long").orElseThrow();
			await().atMost(Duration.ofSeconds(30)).until(() -> queue.snapshot().stats().failed() == 1);
			assertThat(queue.snapshot().stats().completed()).isZero();
		});
	}

	@Test
	void theWorkqueueIsTheApplicationTaskExecutorAndBootsBacksOff() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=events").run((context) -> {
			assertThat(context).getBean("applicationTaskExecutor").isInstanceOf(WorkqueueTaskExecutor.class);
			assertThat(context.getBean("taskExecutor")).isSameAs(context.getBean("applicationTaskExecutor"));
			assertThat(context.getBean(TaskExecutor.class)).isSameAs(context.getBean("applicationTaskExecutor"));
			assertThat(context.getBean(Executor.class)).isSameAs(context.getBean("applicationTaskExecutor"));
			assertThat(context).doesNotHaveBean(ThreadPoolTaskExecutor.class);
			assertThat(((WorkqueueTaskExecutor) context.getBean("applicationTaskExecutor")).getWorkqueue().name())
				.isEqualTo("events");
		});
	}

	@Test
	void unsetLeavesSpringBootsExecutor() {
		this.runner.run((context) -> {
			assertThat(context).getBean("applicationTaskExecutor").isInstanceOf(ThreadPoolTaskExecutor.class);
			assertThat(context).doesNotHaveBean(WorkqueueTaskExecutor.class);
			assertThat(context.getBean(Greeter.class).thread().get(30, TimeUnit.SECONDS)).startsWith("task-");
		});
	}

	@Test
	void anUnknownWorkqueueFailsStartUpNamingTheProperty() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=nope").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidCmwqPropertyException.class)
				.hasMessageContaining("'nope'")
				.hasMessageContaining("cmwq.async.default-workqueue")
				.hasMessageContaining("events_unbound");
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

	}

	static class Greeter {

		@Async
		public CompletableFuture<String> thread() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Async
		public void explode() {
			throw new IllegalStateException("plain @Async failed");
		}

	}

}
