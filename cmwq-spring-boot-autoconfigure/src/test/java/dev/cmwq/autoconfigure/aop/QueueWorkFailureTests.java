package dev.cmwq.autoconfigure.aop;

import java.io.IOException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.WorkFailureHandler;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Failures of {@code @QueueWork} methods: futures complete exceptionally, {@code void} methods reach the
 * {@link WorkErrorHandler}, and both count as failed.
 */
@ExtendWith(OutputCaptureExtension.class)
class QueueWorkFailureTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=1", "cmwq.workqueues.risky.max-active=4")
		.withBean(Risky.class);

	@Test
	void completableFutureCompletesExceptionallyAndCountsAsFailed(CapturedOutput output) {
		this.runner.run((context) -> {
			CompletableFuture<String> future = context.getBean(Risky.class).fail("boom");
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> future.get(30, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(IllegalStateException.class)
				.withMessage("boom");
			awaitFailed(context, 1);
		});
		assertThat(output).doesNotContain("boom"); // the caller has it: nothing is logged
	}

	@Test
	void checkedExceptionOfAFutureMethodReachesTheFuture() {
		this.runner.run((context) -> {
			Future<String> future = context.getBean(Risky.class).io();
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> future.get(30, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(IOException.class);
			awaitFailed(context, 1);
		});
	}

	@Test
	void aFailedFutureReturnedByTheBodyIsUnwrappedAndCountsAsFailed() {
		this.runner.run((context) -> {
			CompletableFuture<String> future = context.getBean(Risky.class).returnsFailed();
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(() -> future.get(30, TimeUnit.SECONDS))
				.havingCause()
				.isInstanceOf(UnsupportedOperationException.class);
			awaitFailed(context, 1);
		});
	}

	@Test
	void voidMethodsFailureReachesTheWorkErrorHandlerBeanAndCountsAsFailed() {
		RecordingErrorHandler handler = new RecordingErrorHandler();
		this.runner.withBean(WorkErrorHandler.class, () -> handler).run((context) -> {
			context.getBean(Risky.class).explode(7);
			await().atMost(TIMEOUT).until(() -> handler.calls.size() == 1);
			Call call = handler.calls.get(0);
			assertThat(call.workqueue()).isEqualTo("risky");
			assertThat(call.method().getName()).isEqualTo("explode");
			assertThat(call.arguments()).containsExactly(7);
			assertThat(call.failure()).isInstanceOf(IllegalArgumentException.class).hasMessage("explode 7");
			awaitFailed(context, 1);
		});
	}

	@Test
	void theDefaultWorkErrorHandlerLogsQueueMethodAndExceptionOnce(CapturedOutput output) {
		this.runner.run((context) -> {
			context.getBean(Risky.class).explode(9);
			awaitFailed(context, 1);
		});
		assertThat(output).contains("@QueueWork method " + Risky.class.getName() + ".explode(int) failed on "
				+ "workqueue 'risky'");
		assertThat(output).contains("java.lang.IllegalArgumentException: explode 9");
		assertThat(output.toString().split("explode 9", -1)).hasSize(2); // logged once, not also by the engine
	}

	@Test
	void failuresOfOtherItemsAreStillLoggedByTheEngineHandler(CapturedOutput output) {
		this.runner.run((context) -> {
			context.getBean("risky", Workqueue.class).execute(() -> {
				throw new IllegalStateException("plain item failed");
			});
			awaitFailed(context, 1);
		});
		assertThat(output).contains("on workqueue 'risky' failed").contains("plain item failed");
	}

	@Test
	void aWorkFailureHandlerBeanGetsOtherItemsFailuresButNotQueueWorkOnes() {
		List<Throwable> failures = new CopyOnWriteArrayList<>();
		this.runner.withBean(WorkFailureHandler.class, () -> (queue, work, failure) -> failures.add(failure))
			.run((context) -> {
				context.getBean(Risky.class).explode(1);
				awaitFailed(context, 1);
				context.getBean("risky", Workqueue.class).execute(() -> {
					throw new IllegalStateException("plain item failed");
				});
				awaitFailed(context, 2);
				await().atMost(TIMEOUT).until(() -> !failures.isEmpty());
				assertThat(failures).singleElement()
					.satisfies((failure) -> assertThat(failure).hasMessage("plain item failed"));
			});
	}

	private static void awaitFailed(ApplicationContext context, long failed) {
		Workqueue risky = context.getBean(WorkqueueSystem.class).workqueue("risky").orElseThrow();
		await().atMost(TIMEOUT).until(() -> risky.snapshot().stats().failed() == failed);
		assertThat(risky.snapshot().stats().completed()).isZero();
	}

	record Call(String workqueue, Method method, Object[] arguments, Throwable failure) {
	}

	static class RecordingErrorHandler implements WorkErrorHandler {

		final List<Call> calls = new CopyOnWriteArrayList<>();

		@Override
		public void handleError(String workqueue, Method method, Object[] arguments, Throwable failure) {
			this.calls.add(new Call(workqueue, method, arguments, failure));
		}

	}

	@QueueWork("risky")
	static class Risky {

		public CompletableFuture<String> fail(String message) {
			throw new IllegalStateException(message);
		}

		public Future<String> io() throws IOException {
			throw new IOException("disk");
		}

		public CompletableFuture<String> returnsFailed() {
			return CompletableFuture.failedFuture(new UnsupportedOperationException("nope"));
		}

		public void explode(int n) {
			throw new IllegalArgumentException("explode " + n);
		}

	}

}
