package dev.cmwq.autoconfigure.aop;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Work that waits for other work does not deadlock: a blocked worker lets the pool start another one, where a
 * bounded thread pool runs out of threads.
 */
class NestedQueueWorkTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=1")
		.withBean(Nester.class);

	@Test
	void queueWorkWaitingOnQueueWorkNested32DeepCompletesOnOneCpu() {
		this.runner.run((context) -> {
			Nester nester = context.getBean(Nester.class);
			assertThat(nester.nest(32).get(30, TimeUnit.SECONDS)).isEqualTo(32);
			assertThat(nester.nestFuture(32).get(30, TimeUnit.SECONDS)).isEqualTo(32);
		});
	}

	@Test
	void theSameCodeOnSpringBootsDefaultEightThreadExecutorHangsBeyondDepthEight() throws Exception {
		ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor(); // Spring Boot's defaults: 8 core threads,
		executor.setCorePoolSize(8); // an unbounded queue
		executor.initialize();
		try {
			// nestOn(executor, n) is n + 1 items, each but the innermost waiting for the next.
			CompletableFuture<Integer> done = nestOn(executor, 7);
			assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo(7);
			CompletableFuture<Integer> hung = nestOn(executor, 8);
			// Eight waiting items hold all eight threads: the ninth can never start, so this never completes.
			assertThatExceptionOfType(TimeoutException.class).isThrownBy(() -> hung.get(1, TimeUnit.SECONDS));
		}
		finally {
			executor.setWaitForTasksToCompleteOnShutdown(false);
			executor.shutdown(); // interrupts the waiting threads
		}
	}

	private static CompletableFuture<Integer> nestOn(ThreadPoolTaskExecutor executor, int depth) {
		return CompletableFuture.supplyAsync(() -> {
			if (depth == 0) {
				return 0;
			}
			try {
				return nestOn(executor, depth - 1).get() + 1;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			catch (ExecutionException ex) {
				throw new IllegalStateException(ex);
			}
		}, executor);
	}

	static class Nester {

		private final ObjectProvider<Nester> self;

		Nester(ObjectProvider<Nester> self) {
			this.self = self;
		}

		@QueueWork
		public CompletableFuture<Integer> nest(int depth) throws Exception {
			if (depth == 0) {
				return CompletableFuture.completedFuture(0);
			}
			return CompletableFuture.completedFuture(this.self.getObject().nest(depth - 1).get() + 1);
		}

		@QueueWork("events_long")
		public Future<Integer> nestFuture(int depth) throws Exception {
			if (depth == 0) {
				return CompletableFuture.completedFuture(0);
			}
			return CompletableFuture.completedFuture(this.self.getObject().nestFuture(depth - 1).get() + 1);
		}

	}

}
