package dev.cmwq.autoconfigure;

import dev.cmwq.spring.WorkqueueSystemLifecycle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.core.task.TaskRejectedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * The workqueue system lives as long as the application context: closing the context drains the workqueues, and
 * queueing after that throws Spring's {@link TaskRejectedException} (a {@link RejectedExecutionException}).
 */
@ExtendWith(OutputCaptureExtension.class)
class LifecycleTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=2", "cmwq.workqueues.jobs.max-active=8", "cmwq.workqueues.serial.ordered=true")
		.withBean(Jobs.class);

	@Test
	void theSystemStartsWithTheContextAndStopsWhenItCloses() {
		this.runner.run((context) -> {
			WorkqueueSystemLifecycle lifecycle = context.getBean(WorkqueueSystemLifecycle.class);
			assertThat(lifecycle.isRunning()).isTrue();
			context.close();
			assertThat(lifecycle.isRunning()).isFalse();
		});
	}

	@Test
	void pausingTheContextLeavesTheSystemRunning() {
		this.runner.run((context) -> {
			context.getSourceApplicationContext(org.springframework.context.ConfigurableApplicationContext.class)
				.pause();
			assertThat(context.getBean(WorkqueueSystemLifecycle.class).isRunning()).isTrue();
			assertThat(context.getBean(Jobs.class).job(1).get(30, TimeUnit.SECONDS)).isEqualTo(1);
		});
	}

	@Test
	void closingTheContextRunsEverythingQueuedBeforeIt() {
		this.runner.run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			List<CompletableFuture<Integer>> futures = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				futures.add(jobs.job(i));
			}
			context.close();
			assertThat(jobs.ran()).isEqualTo(200);
			assertThat(futures).allSatisfy((future) -> assertThat(future).isCompleted());
		});
	}

	@Test
	void queueingAfterCloseThrowsSpringsTaskRejectedExceptionSayingTheSystemIsClosed() {
		this.runner.run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			Workqueue workqueue = context.getBean("jobs", Workqueue.class);
			context.close();
			assertThatExceptionOfType(TaskRejectedException.class).isThrownBy(() -> jobs.job(1))
				.withMessage("Workqueue 'jobs' does not accept work: the workqueue system is closed")
				.withCauseInstanceOf(RejectedExecutionException.class);
			assertThatExceptionOfType(TaskRejectedException.class).isThrownBy(() -> workqueue.execute(() -> {
			})).withMessageContaining("closed");
			assertThat(jobs.ran()).isZero();
		});
	}

	@Test
	void eachItemQueuedWhileTheContextClosesEitherRunsOrItsCallerGetsTheException() throws Exception {
		int producers = 4;
		AtomicInteger accepted = new AtomicInteger();
		AtomicInteger rejected = new AtomicInteger();
		List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
		List<Thread> threads = new ArrayList<>();
		Jobs[] jobsHolder = new Jobs[1];
		this.runner.run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			jobsHolder[0] = jobs;
			Workqueue workqueue = context.getBean("jobs", Workqueue.class);
			CountDownLatch producing = new CountDownLatch(producers);
			for (int p = 0; p < producers; p++) {
				boolean viaAnnotation = (p % 2 == 0);
				Thread thread = new Thread(() -> {
					int n = 0;
					try {
						while (true) {
							if (viaAnnotation) {
								jobs.job(n);
							}
							else {
								workqueue.execute(jobs::count);
							}
							accepted.incrementAndGet();
							if (++n == 50) {
								producing.countDown();
							}
						}
					}
					catch (RejectedExecutionException ex) {
						rejected.incrementAndGet();
					}
					catch (Throwable ex) {
						unexpected.add(ex);
					}
					finally {
						if (n < 50) {
							producing.countDown();
						}
					}
				}, "producer-" + p);
				threads.add(thread);
				thread.start();
			}
			assertThat(producing.await(30, TimeUnit.SECONDS)).isTrue();
			context.close();
		});
		for (Thread thread : threads) {
			thread.join(TimeUnit.SECONDS.toMillis(30));
			assertThat(thread.isAlive()).isFalse();
		}
		assertThat(unexpected).isEmpty();
		assertThat(rejected.get()).isEqualTo(producers);
		assertThat(accepted.get()).isGreaterThanOrEqualTo(producers * 50);
		assertThat(jobsHolder[0].ran()).isEqualTo(accepted.get());
	}

	@Test
	void whatCannotFinishWithinTheShutdownTimeoutIsLoggedPerWorkqueue(CapturedOutput output) {
		CountDownLatch release = new CountDownLatch(1);
		try {
			this.runner.withPropertyValues("cmwq.shutdown-timeout=200ms").run((context) -> {
				Workqueue workqueue = context.getBean("jobs", Workqueue.class);
				CountDownLatch started = new CountDownLatch(1);
				workqueue.execute(() -> {
					started.countDown();
					awaitQuietly(release);
				});
				assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
				context.close();
			});
			assertThat(output).contains("Workqueue 'jobs' at shutdown: 0 ran, 0 cancelled by callers, 0 never started "
					+ "(0 queued, 0 delayed), 1 still running after ");
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void shutdownEndsWithinSpringBootsPhaseTimeoutAndSaysWhatItDrainsAndWhatItCouldNotFinish(CapturedOutput output) {
		CountDownLatch release = new CountDownLatch(1);
		try {
			// cmwq.shutdown-timeout stays 30 s; the item would hold the shutdown for 60 s
			this.runner.withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class))
				.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=5s")
				.run((context) -> {
					Workqueue workqueue = context.getBean("jobs", Workqueue.class);
					CountDownLatch started = new CountDownLatch(1);
					workqueue.execute(() -> {
						started.countDown();
						awaitQuietly(release, 60);
					});
					assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
					long start = System.nanoTime();
					context.close();
					assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
				});
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(output)
				.contains("Shutting down workqueues: draining 1 workqueues, 1 items, for up to 4.5 s")
				.contains("Workqueues did not drain in")
				.contains("still running: jobs (1)"));
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void invocationsThatCouldNotStartBeforeTheShutdownTimeoutAreCancelled() {
		CountDownLatch release = new CountDownLatch(1);
		try {
			this.runner.withPropertyValues("cmwq.shutdown-timeout=200ms")
				.run((context) -> {
					Jobs jobs = context.getBean(Jobs.class);
					CountDownLatch started = new CountDownLatch(1);
					context.getBean("serial", Workqueue.class).execute(() -> {
						started.countDown();
						awaitQuietly(release);
					});
					assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
					CompletableFuture<Integer> behind = jobs.serialJob(1);
					context.close();
					assertThat(behind).isCancelled();
				});
		}
		finally {
			release.countDown();
		}
	}

	@Test
	void delayedInvocationsStillWaitingAtCloseAreCancelled() {
		this.runner.run((context) -> {
			Jobs jobs = context.getBean(Jobs.class);
			CompletableFuture<String> later = jobs.muchLater();
			context.close();
			assertThat(later).isCancelled();
			assertThatExceptionOfType(CancellationException.class).isThrownBy(() -> later.get(30, TimeUnit.SECONDS));
			assertThat(jobs.ran()).isZero();
		});
	}

	@Test
	void theSystemBeanIsClosedEvenIfTheContextNeverStarted() {
		this.runner.withBean(SystemGrabber.class).withBean("failing", String.class, () -> {
			throw new IllegalStateException("start-up fails after the system was made");
		}).run((context) -> {
			assertThat(context).hasFailed();
			WorkqueueSystem system = SystemGrabber.last;
			assertThat(system).isNotNull();
			assertThatExceptionOfType(RejectedExecutionException.class)
				.isThrownBy(() -> system.workqueue("jobs").orElseThrow().execute(() -> {
				}));
		});
	}

	private static void awaitQuietly(CountDownLatch latch) {
		awaitQuietly(latch, 30);
	}

	private static void awaitQuietly(CountDownLatch latch, int seconds) {
		try {
			latch.await(seconds, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	static class SystemGrabber {

		static volatile WorkqueueSystem last;

		SystemGrabber(WorkqueueSystem system) {
			last = system;
		}

	}

	static class Jobs {

		final AtomicInteger ran = new AtomicInteger();

		@QueueWork("jobs")
		public CompletableFuture<Integer> job(int n) {
			count();
			return CompletableFuture.completedFuture(n);
		}

		@QueueWork("serial")
		public CompletableFuture<Integer> serialJob(int n) {
			count();
			return CompletableFuture.completedFuture(n);
		}

		@QueueWork(value = "jobs", delay = "1h")
		public CompletableFuture<String> muchLater() {
			count();
			return CompletableFuture.completedFuture("ran");
		}

		void count() {
			this.ran.incrementAndGet();
		}

		int ran() {
			return this.ran.get();
		}

	}

}
