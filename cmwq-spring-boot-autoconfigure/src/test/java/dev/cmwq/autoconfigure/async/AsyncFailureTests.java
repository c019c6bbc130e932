package dev.cmwq.autoconfigure.async;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.WorkqueueStats;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.aop.interceptor.AsyncUncaughtExceptionHandler;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.AsyncConfigurer;
import org.springframework.scheduling.annotation.EnableAsync;

import dev.cmwq.autoconfigure.metrics.CmwqMetricsAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Items of {@code @Async("name")} methods that throw count as failed, like {@code @QueueWork} ones, and their failures
 * go where Spring's contract says: a {@code void} method's to the {@code AsyncUncaughtExceptionHandler} (an
 * {@code AsyncConfigurer}'s, else Spring's, which logs it), a future method's to the caller's future. Both show as
 * {@code failed} in the statistics and the {@code cmwq.workqueue.items} counter; the {@link WorkErrorHandler} is
 * for {@code @QueueWork} only.
 */
@ExtendWith(OutputCaptureExtension.class)
class AsyncFailureTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
				CmwqAsyncAutoConfiguration.class, CmwqAutoConfiguration.class, MetricsAutoConfiguration.class,
				CmwqMetricsAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=1", "cmwq.workqueues.q2.max-active=0", "cmwq.workqueues.q3.max-active=0")
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
		.withUserConfiguration(AsyncConfiguration.class)
		.withBean(Risky.class);

	@Test
	void aThrowingVoidMethodCountsAsFailedAndReachesTheAsyncConfigurersHandler(CapturedOutput output) {
		RecordingErrorHandler workErrorHandler = new RecordingErrorHandler();
		List<Call> springHandled = new CopyOnWriteArrayList<>();
		this.runner.withBean(WorkErrorHandler.class, () -> workErrorHandler)
			.withBean(AsyncConfigurer.class, () -> new AsyncConfigurer() {
				@Override
				public AsyncUncaughtExceptionHandler getAsyncUncaughtExceptionHandler() {
					return (ex, method, params) -> springHandled
						.add(new Call(null, method, params, ex, Thread.currentThread().getName()));
				}
			})
			.run((context) -> {
				context.getBean(Risky.class).explode(7);
				await().atMost(TIMEOUT).until(() -> springHandled.size() == 1);
				Call call = springHandled.get(0);
				assertThat(call.method().getName()).isEqualTo("explode");
				assertThat(call.arguments()).containsExactly(7);
				assertThat(call.failure()).isInstanceOf(IllegalArgumentException.class).hasMessage("explode 7");
				assertThat(call.thread()).startsWith("cmwq-");
				awaitFailedOnly(context, "q2");
				assertThat(workErrorHandler.calls).isEmpty();
			});
		// reported once, to the AsyncConfigurer's handler: not logged by the engine's failure handler
		assertThat(output).doesNotContain("explode 7");
	}

	@Test
	void withoutAnAsyncConfigurerSpringsDefaultHandlerLogsAVoidMethodsFailureOnce(CapturedOutput output) {
		this.runner.run((context) -> {
			context.getBean(Risky.class).explode(9);
			awaitFailedOnly(context, "q2");
		});
		assertThat(output).contains("Unexpected exception occurred invoking async method")
			.contains("explode 9")
			.doesNotContain("@QueueWork method");
		assertThat(output.toString().split("explode 9", -1)).hasSize(2);
	}

	@Test
	void aThrowingCompletableFutureMethodFailsTheFutureAndCountsAsFailed(CapturedOutput output) {
		this.runner.run((context) -> {
			CompletableFuture<String> future = context.getBean(Risky.class).fail("boom");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> future.get(30, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(IllegalStateException.class)
				.withMessage("boom");
			awaitFailedOnly(context, "q3");
			await().atMost(TIMEOUT)
				.until(() -> context.getBean(MeterRegistry.class)
					.get("cmwq.workqueue.items")
					.tags("workqueue", "q3", "outcome", "failed")
					.functionCounter()
					.count() == 1);
		});
		assertThat(output).doesNotContain("boom"); // the caller has it: nothing is logged
	}

	@Test
	void aFutureMethodReturningAFailedFutureCountsAsFailed() {
		this.runner.run((context) -> {
			Future<String> future = context.getBean(Risky.class).returnsFailed();
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> future.get(30, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(UnsupportedOperationException.class);
			awaitFailedOnly(context, "q3");
		});
	}

	@Test
	void methodsThatReturnCountAsCompletedOnTheirWorkqueuesThread() {
		this.runner.run((context) -> {
			assertThat(context.getBean(Risky.class).thread().get(30, TimeUnit.SECONDS)).startsWith("cmwq-");
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			await().atMost(TIMEOUT)
				.until(() -> system.workqueue("q3").orElseThrow().snapshot().stats().completed() == 1);
			assertThat(system.workqueue("q3").orElseThrow().snapshot().stats().failed()).isZero();
		});
	}

	@Test
	void anApplicationsAsyncConfigurerHandlesVoidFailuresOnWorkqueuesAndOtherExecutorsAlike() {
		List<Throwable> springHandled = new CopyOnWriteArrayList<>();
		this.runner.withBean(AsyncConfigurer.class, () -> new AsyncConfigurer() {
			@Override
			public AsyncUncaughtExceptionHandler getAsyncUncaughtExceptionHandler() {
				return (ex, method, params) -> springHandled.add(ex);
			}
		}).run((context) -> {
			assertThat(context).hasNotFailed();
			Risky risky = context.getBean(Risky.class);
			risky.explodeOnTheDefaultExecutor();
			await().atMost(TIMEOUT).until(() -> springHandled.size() == 1);
			assertThat(springHandled.get(0)).hasMessage("default executor");
			risky.explode(3);
			await().atMost(TIMEOUT).until(() -> springHandled.size() == 2);
			assertThat(springHandled.get(1)).hasMessage("explode 3");
			awaitFailedOnly(context, "q2");
		});
	}

	private static void awaitFailedOnly(ApplicationContext context, String workqueue) {
		WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
		await().atMost(TIMEOUT).until(() -> stats(system, workqueue).failed() == 1);
		assertThat(stats(system, workqueue).completed()).isZero();
	}

	private static WorkqueueStats stats(WorkqueueSystem system, String workqueue) {
		return system.workqueue(workqueue).orElseThrow().snapshot().stats();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

	}

	record Call(String workqueue, Method method, Object[] arguments, Throwable failure, String thread) {
	}

	static class RecordingErrorHandler implements WorkErrorHandler {

		final List<Call> calls = new CopyOnWriteArrayList<>();

		@Override
		public void handleError(String workqueue, Method method, Object[] arguments, Throwable failure) {
			this.calls.add(new Call(workqueue, method, arguments, failure, Thread.currentThread().getName()));
		}

	}

	static class Risky {

		@Async("q2")
		public void explode(int n) {
			throw new IllegalArgumentException("explode " + n);
		}

		@Async("q3")
		public CompletableFuture<String> fail(String message) {
			throw new IllegalStateException(message);
		}

		@Async("q3")
		public Future<String> returnsFailed() {
			return CompletableFuture.failedFuture(new UnsupportedOperationException("nope"));
		}

		@Async("q3")
		public CompletableFuture<String> thread() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Async
		public void explodeOnTheDefaultExecutor() {
			throw new IllegalStateException("default executor");
		}

	}

}
