package dev.cmwq.core;

import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Thread factories that misbehave (return null or a thread already started, throw, or return a thread that never
 * runs the worker) are refusals: the rescuers step in, the warning is one line per pool per episode with a count
 * when it ends, failed starts are counted, and the worker counts stay consistent. Workers and rescuers inherit
 * nothing from the thread that queues (or allocates).
 */
class ThreadFactoryFaultsTest {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private static final Duration MAYDAY = Duration.ofMillis(50);

	/** Ends the threads the misbehaving factories park. */
	private final CountDownLatch end = new CountDownLatch(1);

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private final Logger engineLog = (Logger) LoggerFactory.getLogger(WorkqueueSystem.class);

	@BeforeEach
	void captureLog() {
		this.log.start();
		this.engineLog.addAppender(this.log);
	}

	@AfterEach
	void tearDown() {
		this.end.countDown();
		this.engineLog.detachAppender(this.log);
	}

	enum Misbehaviour {

		/** Returns null. */
		NULL,
		/** Returns a thread it started itself, which runs the worker. */
		STARTED_RUNNING_THE_WORKER,
		/** Returns a thread it started itself, which runs something else. */
		STARTED_RUNNING_SOMETHING_ELSE,
		/** Returns an unstarted thread that ends without running the worker. */
		NEVER_RUNS_IT_AND_ENDS,
		/** Returns an unstarted thread that runs something else for good. */
		NEVER_RUNS_IT_AND_STAYS,
		/** Throws. */
		THROWS

	}

	private ThreadFactory misbehaving(Misbehaviour misbehaviour) {
		Runnable park = () -> WorkSemanticsTest.awaitLatch(this.end);
		return (r) -> switch (misbehaviour) {
			case NULL -> null;
			case STARTED_RUNNING_THE_WORKER -> started(new Thread(r));
			case STARTED_RUNNING_SOMETHING_ELSE -> started(new Thread(park));
			case NEVER_RUNS_IT_AND_ENDS -> new Thread(() -> {
			});
			case NEVER_RUNS_IT_AND_STAYS -> new Thread(park);
			case THROWS -> throw new IllegalStateException("no threads today (injected)");
		};
	}

	private static Thread started(Thread thread) {
		thread.setDaemon(true);
		thread.start();
		return thread;
	}

	@ParameterizedTest
	@EnumSource(Misbehaviour.class)
	void aMisbehavingFactoryIsARefusalTheRescuerStepsInAndCountsStayConsistent(Misbehaviour misbehaviour)
			throws Exception {
		AtomicReference<ThreadFactory> factory = new AtomicReference<>(misbehaving(misbehaviour));
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.maydayInterval(MAYDAY)
			.threadFactory((r) -> factory.get().newThread(r))
			.build()) {
			Workqueue reclaim = system.allocWorkqueue("reclaim", Set.of(WorkqueueFlag.MEM_RECLAIM), 0);
			Workqueue plain = system.allocWorkqueue("plain", Set.of(), 0);
			AtomicReference<String> worker = new AtomicReference<>();
			plain.queueOn(0, new Work(() -> worker.set(Thread.currentThread().getName()))); // needs a worker
			List<String> ranOn = new CopyOnWriteArrayList<>();
			CountDownLatch ran = new CountDownLatch(20);
			for (int i = 0; i < 20; i++) {
				reclaim.queueOn(0, new Work(() -> {
					ranOn.add(Thread.currentThread().getName());
					ran.countDown();
				}));
			}
			assertThat(ran.await(30, TimeUnit.SECONDS)).as("the rescuer ran the items").isTrue();
			assertThat(ranOn).allSatisfy((name) -> assertThat(name).isEqualTo("cmwq-rescuer-reclaim"));
			await().atMost(PATIENCE).until(() -> cpu0(system).failedStarts() >= 3); // retries for the plain item
			PoolSnapshot pool = cpu0(system);
			assertConsistent(pool);
			assertThat(pool.workers()).as("none but one being started").isLessThanOrEqualTo(1);
			assertThat(pool.idle()).isZero();
			assertThat(pool.pending()).isOne();
			assertThat(warnings("Pool cpu0 could not start a worker")).as("one line for the episode").hasSize(1);

			factory.set(Thread::new);
			plain.flush();
			assertThat(worker.get()).startsWith("cmwq-cpu0-w");
			long failed = cpu0(system).failedStarts();
			await().atMost(PATIENCE)
				.until(() -> !infos("Pool cpu0 started a worker again, after " + failed + " failed start").isEmpty());
			await().atMost(PATIENCE).untilAsserted(() -> {
				PoolSnapshot after = cpu0(system);
				assertConsistent(after);
				assertThat(after.workers()).isEqualTo(1);
				assertThat(after.busy()).isZero();
			});
		}
	}

	@Test
	void aThreadThatRunsTheWorkerLateIsToldToLeaveAndTouchesNothing() throws Exception {
		CountDownLatch letRun = new CountDownLatch(1);
		AtomicInteger made = new AtomicInteger();
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.maydayInterval(MAYDAY)
			.threadFactory((r) -> (made.incrementAndGet() == 1) ? new Thread(() -> {
				WorkSemanticsTest.awaitLatch(letRun); // far later than two mayday intervals
				r.run();
			}) : new Thread(r))
			.build()) {
			Workqueue wq = system.allocWorkqueue("late", Set.of(), 0);
			AtomicInteger ran = new AtomicInteger();
			wq.queueOn(0, new Work(ran::incrementAndGet));
			wq.flush(); // the first thread is given up; the retry's runs it
			assertThat(ran).hasValue(1);
			assertThat(cpu0(system).failedStarts()).isEqualTo(1);
			letRun.countDown();
			await().atMost(PATIENCE).untilAsserted(() -> {
				PoolSnapshot pool = cpu0(system);
				assertConsistent(pool);
				assertThat(pool.workers()).isEqualTo(1);
			});
		}
	}

	@Test
	void workersAndRescuersInheritNoThreadLocalsNorTheContextClassLoaderOfTheThreadThatNeedsThem()
			throws Exception {
		InheritableThreadLocal<String> request = new InheritableThreadLocal<>();
		ClassLoader builders = Thread.currentThread().getContextClassLoader();
		ClassLoader callers = new URLClassLoader(new URL[0], null);
		AtomicReference<String> seenValue = new AtomicReference<>("unset");
		AtomicReference<ClassLoader> seenLoader = new AtomicReference<>();
		Runnable look = () -> {
			seenValue.set(request.get());
			seenLoader.set(Thread.currentThread().getContextClassLoader());
		};
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
				WorkqueueSystem noThreads = WorkqueueSystem.builder()
					.cpus(1)
					.systemWorkqueues(false)
					.maydayInterval(MAYDAY)
					.threadFactory((r) -> null)
					.build()) {
			Workqueue wq = system.allocWorkqueue("plain", Set.of(), 0);
			AtomicReference<Workqueue> reclaim = new AtomicReference<>();
			Thread caller = new Thread(() -> {
				request.set("the caller's");
				Thread.currentThread().setContextClassLoader(callers);
				wq.execute(look); // the pool's first worker is made on this thread
				reclaim.set(noThreads.allocWorkqueue("reclaim", Set.of(WorkqueueFlag.MEM_RECLAIM), 0));
			});
			caller.start();
			caller.join(PATIENCE.toMillis());
			wq.flush();
			assertThat(seenValue.get()).isNull();
			assertThat(seenLoader.get()).isSameAs(builders);

			seenValue.set("unset");
			reclaim.get().execute(look);
			reclaim.get().flush(); // run by the rescuer, made on the caller's thread
			assertThat(seenValue.get()).isNull();
			assertThat(seenLoader.get()).isSameAs(builders);
		}
	}

	private static PoolSnapshot cpu0(WorkqueueSystem system) {
		return system.snapshot().pool("cpu0").orElseThrow();
	}

	private static void assertConsistent(PoolSnapshot pool) {
		assertThat(pool.busy() + pool.idle()).as("busy + idle = workers: %s", pool).isEqualTo(pool.workers());
		assertThat(List.of(pool.workers(), pool.busy(), pool.idle(), pool.running(), pool.pending()))
			.as("nothing negative: %s", pool)
			.allSatisfy((n) -> assertThat(n).isNotNegative());
	}

	private List<String> warnings(String text) {
		return messages(Level.WARN, text);
	}

	private List<String> infos(String text) {
		return messages(Level.INFO, text);
	}

	private List<String> messages(Level level, String text) {
		return this.log.list.stream()
			.filter((event) -> event.getLevel() == level)
			.map(ILoggingEvent::getFormattedMessage)
			.filter((message) -> message.contains(text))
			.toList();
	}

}
