package dev.cmwq.autoconfigure.aop;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code @QueueWork} on methods and classes: where calls run, what they return, delay, cpu and key.
 */
class QueueWorkTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=2", "cmwq.workqueues.thumbnails.max-active=4",
				"cmwq.workqueues.audit.ordered=true", "cmwq.workqueues.serial.ordered=true")
		.withBean(Images.class)
		.withBean(Auditor.class)
		.withBean(Indexer.class);

	@Test
	void voidMethodRunsAsAnItemOfItsWorkqueue() {
		this.runner.run((context) -> {
			Images images = context.getBean(Images.class);
			CountDownLatch done = new CountDownLatch(1);
			List<String> threads = new ArrayList<>();
			images.render(threads, done);
			assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(threads).singleElement().asString().startsWith("cmwq-");
			assertThat(threads.get(0)).isNotEqualTo(Thread.currentThread().getName());
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			await().atMost(TIMEOUT)
				.until(() -> system.workqueue("thumbnails").orElseThrow().snapshot().stats().completed() == 1);
		});
	}

	@Test
	void completableFutureCarriesTheMethodsResult() {
		this.runner.run((context) -> {
			CompletableFuture<String> thread = context.getBean(Images.class).workerName();
			assertThat(thread.get(30, TimeUnit.SECONDS)).startsWith("cmwq-");
		});
	}

	@Test
	void futureCarriesTheMethodsResult() {
		this.runner.run((context) -> {
			Future<Integer> answer = context.getBean(Images.class).answer();
			assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo(42);
		});
	}

	@Test
	void aFutureThatTheBodyCompletesLaterIsWaitedFor() {
		this.runner.run((context) -> {
			CompletableFuture<String> later = new CompletableFuture<>();
			CompletableFuture<String> result = context.getBean(Images.class).relay(later);
			assertThat(result).isNotDone();
			later.complete("relayed");
			assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("relayed");
		});
	}

	@Test
	void classLevelAnnotationQueuesEveryPublicMethodOnItsWorkqueue() {
		this.runner.run((context) -> {
			Auditor auditor = context.getBean(Auditor.class);
			assertThat(auditor.record("login").get(30, TimeUnit.SECONDS)).isEqualTo("audit:login");
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			await().atMost(TIMEOUT)
				.until(() -> system.workqueue("audit").orElseThrow().snapshot().stats().completed() == 1);
		});
	}

	@Test
	void methodAnnotationTakesPrecedenceOverTheClasss() {
		this.runner.run((context) -> {
			Auditor auditor = context.getBean(Auditor.class);
			auditor.urgent().get(30, TimeUnit.SECONDS);
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			await().atMost(TIMEOUT)
				.until(() -> system.workqueue("events_highpri").orElseThrow().snapshot().stats().completed() == 1);
			assertThat(system.workqueue("audit").orElseThrow().snapshot().stats().started()).isZero();
		});
	}

	@Test
	void classLevelAnnotationLeavesObjectMethodsAlone() {
		this.runner.run((context) -> assertThat(context.getBean(Auditor.class).toString()).contains("Auditor"));
	}

	@Test
	void classLevelAnnotationLeavesContainerCallbacksAlone() {
		List<String> callbacks = new java.util.concurrent.CopyOnWriteArrayList<>();
		String testThread = Thread.currentThread().getName();
		this.runner.withBean(Callbacks.class, () -> new Callbacks(callbacks)).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(Callbacks.class).work().get(30, TimeUnit.SECONDS)).startsWith("cmwq-");
		});
		assertThat(callbacks).containsExactly("setBeanName@" + testThread, "afterPropertiesSet@" + testThread,
				"start@" + testThread, "stop@" + testThread, "destroy@" + testThread);
	}

	@Test
	void theDefaultWorkqueueIsEvents() {
		this.runner.run((context) -> {
			context.getBean(Images.class).onEvents().get(30, TimeUnit.SECONDS);
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			await().atMost(TIMEOUT)
				.until(() -> system.workqueue("events").orElseThrow().snapshot().stats().completed() == 1);
		});
	}

	@Test
	void delayQueuesTheItemOnlyAfterTheDelay() {
		this.runner.withPropertyValues("test.delay=300ms").run((context) -> {
			long start = System.nanoTime();
			long ranAt = context.getBean(Images.class).delayed().get(30, TimeUnit.SECONDS);
			assertThat(Duration.ofNanos(ranAt - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
		});
	}

	@Test
	void cpuRunsTheItemOnThatCpusPool() {
		this.runner.run((context) -> {
			Images images = context.getBean(Images.class);
			for (int i = 0; i < 5; i++) {
				assertThat(images.onCpu1().get(30, TimeUnit.SECONDS)).startsWith("cmwq-cpu1-");
			}
		});
	}

	@Test
	void callsWithTheSameKeyWhileTheFirstIsPendingRunOnceAndShareItsFuture() {
		this.runner.run((context) -> {
			Indexer indexer = context.getBean(Indexer.class);
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			indexer.block(started, release); // holds the ordered queue, so what follows stays pending
			assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
			List<CompletableFuture<Integer>> futures = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				futures.add(indexer.reindex(7L));
			}
			CompletableFuture<Integer> other = indexer.reindex(8L);
			release.countDown();
			assertThat(futures).allSatisfy((future) -> assertThat(future).isSameAs(futures.get(0)));
			assertThat(other).isNotSameAs(futures.get(0));
			assertThat(futures.get(0).get(30, TimeUnit.SECONDS)).isEqualTo(1);
			assertThat(other.get(30, TimeUnit.SECONDS)).isEqualTo(1);
			assertThat(indexer.runs(7L)).isEqualTo(1);
			// Once it has run, the next call queues a new run.
			assertThat(indexer.reindex(7L).get(30, TimeUnit.SECONDS)).isEqualTo(2);
		});
	}

	@Test
	void aCallWithTheSameKeyWhileTheFirstRunsQueuesOneMoreRun() {
		this.runner.run((context) -> {
			Indexer indexer = context.getBean(Indexer.class);
			CountDownLatch running = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			CompletableFuture<Integer> first = indexer.slowReindex(3L, running, release);
			assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<Integer> second = indexer.slowReindex(3L, null, null);
			CompletableFuture<Integer> third = indexer.slowReindex(3L, null, null);
			assertThat(second).isNotSameAs(first).isSameAs(third);
			release.countDown();
			assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo(1);
			assertThat(second.get(30, TimeUnit.SECONDS)).isEqualTo(2);
			assertThat(indexer.runs(3L)).isEqualTo(2);
		});
	}

	@Test
	void cancellingAPendingInvocationsFutureCancelsItsWorkItem() {
		this.runner.run((context) -> {
			Indexer indexer = context.getBean(Indexer.class);
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			indexer.block(started, release);
			assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
			CompletableFuture<Integer> pending = indexer.reindex(5L);
			assertThat(pending.cancel(false)).isTrue();
			CompletableFuture<Integer> next = indexer.reindex(5L); // the key is free again
			assertThat(next).isNotSameAs(pending);
			release.countDown();
			assertThat(next.get(30, TimeUnit.SECONDS)).isEqualTo(1); // the cancelled one never ran
			Workqueue serial = context.getBean(WorkqueueSystem.class).workqueue("serial").orElseThrow();
			await().atMost(TIMEOUT).until(() -> serial.snapshot().stats().completed() == 2);
			assertThat(serial.snapshot().stats().cancelled()).isEqualTo(1);
		});
	}

	static class Images {

		@QueueWork("thumbnails")
		void render(List<String> threads, CountDownLatch done) {
			threads.add(Thread.currentThread().getName());
			done.countDown();
		}

		@QueueWork("thumbnails")
		CompletableFuture<String> workerName() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@QueueWork("thumbnails")
		public Future<Integer> answer() {
			return CompletableFuture.completedFuture(42);
		}

		@QueueWork("thumbnails")
		public CompletableFuture<String> relay(CompletableFuture<String> later) {
			return later;
		}

		@QueueWork
		public CompletableFuture<Void> onEvents() {
			return CompletableFuture.completedFuture(null);
		}

		@QueueWork(value = "events", delay = "${test.delay:0}")
		public CompletableFuture<Long> delayed() {
			return CompletableFuture.completedFuture(System.nanoTime());
		}

		@QueueWork(value = "events", cpu = 1)
		public CompletableFuture<String> onCpu1() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

	}

	@QueueWork("audit")
	static class Auditor {

		public CompletableFuture<String> record(String event) {
			return CompletableFuture.completedFuture("audit:" + event);
		}

		@QueueWork("events_highpri")
		public CompletableFuture<Void> urgent() {
			return CompletableFuture.completedFuture(null);
		}

		@Override
		public String toString() {
			return "Auditor";
		}

	}

	@QueueWork
	static class Callbacks implements org.springframework.beans.factory.BeanNameAware,
			org.springframework.beans.factory.InitializingBean, org.springframework.beans.factory.DisposableBean,
			org.springframework.context.SmartLifecycle, org.springframework.core.Ordered {

		private final List<String> callbacks;

		private volatile boolean running;

		@Override
		public void start() {
			this.running = true;
			this.callbacks.add("start@" + Thread.currentThread().getName());
		}

		@Override
		public void stop() {
			this.running = false;
			this.callbacks.add("stop@" + Thread.currentThread().getName());
		}

		@Override
		public boolean isRunning() {
			return this.running;
		}

		@Override
		public int getOrder() {
			return 0;
		}

		Callbacks(List<String> callbacks) {
			this.callbacks = callbacks;
		}

		public CompletableFuture<String> work() {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@Override
		public void setBeanName(String name) {
			this.callbacks.add("setBeanName@" + Thread.currentThread().getName());
		}

		@Override
		public void afterPropertiesSet() {
			this.callbacks.add("afterPropertiesSet@" + Thread.currentThread().getName());
		}

		@Override
		public void destroy() {
			this.callbacks.add("destroy@" + Thread.currentThread().getName());
		}

	}

	static class Indexer {

		private final java.util.Map<Long, AtomicInteger> runs = new java.util.concurrent.ConcurrentHashMap<>();

		@QueueWork("serial")
		public void block(CountDownLatch started, CountDownLatch release) throws InterruptedException {
			started.countDown();
			release.await(30, TimeUnit.SECONDS);
		}

		@QueueWork(value = "serial", key = "#productId")
		public CompletableFuture<Integer> reindex(long productId) {
			return CompletableFuture.completedFuture(count(productId));
		}

		@QueueWork(value = "serial", key = "#p0")
		public CompletableFuture<Integer> slowReindex(long productId, CountDownLatch running, CountDownLatch release)
				throws InterruptedException {
			int run = count(productId);
			if (running != null) {
				running.countDown();
				release.await(30, TimeUnit.SECONDS);
			}
			return CompletableFuture.completedFuture(run);
		}

		int runs(long productId) {
			return this.runs.get(productId).get();
		}

		private int count(long productId) {
			return this.runs.computeIfAbsent(productId, (id) -> new AtomicInteger()).incrementAndGet();
		}

	}

}
