package dev.cmwq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine's own threads survive any {@code Throwable}: failures injected into the block detector, the timer and a
 * rescuer (through {@link Housekeeping#fault}, which each calls at every round and before starting its thread) are
 * logged once per episode, counted, shown as "not working" by {@link WorkqueueSystem#housekeeping()}, and what
 * failed is retried until it works: concurrency management, delayed items, the watchdog and rescuing work again.
 */
class HousekeepingTest {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private static final Runnable OUT_OF_MEMORY = () -> {
		throw new OutOfMemoryError("injected");
	};

	private final Logger engineLog = (Logger) LoggerFactory.getLogger(WorkqueueSystem.class);

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	@BeforeEach
	void captureLog() {
		this.log.start();
		this.engineLog.addAppender(this.log);
	}

	@AfterEach
	void releaseLog() {
		this.engineLog.detachAppender(this.log);
	}

	@Test
	void blockDetectorSurvivesFailuresAndManagesConcurrencyAgainOnceTheyStop() throws Exception {
		try (WorkqueueSystem system = system().build()) {
			Workqueue wq = system.allocWorkqueue("cm", Set.of(), 0);
			assertItemBehindABlockedOneStarts(wq); // the detector thread runs
			Thread detectorThread = system.detector.thread();

			system.detector.housekeeping.fault = OUT_OF_MEMORY;
			BlockedAndBehind items = BlockedAndBehind.queue(wq);
			await().atMost(PATIENCE).until(() -> status(system, BlockDetector.NAME).failures() >= 20);
			HousekeepingStatus broken = status(system, BlockDetector.NAME);
			assertThat(broken.working()).isFalse();
			assertThat(broken.lastFailure()).isEqualTo("java.lang.OutOfMemoryError: injected");
			assertThat(items.behind().getCount()).as("nothing scans while every round fails").isEqualTo(1);

			system.detector.housekeeping.fault = null;
			items.assertBehindStartsWhileTheBlockedOneWaits();
			await().atMost(PATIENCE).until(() -> status(system, BlockDetector.NAME).working());
			assertThat(system.detector.thread()).as("the same thread went on").isSameAs(detectorThread);
			items.release(wq);

			assertItemBehindABlockedOneStarts(wq);
			assertRateLimitedEpisode(BlockDetector.NAME, status(system, BlockDetector.NAME).failures());
		}
	}

	@Test
	void blockDetectorThatFailsInsideItsScanWhileProbingAWorkerGoesOnAndManagesConcurrencyAgain() throws Exception {
		AtomicBoolean failing = new AtomicBoolean();
		ThreadFactory probeFails = (r) -> new Thread(r) {
			@Override
			public State getState() { // asked by the detector's probe, in the middle of its scan
				if (failing.get() && Thread.currentThread().getName().equals(BlockDetector.NAME)) {
					throw new OutOfMemoryError("injected");
				}
				return super.getState();
			}
		};
		try (WorkqueueSystem system = system().threadFactory(probeFails).build()) {
			Workqueue wq = system.allocWorkqueue("cm", Set.of(), 0);
			assertItemBehindABlockedOneStarts(wq); // the detector thread runs
			Thread detectorThread = system.detector.thread();

			failing.set(true);
			BlockedAndBehind items = BlockedAndBehind.queue(wq);
			await().atMost(PATIENCE).until(() -> status(system, BlockDetector.NAME).failures() >= 3);
			assertThat(status(system, BlockDetector.NAME).working()).isFalse();
			assertThat(items.behind().getCount()).as("every probe of the blocked worker fails").isEqualTo(1);

			failing.set(false);
			items.assertBehindStartsWhileTheBlockedOneWaits();
			await().atMost(PATIENCE).until(() -> status(system, BlockDetector.NAME).working());
			assertThat(system.detector.thread()).as("the same thread went on").isSameAs(detectorThread);
			items.release(wq);
			assertItemBehindABlockedOneStarts(wq);
			PoolSnapshot pool = system.snapshot().pool("cpu0").orElseThrow();
			assertThat(pool.busy() + pool.idle()).isEqualTo(pool.workers());
		}
	}

	@Test
	void blockDetectorThatCannotBeStartedIsRetriedAndQueueingNeverSeesTheFailure() throws Exception {
		try (WorkqueueSystem system = system().build()) {
			Workqueue wq = system.allocWorkqueue("cm", Set.of(), 0);
			system.detector.housekeeping.fault = OUT_OF_MEMORY; // before its thread exists: starting it fails
			BlockedAndBehind items = BlockedAndBehind.queue(wq); // queueing sees no OutOfMemoryError
			await().atMost(PATIENCE).until(() -> status(system, BlockDetector.NAME).failures() >= 3);
			assertThat(status(system, BlockDetector.NAME).working()).isFalse();
			assertThat(system.detector.thread()).isNull();

			system.detector.housekeeping.fault = null; // the timer's next retry starts it; nothing new is queued
			items.assertBehindStartsWhileTheBlockedOneWaits();
			await().atMost(PATIENCE).until(() -> status(system, BlockDetector.NAME).working());
			items.release(wq);
		}
	}

	@Test
	void timerSurvivesFailingTasksAndRunsThemAgain() throws Exception {
		try (WorkqueueSystem system = system().build()) {
			Workqueue wq = system.allocWorkqueue("delayed", Set.of(), 0);
			CountDownLatch first = new CountDownLatch(1);
			wq.queueDelayed(new DelayedWork(first::countDown), Duration.ofMillis(1));
			assertThat(first.await(30, TimeUnit.SECONDS)).isTrue(); // the timer thread runs
			Thread timerThread = timerThread(system);

			system.timers.housekeeping.fault = OUT_OF_MEMORY;
			AtomicBoolean fired = new AtomicBoolean();
			CountDownLatch ran = new CountDownLatch(1);
			wq.queueDelayed(new DelayedWork(() -> {
				fired.set(true);
				ran.countDown();
			}), Duration.ofMillis(1));
			await().atMost(PATIENCE).until(() -> status(system, Timers.NAME).failures() >= 10);
			assertThat(status(system, Timers.NAME).working()).isFalse();
			assertThat(fired).as("the failing timer has not linked the item").isFalse();
			assertThat(system.awaitIdle(Duration.ZERO)).as("the item is still owed a run").isFalse();

			system.timers.housekeeping.fault = null;
			assertThat(ran.await(30, TimeUnit.SECONDS)).as("the delayed item runs once the timer works").isTrue();
			await().atMost(PATIENCE).until(() -> status(system, Timers.NAME).working());
			assertThat(timerThread(system)).as("the same thread went on").isSameAs(timerThread);
			assertThat(system.awaitIdle(PATIENCE)).isTrue();
			assertThat(wq.snapshot().stats().completed()).isEqualTo(2);
			assertRateLimitedEpisode(Timers.NAME, status(system, Timers.NAME).failures());
		}
	}

	@Test
	void watchdogChecksFailingOnTheTimerAreRunAgainAndReportTheStall() throws Exception {
		try (WorkqueueSystem system = system().maxWorkersPerPool(1).watchdogThreshold(Duration.ofMillis(300)).build()) {
			Workqueue wq = system.allocWorkqueue("stuck", Set.of(), 0);
			timerThread(system); // the timer thread runs: the checks themselves fail
			system.timers.housekeeping.fault = OUT_OF_MEMORY;
			CountDownLatch release = new CountDownLatch(1);
			CountDownLatch started = new CountDownLatch(1);
			wq.execute(() -> {
				started.countDown();
				WorkSemanticsTest.awaitLatch(release);
			});
			assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
			wq.execute(() -> {
			}); // pending behind the only worker: the pool stalls
			await().atMost(PATIENCE).until(() -> status(system, Timers.NAME).failures() >= 3);
			assertThat(system.snapshot().pool("cpu0").orElseThrow().stalled()).as("no check has run").isFalse();

			system.timers.housekeeping.fault = null;
			await().atMost(PATIENCE).until(() -> system.snapshot().pool("cpu0").orElseThrow().stalled());
			release.countDown();
			wq.flush();
			await().atMost(PATIENCE).until(() -> !system.snapshot().pool("cpu0").orElseThrow().stalled());
			assertThat(status(system, Timers.NAME).working()).isTrue();
		}
	}

	/**
	 * The block detector has the threads of the workers it kicks started by the timer: if the timer's thread cannot be
	 * started, the detector, which scans while items wait, tries again, though nothing new is queued (found by
	 * ModelBasedRandomTest, THREADS: every driver waited in a flush of a pool whose waking worker's thread start sat
	 * in the timer's queue).
	 */
	@Test
	void aWorkerKickedByTheDetectorGetsItsThreadThoughTheTimerThreadCouldNotBeStarted() throws Exception {
		try (WorkqueueSystem system = system().watchdogThreshold(Duration.ZERO).build()) { // no watchdog timers
			Workqueue wq = system.allocWorkqueue("cm", Set.of(), 0);
			system.timers.housekeeping.fault = OUT_OF_MEMORY; // before its thread exists: starting it fails
			BlockedAndBehind items = BlockedAndBehind.queue(wq);
			// the detector finds the first blocked and has the timer start a worker for the second: that fails
			await().atMost(PATIENCE).until(() -> status(system, Timers.NAME).failures() >= 1);
			assertThat(system.timers.threadMissing).isTrue();
			system.timers.housekeeping.fault = null; // nothing new is queued from here on
			items.assertBehindStartsWhileTheBlockedOneWaits();
			items.release(wq);
			assertThat(status(system, Timers.NAME).working()).isTrue();
		}
	}

	@Test
	void aTimerThreadThatCouldNotBeStartedIsStartedAgainThoughNothingElseIsQueued() throws Exception {
		try (WorkqueueSystem system = system().watchdogThreshold(Duration.ZERO).build()) { // no watchdog timers
			Workqueue wq = system.allocWorkqueue("delayed", Set.of(), 0);
			system.timers.housekeeping.fault = OUT_OF_MEMORY; // before its thread exists: starting it fails
			CountDownLatch ran = new CountDownLatch(1);
			assertThat(wq.queueDelayed(new DelayedWork(ran::countDown), Duration.ofMillis(1))).isTrue();
			assertThat(status(system, Timers.NAME).working()).isFalse();
			await().atMost(PATIENCE).until(() -> status(system, Timers.NAME).failures() >= 2); // retried meanwhile
			assertThat(ran.getCount()).as("no timer thread: nothing fires").isEqualTo(1);

			system.timers.housekeeping.fault = null; // nothing is queued from here on
			assertThat(ran.await(30, TimeUnit.SECONDS)).as("the delayed item fires").isTrue();
			assertThat(status(system, Timers.NAME).working()).isTrue();
			assertThat(system.awaitIdle(PATIENCE)).isTrue();
		}
	}

	@Test
	void rescuerSurvivesFailuresAndRescuesAgain() throws Exception {
		try (WorkqueueSystem system = system().maydayInterval(Duration.ofMillis(10))
			.threadFactory((r) -> null) // no worker can be had: only the rescuer runs items
			.build()) {
			Workqueue wq = system.allocWorkqueue("reclaim", Set.of(WorkqueueFlag.MEM_RECLAIM), 0);
			system.rescuers.fault = OUT_OF_MEMORY;
			CountDownLatch ran = new CountDownLatch(1);
			wq.execute(ran::countDown);
			await().atMost(PATIENCE).until(() -> status(system, "cmwq-rescuer").failures() >= 3);
			HousekeepingStatus broken = status(system, "cmwq-rescuer");
			assertThat(broken.working()).isFalse();
			assertThat(broken.lastFailure()).isEqualTo("cmwq-rescuer-reclaim: java.lang.OutOfMemoryError: injected");
			assertThat(ran.getCount()).as("nothing rescued while every round fails").isEqualTo(1);

			system.rescuers.fault = null;
			assertThat(ran.await(30, TimeUnit.SECONDS)).as("the rescuer runs the item").isTrue();
			await().atMost(PATIENCE).until(() -> status(system, "cmwq-rescuer").working());
		}
	}

	@Test
	void aRescuerThatFailedWorksAgainOnceTheFaultEndsThoughAWorkerRanItsItems() throws Exception {
		AtomicReference<ThreadFactory> factory = new AtomicReference<>((r) -> null);
		try (WorkqueueSystem system = system().maydayInterval(Duration.ofMillis(10))
			.threadFactory((r) -> factory.get().newThread(r))
			.build()) {
			Workqueue wq = system.allocWorkqueue("reclaim", Set.of(WorkqueueFlag.MEM_RECLAIM), 0);
			system.rescuers.fault = OUT_OF_MEMORY;
			CountDownLatch ran = new CountDownLatch(1);
			wq.execute(ran::countDown);
			await().atMost(PATIENCE).until(() -> status(system, "cmwq-rescuer").failures() >= 1);

			factory.set(Thread::new); // a worker runs the item: no pool calls for the rescuer any more
			assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(system.awaitIdle(PATIENCE)).isTrue();
			system.rescuers.fault = null;
			await("the rescuer retries what failed, finds nothing to rescue, and works").atMost(PATIENCE)
				.until(() -> status(system, "cmwq-rescuer").working());
		}
	}

	@Test
	void aFailingRescuerWhoseQueueIsDestroyedLeavesNothingNotWorking() throws Exception {
		AtomicReference<ThreadFactory> factory = new AtomicReference<>((r) -> null);
		try (WorkqueueSystem system = system().maydayInterval(Duration.ofMillis(10))
			.threadFactory((r) -> factory.get().newThread(r))
			.build()) {
			Workqueue wq = system.allocWorkqueue("reclaim", Set.of(WorkqueueFlag.MEM_RECLAIM), 0);
			system.rescuers.fault = OUT_OF_MEMORY; // for good: the rescuer never succeeds again
			wq.execute(() -> {
			});
			await().atMost(PATIENCE).until(() -> status(system, "cmwq-rescuer").failures() >= 1);

			factory.set(Thread::new);
			wq.destroy(); // a worker runs the item, and the rescuer stops while failing
			await("a stopped rescuer no longer counts as failing").atMost(PATIENCE)
				.until(() -> status(system, "cmwq-rescuer").working());
		}
	}

	/**
	 * The timer thread links a fired delayed item, then drops it from its queue's armed set (the set close() waits
	 * for); in between the item may run and end, so that the system is idle while the set still holds it. Here the
	 * timer thread is held in between: in the block detector's start, which linking the item behind a running one
	 * makes.
	 */
	@Test
	void aFiredItemMayRunAndEndBeforeTheTimerDropsItFromTheArmedSet() throws Exception {
		CountDownLatch timerHeld = new CountDownLatch(1);
		CountDownLatch letGo = new CountDownLatch(1);
		// no CPU-intensive marking: the spinning item below counts as running until it ends
		try (WorkqueueSystem system = system().cpuIntensiveThreshold(Duration.ZERO).build()) {
			DefaultWorkqueue wq = (DefaultWorkqueue) system.allocWorkqueue("delayed", Set.of(), 0);
			system.detector.housekeeping.fault = () -> {
				if (Thread.currentThread().getName().equals(Timers.NAME)) {
					timerHeld.countDown();
					WorkSemanticsTest.awaitLatch(letGo);
				}
			};
			CountDownLatch running = new CountDownLatch(1);
			wq.execute(() -> {
				running.countDown();
				while (timerHeld.getCount() > 0) {
					Thread.onSpinWait();
				}
			});
			assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
			CountDownLatch ran = new CountDownLatch(1);
			wq.queueDelayed(new DelayedWork(ran::countDown), Duration.ofMillis(1));
			assertThat(timerHeld.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(system.awaitIdle(PATIENCE)).as("the item was answered").isTrue();
			assertThat(wq.armed).as("while the timer thread has not let go of it").hasSize(1);

			letGo.countDown();
			await().atMost(PATIENCE).until(wq.armed::isEmpty);
			assertThat(system.close(PATIENCE)).isTrue();
		}
		finally {
			letGo.countDown();
		}
	}

	@Test
	void everyKindOfEngineThreadIsListedAndWorksAtRest() {
		try (WorkqueueSystem system = system().build()) {
			assertThat(system.housekeeping()).containsExactly(
					new HousekeepingStatus("cmwq-block-detector", true, 0, null),
					new HousekeepingStatus("cmwq-timer", true, 0, null),
					new HousekeepingStatus("cmwq-rescuer", true, 0, null));
		}
	}

	// ---- helpers -------------------------------------------------------------------------------------------

	private static WorkqueueSystem.Builder system() {
		return WorkqueueSystem.builder().cpus(1).systemWorkqueues(false);
	}

	/** Concurrency management at work: an item queued behind a blocked one starts while that one still waits. */
	private static void assertItemBehindABlockedOneStarts(Workqueue wq) throws InterruptedException {
		BlockedAndBehind items = BlockedAndBehind.queue(wq);
		items.assertBehindStartsWhileTheBlockedOneWaits();
		items.release(wq);
	}

	/**
	 * An item blocked on CPU 0 until released, and one queued behind it on the same CPU: only concurrency management
	 * (the block detector finding the first one blocked) starts the second before the first ends.
	 */
	private record BlockedAndBehind(CountDownLatch release, CountDownLatch behind) {

		static BlockedAndBehind queue(Workqueue wq) throws InterruptedException {
			BlockedAndBehind items = new BlockedAndBehind(new CountDownLatch(1), new CountDownLatch(1));
			CountDownLatch blocked = new CountDownLatch(1);
			wq.queueOn(0, new Work(() -> {
				blocked.countDown();
				WorkSemanticsTest.awaitLatch(items.release());
			}));
			assertThat(blocked.await(30, TimeUnit.SECONDS)).isTrue();
			assertThat(wq.queueOn(0, new Work(items.behind()::countDown))).isTrue();
			return items;
		}

		void assertBehindStartsWhileTheBlockedOneWaits() throws InterruptedException {
			assertThat(this.behind.await(30, TimeUnit.SECONDS)).as("the item behind the blocked one starts").isTrue();
			assertThat(this.release.getCount()).as("while the blocked one still waits").isEqualTo(1);
		}

		void release(Workqueue wq) {
			this.release.countDown();
			wq.flush();
		}

	}

	private static HousekeepingStatus status(WorkqueueSystem system, String thread) {
		return system.housekeeping()
			.stream()
			.filter((status) -> status.thread().equals(thread))
			.findFirst()
			.orElseThrow();
	}

	/** The thread that runs the system's timers now. */
	private static Thread timerThread(WorkqueueSystem system) throws InterruptedException {
		AtomicReference<Thread> thread = new AtomicReference<>();
		CountDownLatch ran = new CountDownLatch(1);
		system.timers.schedule(() -> {
			thread.set(Thread.currentThread());
			ran.countDown();
		}, 0);
		assertThat(ran.await(30, TimeUnit.SECONDS)).isTrue();
		return thread.get();
	}

	/** One error with the stack trace for the whole episode, at most one summary, and one line when it ended. */
	private void assertRateLimitedEpisode(String thread, long failures) {
		List<ILoggingEvent> lines = this.log.list.stream()
			.filter((event) -> event.getFormattedMessage().startsWith("Engine thread " + thread + " "))
			.toList();
		assertThat(lines.stream().filter((event) -> event.getLevel() == Level.ERROR))
			.singleElement()
			.satisfies((event) -> assertThat(event.getThrowableProxy().getMessage()).isEqualTo("injected"));
		assertThat(lines.stream().filter((event) -> event.getLevel() == Level.WARN)).hasSizeLessThanOrEqualTo(1);
		assertThat(lines.stream().filter((event) -> event.getLevel() == Level.INFO).map(ILoggingEvent::getFormattedMessage))
			.containsExactly("Engine thread " + thread + " works again after " + failures + " failures");
	}

}
