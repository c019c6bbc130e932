package dev.cmwq.spring.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.core.CallerRunsWorkqueue;
import dev.cmwq.core.Overflow;
import dev.cmwq.core.Work;
import dev.cmwq.core.WorkListener;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueStats;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.SpringWorkqueue;
import org.aopalliance.intercept.MethodInterceptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.aop.framework.Advised;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabase;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseBuilder;
import org.springframework.jdbc.datasource.embedded.EmbeddedDatabaseType;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Calls of {@code @QueueWork} methods that nobody can name ({@code void}, no key, no delay, no CPU) are queued as
 * {@code execute} queues a task, so the engine holds those beyond the first thousands as bare tasks; a call whose
 * proxy has no advice after ours keeps no Spring invocation. Neither may change what a call does: each runs exactly
 * once (in order on an ordered queue) inside the task decorators, a failure reaches the {@link WorkErrorHandler} and
 * counts as failed, a refusal reaches the caller, and advice after ours (a transaction) still runs on the worker.
 * {@link #HELD} calls on a frozen queue cover both kinds of held item: the engine's {@link Work} and the bare task.
 */
class QueueWorkCallTests {

	/** More calls than the 4,096 a pool-workqueue holds back as {@link Work} items before it holds bare tasks. */
	private static final int HELD = 5_000;

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	/** The item the decorator decorated, set around the decorated task's run. */
	private static final ThreadLocal<QueueWorkItem> decorating = new ThreadLocal<>();

	/** Sets {@link #decorating} around each task's run to the item being decorated when it wrapped the task. */
	private static final TaskDecorator RECORDING_DECORATOR = (task) -> {
		QueueWorkItem item = QueueWorkItem.beingDecorated();
		return () -> {
			decorating.set(item);
			try {
				task.run();
			}
			finally {
				decorating.remove();
			}
		};
	};

	private final List<AutoCloseable> closing = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (int i = this.closing.size() - 1; i >= 0; i--) {
			this.closing.get(i).close();
		}
	}

	@Test
	void everyHeldCallOfAnOrderedQueueRunsOnceInOrderAfterTheThaw() {
		Harness harness = new Harness(null, UnaryOperator.identity());
		Jobs jobs = harness.context.getBean(Jobs.class);
		harness.system.freeze();
		IntStream.range(0, HELD).forEach(jobs::inOrder);
		assertThat(jobs.runs()).isEmpty();
		assertThat(harness.system.awaitIdle(Duration.ofMillis(100))).isFalse(); // held calls are accounted for
		harness.system.thaw();
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		assertThat(jobs.runs()).extracting(Run::n).containsExactlyElementsOf(IntStream.range(0, HELD).boxed().toList());
		assertThat(jobs.runs()).allSatisfy((run) -> assertThat(run.inItem()).isTrue());
		assertThat(harness.stats("ordered").completed()).isEqualTo(HELD);
	}

	@Test
	void everyHeldCallOfAnUnorderedQueueRunsOnce() {
		Harness harness = new Harness(null, UnaryOperator.identity());
		Jobs jobs = harness.context.getBean(Jobs.class);
		harness.system.freeze();
		IntStream.range(0, HELD).forEach(jobs::record);
		harness.system.thaw();
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		assertThat(jobs.runs()).extracting(Run::n)
			.containsExactlyInAnyOrderElementsOf(IntStream.range(0, HELD).boxed().toList());
		assertThat(harness.stats("calls").completed()).isEqualTo(HELD);
	}

	@Test
	void aFailingCallGoesToTheErrorHandlerAndCountsAsFailedHowEverItWasHeld() {
		Harness harness = new Harness(null, UnaryOperator.identity());
		Jobs jobs = harness.context.getBean(Jobs.class);
		harness.system.freeze();
		IntStream.range(0, HELD).forEach(jobs::fail);
		harness.system.thaw();
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		assertThat(harness.errors).hasSize(HELD).allSatisfy((error) -> {
			assertThat(error.workqueue()).isEqualTo("calls");
			assertThat(error.method()).isEqualTo(Jobs.class.getMethod("fail", int.class));
			assertThat(error.failure()).isInstanceOf(IllegalStateException.class)
				.hasMessage("call " + error.arguments()[0]);
		});
		assertThat(harness.errors).extracting((error) -> error.arguments()[0])
			.containsExactlyInAnyOrderElementsOf(IntStream.range(0, HELD).boxed().toList());
		WorkqueueStats stats = harness.stats("calls");
		assertThat(stats.failed()).isEqualTo(HELD);
		assertThat(stats.completed()).isZero();
		assertThat(harness.listenerFailures).hasValue(HELD); // listeners see the failure the item recorded
		assertThat(harness.engineFailures).hasValue(0); // handled: the engine's failure handler is not told again
	}

	@Test
	void aFailingCallWithADelayOrACpuGoesToTheErrorHandlerAndCountsAsFailed() {
		Harness harness = new Harness(null, UnaryOperator.identity());
		Jobs jobs = harness.context.getBean(Jobs.class);
		jobs.failOnCpu(1);
		jobs.failLater(2);
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		assertThat(harness.errors).extracting((error) -> error.arguments()[0]).containsExactlyInAnyOrder(1, 2);
		assertThat(harness.stats("calls").failed()).isEqualTo(2);
		assertThat(harness.engineFailures).hasValue(0);
	}

	@Test
	void theTaskDecoratorWrapsEveryCallAndSeesItsMethod() throws Exception {
		Harness harness = new Harness(RECORDING_DECORATOR, UnaryOperator.identity());
		Jobs jobs = harness.context.getBean(Jobs.class);
		harness.system.freeze();
		IntStream.range(0, HELD).forEach(jobs::record);
		harness.system.thaw();
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		QueueWorkItem expected = new QueueWorkItem(Jobs.class, Jobs.class.getMethod("record", int.class));
		assertThat(jobs.runs()).hasSize(HELD).allSatisfy((run) -> assertThat(run.decoratedAs()).isEqualTo(expected));
	}

	@Test
	void aFullQueueRefusesTheCallWithTaskRejectedExceptionAndRunsWhatItAccepted() {
		Harness harness = new Harness(null, UnaryOperator.identity());
		Jobs jobs = harness.context.getBean(Jobs.class);
		harness.workqueue("calls").setCapacity(HELD, Overflow.REJECT, Duration.ZERO);
		harness.system.freeze();
		IntStream.range(0, HELD).forEach(jobs::record);
		assertThatExceptionOfType(TaskRejectedException.class).isThrownBy(() -> jobs.record(HELD))
			.withMessageContaining("calls");
		harness.system.thaw();
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		assertThat(jobs.runs()).extracting(Run::n)
			.containsExactlyInAnyOrderElementsOf(IntStream.range(0, HELD).boxed().toList());
		assertThat(harness.stats("calls").rejected()).isEqualTo(1);
	}

	@Test
	void aCallerRunsOverflowRunsTheCallOnTheCallerAndHandlesItsFailure() throws Exception {
		Harness harness = new Harness(null, UnaryOperator.identity());
		Jobs jobs = harness.context.getBean(Jobs.class);
		harness.workqueue("limited").setCapacity(HELD, Overflow.CALLER_RUNS, Duration.ZERO);
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		jobs.hold(started, release); // its one worker is taken: max-active 1 holds every later call back
		try {
			assertThat(started.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
			IntStream.range(0, HELD).forEach(jobs::recordLimited);
			jobs.recordLimited(HELD);
			jobs.failLimited(HELD + 1);
			assertThat(jobs.runs()).containsExactly(new Run(HELD, Thread.currentThread(), true, null, false));
			assertThat(harness.errors).singleElement()
				.satisfies((error) -> assertThat(error.arguments()).containsExactly(HELD + 1));
			assertThat(harness.stats("limited").failed()).isEqualTo(1);
		}
		finally {
			release.countDown();
		}
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		assertThat(jobs.runs()).extracting(Run::n)
			.containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(0, HELD).boxed().toList());
		assertThat(harness.stats("limited").completed()).isEqualTo(HELD + 2);
		assertThat(harness.engineFailures).hasValue(0);
	}

	@Test
	void theCallerRunsViewRunsEachCallBeforeItReturnsAndHandlesItsFailure() throws Exception {
		Harness harness = new Harness(RECORDING_DECORATOR, (bean) -> (bean instanceof SpringWorkqueue spring)
				? spring.withDelegate(CallerRunsWorkqueue::of) : bean);
		Jobs jobs = harness.context.getBean(Jobs.class);
		jobs.record(1);
		QueueWorkItem expected = new QueueWorkItem(Jobs.class, Jobs.class.getMethod("record", int.class));
		assertThat(jobs.runs()).containsExactly(new Run(1, Thread.currentThread(), true, expected, false));
		jobs.fail(2);
		assertThat(harness.errors).singleElement()
			.satisfies((error) -> assertThat(error.arguments()).containsExactly(2));
		WorkqueueStats stats = harness.stats("calls");
		assertThat(stats.completed()).isEqualTo(1);
		assertThat(stats.failed()).isEqualTo(1);
		assertThat(harness.engineFailures).hasValue(0);
	}

	@Test
	void aTransactionAdvisingTheMethodRunsOnTheWorkerForEveryCall() {
		Harness harness = new Harness(null, UnaryOperator.identity(), Transactions.class, Ledger.class);
		Ledger ledger = harness.context.getBean(Ledger.class);
		assertThat(((Advised) ledger).getAdvisorCount()).isEqualTo(2); // ours, then the transaction's
		harness.system.freeze();
		IntStream.range(0, HELD).forEach(ledger::post);
		ledger.fail(HELD);
		harness.system.thaw();
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		assertThat(ledger.runs()).hasSize(HELD + 1).allSatisfy((run) -> {
			assertThat(run.thread()).isNotSameAs(Thread.currentThread());
			assertThat(run.inItem()).isTrue();
			assertThat(run.inTransaction()).isTrue();
		});
		assertThat(ledger.runs()).extracting(Run::n)
			.containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(0, HELD).boxed().toList());
		assertThat(harness.errors).singleElement()
			.satisfies((error) -> assertThat(error.arguments()).containsExactly(HELD));
		WorkqueueStats stats = harness.stats("calls");
		assertThat(stats.completed()).isEqualTo(HELD);
		assertThat(stats.failed()).isEqualTo(1);
	}

	@Test
	void aTransactionAdvisingAMethodWithAFutureRunsOnTheWorker() throws Exception {
		Harness harness = new Harness(null, UnaryOperator.identity(), Transactions.class, Ledger.class);
		Ledger ledger = harness.context.getBean(Ledger.class);
		assertThat(ledger.balance(7).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(7);
		assertThat(ledger.runs()).singleElement().satisfies((run) -> {
			assertThat(run.thread()).isNotSameAs(Thread.currentThread());
			assertThat(run.inTransaction()).isTrue();
		});
	}

	@Test
	void adviceAddedToTheProxyLaterRunsOnTheWorkerFromTheNextCallOn() throws Exception {
		Harness harness = new Harness(null, UnaryOperator.identity());
		Jobs jobs = harness.context.getBean(Jobs.class);
		assertThat(((Advised) jobs).getAdvisorCount()).isEqualTo(1); // ours alone: calls keep no invocation
		jobs.record(1);
		assertThat(jobs.answer(2).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(2);
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		List<Thread> advisedOn = Collections.synchronizedList(new ArrayList<>());
		((Advised) jobs).addAdvice((MethodInterceptor) (invocation) -> {
			if (invocation.getMethod().isAnnotationPresent(QueueWork.class)) {
				advisedOn.add(Thread.currentThread());
			}
			return invocation.proceed();
		});
		jobs.record(3);
		assertThat(jobs.answer(4).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(4);
		assertThat(harness.system.awaitIdle(TIMEOUT)).isTrue();
		assertThat(jobs.runs()).extracting(Run::n).containsExactlyInAnyOrder(1, 2, 3, 4);
		assertThat(advisedOn).hasSize(2).doesNotContain(Thread.currentThread());
	}

	/** A Spring context of {@link Jobs} (and {@code more}) with {@code @QueueWork} on its own workqueue system. */
	private final class Harness {

		final WorkqueueSystem system;

		final AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext();

		final List<ErrorCall> errors = Collections.synchronizedList(new ArrayList<>());

		final AtomicInteger engineFailures = new AtomicInteger();

		final AtomicInteger listenerFailures = new AtomicInteger();

		Harness(TaskDecorator decorator, UnaryOperator<Workqueue> view, Class<?>... more) {
			this.system = WorkqueueSystem.builder()
				.cpus(1)
				.systemWorkqueues(false)
				.failureHandler((workqueue, work, failure) -> this.engineFailures.incrementAndGet())
				.build();
			QueueWorkCallTests.this.closing.add(this.system);
			QueueWorkCallTests.this.closing.add(this.context);
			this.system.addListener(new WorkListener() {

				@Override
				public void finished(Workqueue workqueue, long executionNanos, Throwable failure) {
					if (failure != null) {
						Harness.this.listenerFailures.incrementAndGet();
					}
				}

			});
			Workqueue calls = this.system.allocWorkqueue("calls", Set.of(WorkqueueFlag.FREEZABLE), 0);
			Workqueue ordered = this.system.allocOrderedWorkqueue("ordered", Set.of(WorkqueueFlag.FREEZABLE));
			Workqueue limited = this.system.allocWorkqueue("limited", Set.of(), 1);
			this.context.registerBean(WorkqueueSystem.class, () -> this.system, (bd) -> bd.setDestroyMethodName(""));
			this.context.registerBean("calls", Workqueue.class, () -> view.apply(new SpringWorkqueue(calls, null)));
			this.context.registerBean("ordered", Workqueue.class,
					() -> view.apply(new SpringWorkqueue(ordered, null)));
			this.context.registerBean("limited", Workqueue.class,
					() -> view.apply(new SpringWorkqueue(limited, null)));
			WorkErrorHandler errorHandler = (workqueue, method, arguments, failure) -> this.errors
				.add(new ErrorCall(workqueue, method, arguments, failure));
			this.context.registerBean(QueueWorkBeanPostProcessor.class,
					() -> new QueueWorkBeanPostProcessor((name) -> decorator, () -> errorHandler));
			this.context.registerBean(Jobs.class);
			if (more.length > 0) {
				this.context.register(more);
			}
			this.context.refresh();
		}

		Workqueue workqueue(String name) {
			return this.system.workqueue(name).orElseThrow();
		}

		WorkqueueStats stats(String name) {
			return workqueue(name).snapshot().stats();
		}

	}

	record ErrorCall(String workqueue, Method method, Object[] arguments, Throwable failure) {
	}

	/** What a run of a method saw: its argument, its thread, whether an item ran it, decorated, in a transaction. */
	record Run(int n, Thread thread, boolean inItem, QueueWorkItem decoratedAs, boolean inTransaction) {

		static Run of(int n) {
			return new Run(n, Thread.currentThread(), Work.currentWork() != null, decorating.get(),
					TransactionSynchronizationManager.isActualTransactionActive());
		}

	}

	static class Jobs {

		private final List<Run> runs = Collections.synchronizedList(new ArrayList<>());

		/** The runs so far (a method: the caller holds a proxy, whose own fields are not the bean's). */
		public List<Run> runs() {
			return this.runs;
		}

		@QueueWork("calls")
		public void record(int n) {
			this.runs.add(Run.of(n));
		}

		@QueueWork("ordered")
		public void inOrder(int n) {
			this.runs.add(Run.of(n));
		}

		@QueueWork("calls")
		public void fail(int n) {
			throw new IllegalStateException("call " + n);
		}

		@QueueWork(value = "calls", cpu = 0)
		public void failOnCpu(int n) {
			throw new IllegalStateException("call " + n);
		}

		@QueueWork(value = "calls", delay = "1ms")
		public void failLater(int n) {
			throw new IllegalStateException("call " + n);
		}

		@QueueWork("calls")
		public CompletableFuture<Integer> answer(int n) {
			this.runs.add(Run.of(n));
			return CompletableFuture.completedFuture(n);
		}

		@QueueWork("limited")
		public void hold(CountDownLatch started, CountDownLatch release) throws InterruptedException {
			started.countDown();
			release.await();
		}

		@QueueWork("limited")
		public void recordLimited(int n) {
			this.runs.add(Run.of(n));
		}

		@QueueWork("limited")
		public void failLimited(int n) {
			throw new IllegalStateException("call " + n);
		}

	}

	@Transactional
	static class Ledger {

		private final List<Run> runs = Collections.synchronizedList(new ArrayList<>());

		/** The runs so far (a method: the caller holds a proxy, whose own fields are not the bean's). */
		public List<Run> runs() {
			return this.runs;
		}

		@QueueWork("calls")
		public void post(int n) {
			this.runs.add(Run.of(n));
		}

		@QueueWork("calls")
		public void fail(int n) {
			this.runs.add(Run.of(n));
			throw new IllegalStateException("call " + n);
		}

		@QueueWork("calls")
		public CompletableFuture<Integer> balance(int n) {
			this.runs.add(Run.of(n));
			return CompletableFuture.completedFuture(n);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class Transactions {

		@Bean(destroyMethod = "shutdown")
		EmbeddedDatabase dataSource() {
			return new EmbeddedDatabaseBuilder().setType(EmbeddedDatabaseType.H2).generateUniqueName(true).build();
		}

		@Bean
		PlatformTransactionManager transactionManager(DataSource dataSource) {
			return new DataSourceTransactionManager(dataSource);
		}

	}

}
