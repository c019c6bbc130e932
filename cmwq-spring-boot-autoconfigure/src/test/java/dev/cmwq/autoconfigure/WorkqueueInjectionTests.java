package dev.cmwq.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import dev.cmwq.core.Workqueue;
import dev.cmwq.spring.SpringWorkqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Workqueue beans are found by {@code @Qualifier("name")}, by {@code @Async("name")} and by name, but are not
 * default candidates for injection by type: the application's own {@code Executor} injection points resolve as
 * they would without the starter.
 */
class WorkqueueInjectionTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class, CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.workqueues.thumbnails.flags=cpu-intensive", "cmwq.workqueues.thumbnails.max-active=4");

	@Test
	void qualifierInjectsTheWorkqueueOfThatName() {
		this.runner.withBean(Consumer.class).run((context) -> {
			Consumer consumer = context.getBean(Consumer.class);
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			assertThat(consumer.thumbnails.name()).isEqualTo("thumbnails");
			assertThat(consumer.highpri.name()).isEqualTo("events_highpri");
			CompletableFuture<String> ran = new CompletableFuture<>();
			consumer.thumbnails.execute(() -> ran.complete(Thread.currentThread().getName()));
			assertThat(ran.get(30, TimeUnit.SECONDS)).startsWith("cmwq-");
			Workqueue engine = system.workqueue("thumbnails").orElseThrow();
			await().atMost(java.time.Duration.ofSeconds(30))
				.until(() -> engine.snapshot().stats().completed() == 1);
		});
	}

	@Test
	void asyncWithAWorkqueuesNameRunsOnIt() {
		this.runner.withUserConfiguration(AsyncConfiguration.class).withBean(AsyncService.class).run((context) -> {
			AsyncService service = context.getBean(AsyncService.class);
			assertThat(service.render().get(30, TimeUnit.SECONDS)).startsWith("cmwq-");
			assertThat(service.onUnbound().get(30, TimeUnit.SECONDS)).startsWith("cmwq-unbound");
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			await().atMost(java.time.Duration.ofSeconds(30))
				.until(() -> system.workqueue("thumbnails").orElseThrow().snapshot().stats().completed() == 1);
			await().atMost(java.time.Duration.ofSeconds(30))
				.until(() -> system.workqueue("events_unbound").orElseThrow().snapshot().stats().completed() == 1);
		});
	}

	@Test
	void workqueueBeansLeaveSpringBootsDefaultExecutorInPlaceForPlainAsync() {
		this.runner.withUserConfiguration(AsyncConfiguration.class).withBean(AsyncService.class).run((context) -> {
			assertThat(context).hasBean("applicationTaskExecutor");
			assertThat(context.getBean(AsyncService.class).plain().get(30, TimeUnit.SECONDS)).doesNotStartWith("cmwq-");
		});
	}

	@Test
	void anUnqualifiedExecutorResolvesAsItWouldWithoutTheStarter() {
		ApplicationContextRunner withoutStarter = new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class));
		withoutStarter.withBean(ExecutorUser.class).run((context) -> {
			ExecutorUser user = context.getBean(ExecutorUser.class);
			assertThat(user.executor).isSameAs(context.getBean("applicationTaskExecutor"));
			assertThat(user.taskExecutor).isSameAs(user.executor);
		});
		this.runner.withBean(ExecutorUser.class).run((context) -> {
			assertThat(context).hasNotFailed();
			ExecutorUser user = context.getBean(ExecutorUser.class);
			assertThat(user.executor).isSameAs(context.getBean("applicationTaskExecutor"));
			assertThat(user.taskExecutor).isSameAs(user.executor);
			assertThat(context.getBean(Executor.class)).isSameAs(user.executor);
		});
	}

	@Test
	void workqueueBeansAreFoundByName() {
		this.runner.run((context) -> {
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			assertThat(context.getBean("thumbnails")).isInstanceOfSatisfying(SpringWorkqueue.class,
					(bean) -> assertThat(bean.delegate()).isSameAs(system.workqueue("thumbnails").orElseThrow()));
			assertThat(context.getBean("events", Workqueue.class)).isInstanceOfSatisfying(SpringWorkqueue.class,
					(bean) -> assertThat(bean.delegate()).isSameAs(system.workqueue("events").orElseThrow()));
		});
	}

	@Test
	void springBootsTaskExecutorAppearsEvenWhenTheWorkqueueBeansAreRegisteredFirst() {
		// user configurations are processed before auto-configurations: the workqueue beans exist when
		// TaskExecutionAutoConfiguration's @ConditionalOnMissingBean(Executor.class) is evaluated, and it ignores
		// beans that are not default candidates
		new ApplicationContextRunner().withUserConfiguration(CmwqAutoConfiguration.class)
			.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class))
			.withBean(ExecutorUser.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().hasBean("applicationTaskExecutor").hasBean("events");
				assertThat(context.getBean(ExecutorUser.class).executor)
					.isSameAs(context.getBean("applicationTaskExecutor"));
			});
	}

	static class ExecutorUser {

		final Executor executor;

		final TaskExecutor taskExecutor;

		ExecutorUser(Executor executor, TaskExecutor taskExecutor) {
			this.executor = executor;
			this.taskExecutor = taskExecutor;
		}

	}

	static class Consumer {

		final Workqueue thumbnails;

		final Workqueue highpri;

		Consumer(@Qualifier("thumbnails") Workqueue thumbnails, @Qualifier("events_highpri") Workqueue highpri) {
			this.thumbnails = thumbnails;
			this.highpri = highpri;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

	}

	static class AsyncService {

		@Async("thumbnails")
		public CompletableFuture<String> render() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Async
		public CompletableFuture<String> plain() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Async("events_unbound")
		public CompletableFuture<String> onUnbound() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

}
