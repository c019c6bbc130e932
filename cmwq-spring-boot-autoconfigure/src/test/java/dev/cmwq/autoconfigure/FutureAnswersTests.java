package dev.cmwq.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.async.CmwqAsyncAutoConfiguration;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueStats;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.async.WorkqueueTaskExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every future the starter hands out completes from the engine's one answer to its item: {@code submit} on the
 * {@code WorkqueueTaskExecutor} and on a workqueue bean, {@code @Async} methods on a workqueue (by name, and as the
 * default executor), and {@code @QueueWork} invocations (plain, delayed, on a CPU, keyed). Closing the context
 * completes or cancels each of them, whether the drain is skipped, times out, or finishes; a future is complete
 * only once its item is counted; cancelling a future cancels its item; and every refusal reaches the caller as
 * Spring's {@link TaskRejectedException}. The ordered workqueue {@code serial} is held by a blocker that has no
 * future, so what is queued behind it waits deterministically.
 */
class FutureAnswersTests {

	private static final long TIMEOUT = 30;

	enum Shutdown {

		NO_DRAIN("0s"), TIMED_OUT_DRAIN("200ms"), NORMAL_DRAIN("30s");

		final String timeout;

		Shutdown(String timeout) {
			this.timeout = timeout;
		}

	}

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
				CmwqAsyncAutoConfiguration.class, CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=2", "cmwq.workqueues.serial.ordered=true",
				"cmwq.async.default-workqueue=serial")
		.withUserConfiguration(AsyncConfiguration.class)
		.withBean(Runs.class)
		.withBean(AsyncCalls.class)
		.withBean(QueueWorkCalls.class);

	private final CountDownLatch release = new CountDownLatch(1);

	@ParameterizedTest
	@EnumSource(Shutdown.class)
	void everyFutureHandedOutIsCompleteOrCancelledOnceTheContextIsClosed(Shutdown shutdown) {
		try {
			this.runner.withPropertyValues("cmwq.shutdown-timeout=" + shutdown.timeout).run((context) -> {
				WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
				Workqueue serial = context.getBean("serial", Workqueue.class);
				WorkqueueTaskExecutor executor = context.getBean(WorkqueueTaskExecutor.class);
				AsyncCalls async = context.getBean(AsyncCalls.class);
				QueueWorkCalls queueWork = context.getBean(QueueWorkCalls.class);
				Runs runs = context.getBean(Runs.class);
				block(serial);

				Map<String, Future<?>> futures = new LinkedHashMap<>();
				futures.put("executor submit(Runnable)", executor.submit(runs::count));
				futures.put("executor submit(Callable)", executor.submit(runs::value));
				futures.put("executor submitCompletable(Runnable)", executor.submitCompletable(runs::count));
				futures.put("executor submitCompletable(Callable)", executor.submitCompletable(runs::value));
				futures.put("workqueue bean submit(Callable)", ((AsyncTaskExecutor) serial).submit(runs::value));
				futures.put("@Async(\"serial\") Future", async.future());
				futures.put("@Async(\"serial\") CompletableFuture", async.completable());
				futures.put("@Async on the default executor", async.onTheDefaultExecutor());
				futures.put("@QueueWork CompletableFuture", queueWork.completable());
				futures.put("@QueueWork Future", queueWork.future());
				futures.put("@QueueWork delayed", queueWork.later());
				futures.put("@QueueWork on CPU 0", queueWork.onCpu0());
				CompletableFuture<String> keyed = queueWork.keyed("k");
				assertThat(queueWork.keyed("k")).isSameAs(keyed);
				futures.put("@QueueWork keyed", keyed);
				async.voidMethod(); // its item has no future: counted below
				int requests = futures.size() + 1;
				if (shutdown == Shutdown.NORMAL_DRAIN) {
					this.release.countDown();
				}

				context.close();

				WorkqueueStats stats = system.workqueue("serial").orElseThrow().snapshot().stats();
				assertThat(futures).allSatisfy((name, future) -> assertThat(future.isDone()).as(name).isTrue());
				if (shutdown == Shutdown.NORMAL_DRAIN) {
					Future<?> delayed = futures.remove("@QueueWork delayed");
					assertThat(delayed.isCancelled()).isTrue();
					assertThat(futures).allSatisfy((name, future) -> assertThat(future).as(name)
						.succeedsWithin(Duration.ZERO)
						.isIn(null, Runs.VALUE));
					assertThat(runs.count).hasValue(requests - 1);
					assertThat(stats.cancelled()).isEqualTo(1);
				}
				else {
					assertThat(futures).allSatisfy((name, future) -> {
						assertThat(future.isCancelled()).as(name).isTrue();
						assertThatExceptionOfType(CancellationException.class).as(name).isThrownBy(future::get);
					});
					assertThat(runs.count).hasValue(0);
					assertThat(stats.cancelled()).isEqualTo(requests);
				}
			});
		}
		finally {
			this.release.countDown();
		}
	}

	@Test
	void aFutureCompletesOnlyOnceItsItemIsCounted() {
		this.runner.run((context) -> {
			Workqueue serial = context.getBean("serial", Workqueue.class);
			QueueWorkCalls queueWork = context.getBean(QueueWorkCalls.class);
			Runs runs = context.getBean(Runs.class);
			Map<String, Supplier<CompletableFuture<?>>> calls = new LinkedHashMap<>();
			calls.put("executor", () -> context.getBean(WorkqueueTaskExecutor.class).submitCompletable(runs::value));
			calls.put("@Async", () -> context.getBean(AsyncCalls.class).completable());
			calls.put("@QueueWork", queueWork::completable);
			long completed = 0;
			for (Map.Entry<String, Supplier<CompletableFuture<?>>> call : calls.entrySet()) {
				assertThat(call.getValue().get().join()).as(call.getKey()).isEqualTo(Runs.VALUE);
				assertThat(serial.snapshot().stats().completed()).as(call.getKey()).isEqualTo(++completed);
			}
			CompletableFuture<String> failing = queueWork.failing();
			assertThatExceptionOfType(ExecutionException.class).isThrownBy(failing::get)
				.withCauseInstanceOf(IllegalStateException.class);
			assertThat(serial.snapshot().stats().failed()).isEqualTo(1);
		});
	}

	@Test
	void cancellingAQueuedFutureCancelsItsItem() {
		try {
			this.runner.run((context) -> {
				Workqueue serial = context.getBean("serial", Workqueue.class);
				QueueWorkCalls queueWork = context.getBean(QueueWorkCalls.class);
				Runs runs = context.getBean(Runs.class);
				block(serial);
				Map<String, Future<?>> futures = new LinkedHashMap<>();
				futures.put("executor", context.getBean(WorkqueueTaskExecutor.class).submitCompletable(runs::value));
				futures.put("workqueue bean", ((AsyncTaskExecutor) serial).submit(runs::value));
				futures.put("@Async", context.getBean(AsyncCalls.class).future());
				CompletableFuture<String> keyed = queueWork.keyed("k");
				futures.put("@QueueWork", keyed);
				long cancelled = 0;
				for (Map.Entry<String, Future<?>> future : futures.entrySet()) {
					assertThat(future.getValue().cancel(false)).as(future.getKey()).isTrue();
					// the item was cancelled on this thread, before cancel(..) returned
					assertThat(serial.snapshot().stats().cancelled()).as(future.getKey()).isEqualTo(++cancelled);
				}
				CompletableFuture<String> next = queueWork.keyed("k"); // the key was freed: a new invocation
				assertThat(next).isNotSameAs(keyed);
				this.release.countDown();
				assertThat(next.get(TIMEOUT, TimeUnit.SECONDS)).isEqualTo(Runs.VALUE);
				assertThat(runs.count).hasValue(1);
			});
		}
		finally {
			this.release.countDown();
		}
	}

	@Test
	void everyRefusalReachesSpringCallersAsTaskRejectedExceptionSayingTheSystemIsClosed() {
		this.runner.run((context) -> {
			Workqueue serial = context.getBean("serial", Workqueue.class);
			WorkqueueTaskExecutor executor = context.getBean(WorkqueueTaskExecutor.class);
			AsyncCalls async = context.getBean(AsyncCalls.class);
			QueueWorkCalls queueWork = context.getBean(QueueWorkCalls.class);
			Runs runs = context.getBean(Runs.class);
			// Spring resolves an @Async method's executor at its first call, from the context: call them once first
			assertThat(async.future().get(TIMEOUT, TimeUnit.SECONDS)).isEqualTo(Runs.VALUE);
			assertThat(async.onTheDefaultExecutor().get(TIMEOUT, TimeUnit.SECONDS)).isEqualTo(Runs.VALUE);
			context.close();
			Map<String, Runnable> calls = new LinkedHashMap<>();
			calls.put("executor execute", () -> executor.execute(runs::count));
			calls.put("executor submit", () -> executor.submit(runs::value));
			calls.put("executor submitCompletable", () -> executor.submitCompletable(runs::value));
			calls.put("workqueue bean execute", () -> serial.execute(runs::count));
			calls.put("workqueue bean submit", () -> ((AsyncTaskExecutor) serial).submit(runs::value));
			calls.put("@Async(\"serial\")", async::future);
			calls.put("@Async on the default executor", async::onTheDefaultExecutor);
			calls.put("@QueueWork", queueWork::completable);
			calls.put("@QueueWork delayed", queueWork::later);
			calls.forEach((name, call) -> assertThatExceptionOfType(TaskRejectedException.class).as(name)
				.isThrownBy(call::run)
				.withMessage("Workqueue 'serial' does not accept work: the workqueue system is closed"));
		});
	}

	private void block(Workqueue serial) throws InterruptedException {
		CountDownLatch blocking = new CountDownLatch(1);
		serial.execute(() -> {
			blocking.countDown();
			try {
				this.release.await(TIMEOUT, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		assertThat(blocking.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncConfiguration {

	}

	/** What every call runs: it counts the run. */
	static class Runs {

		static final String VALUE = "value";

		final AtomicInteger count = new AtomicInteger();

		void count() {
			this.count.incrementAndGet();
		}

		String value() {
			count();
			return VALUE;
		}

	}

	static class AsyncCalls {

		private final Runs runs;

		AsyncCalls(Runs runs) {
			this.runs = runs;
		}

		@Async("serial")
		public Future<String> future() {
			return CompletableFuture.completedFuture(this.runs.value());
		}

		@Async("serial")
		public CompletableFuture<String> completable() {
			return CompletableFuture.completedFuture(this.runs.value());
		}

		@Async
		public CompletableFuture<String> onTheDefaultExecutor() {
			return CompletableFuture.completedFuture(this.runs.value());
		}

		@Async("serial")
		public void voidMethod() {
			this.runs.count();
		}

	}

	static class QueueWorkCalls {

		private final Runs runs;

		QueueWorkCalls(Runs runs) {
			this.runs = runs;
		}

		@QueueWork("serial")
		public CompletableFuture<String> completable() {
			return CompletableFuture.completedFuture(this.runs.value());
		}

		@QueueWork("serial")
		public Future<String> future() {
			return CompletableFuture.completedFuture(this.runs.value());
		}

		@QueueWork(value = "serial", delay = "1h")
		public CompletableFuture<String> later() {
			return CompletableFuture.completedFuture(this.runs.value());
		}

		@QueueWork(value = "serial", cpu = 0)
		public CompletableFuture<String> onCpu0() {
			return CompletableFuture.completedFuture(this.runs.value());
		}

		@QueueWork(value = "serial", key = "#key")
		public CompletableFuture<String> keyed(String key) {
			return CompletableFuture.completedFuture(this.runs.value());
		}

		@QueueWork("serial")
		public CompletableFuture<String> failing() {
			throw new IllegalStateException("fails (expected by the test)");
		}

	}

}
