package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cmwq.core.Work.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code close()} answers every request that has not started before it returns, wherever the request waits: held
 * back on an ordered queue, on a worklist, on a timer, on the scheduled list of the worker running its previous
 * instance (collided), deferred on another pool until that instance ends, or on a rescuer's scheduled list. Each
 * placement is closed three ways: with no drain ({@code close(ZERO)}) and with a drain that times out (the item
 * holding it back still blocked), and after the blocker was released (a normal drain). Blocked, the waiting
 * request is answered {@link Outcome#ABANDONED} on the closing thread, exactly once, and never runs, even after the
 * blocker ends; the blocker's own run is answered when it ends. The shutdown report says so per queue.
 */
class ShutdownAnswersTest {

	private static final long TIMEOUT = 30;

	enum Close {

		NO_DRAIN, TIMED_OUT_DRAIN, NORMAL_DRAIN

	}

	enum Placement {

		HELD_BACK, WORKLIST, DELAYED, COLLIDED, DEFERRED, RESCUER

	}

	static List<Arguments> cases() {
		List<Arguments> cases = new ArrayList<>();
		for (Placement placement : Placement.values()) {
			for (Close close : Close.values()) {
				cases.add(Arguments.of(placement, close));
			}
		}
		return cases;
	}

	private final Logger engineLog = (Logger) LoggerFactory.getLogger(WorkqueueSystem.class);

	private final ListAppender<ILoggingEvent> log = new ListAppender<>();

	private final CountDownLatch release = new CountDownLatch(1);

	/** Whether the thread factory makes threads; closed for the placements that need a pool without workers. */
	private volatile boolean threads = true;

	private WorkqueueSystem system;

	ShutdownAnswersTest() {
		this.log.start();
		this.engineLog.addAppender(this.log);
	}

	@AfterEach
	void tearDown() {
		this.release.countDown();
		this.threads = true;
		this.engineLog.detachAppender(this.log);
		if (this.system != null) {
			this.system.close(Duration.ofSeconds(5));
		}
	}

	@ParameterizedTest(name = "{0}, {1}")
	@MethodSource("cases")
	void everyRequestThatHasNotStartedIsAnsweredWhenCloseReturns(Placement placement, Close close) throws Exception {
		this.system = WorkqueueSystem.builder()
			.cpus(2)
			.systemWorkqueues(false)
			.watchdogThreshold(Duration.ZERO)
			.maydayInterval(Duration.ofMillis(10))
			.threadFactory((r) -> this.threads ? new Thread(r) : null)
			.build();
		CountDownLatch running = new CountDownLatch(1);
		RecordingWork blocker = new RecordingWork(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(this.release);
		});
		RecordingWork waiting = new RecordingWork(() -> {
		});
		String queue = place(placement, blocker, waiting, running);
		// the request that waits: the blocker's second one (collided, deferred), else the waiting item's
		RecordingWork target = (placement == Placement.COLLIDED || placement == Placement.DEFERRED) ? blocker : waiting;
		boolean blockerRuns = placement != Placement.WORKLIST && placement != Placement.DELAYED;
		// the DEFERRED blocker runs for another queue than the one its waiting request belongs to
		int stillRunning = (blockerRuns && placement != Placement.DEFERRED) ? 1 : 0;

		if (close == Close.NORMAL_DRAIN) {
			this.release.countDown();
			this.threads = true;
			assertThat(this.system.close(Duration.ofSeconds(TIMEOUT))).isTrue();
			Outcome expected = (placement == Placement.DELAYED) ? Outcome.ABANDONED : Outcome.COMPLETED;
			if (target == blocker) {
				assertThat(blocker.outcomes()).containsExactly(Outcome.COMPLETED, Outcome.COMPLETED);
			}
			else {
				assertThat(waiting.outcomes()).containsExactly(expected);
				if (blockerRuns) {
					assertThat(blocker.outcomes()).containsExactly(Outcome.COMPLETED);
				}
			}
			return;
		}

		Thread closer = Thread.currentThread();
		boolean drained = this.system.close((close == Close.NO_DRAIN) ? Duration.ZERO : Duration.ofMillis(300));
		assertThat(drained).isEqualTo(!blockerRuns && placement == Placement.DELAYED);
		assertThat(target.answers).singleElement().satisfies((answer) -> {
			assertThat(answer.outcome()).isEqualTo(Outcome.ABANDONED);
			assertThat(answer.thread()).isSameAs(closer);
		});
		assertThat(target.isPending()).isFalse();
		boolean delayed = placement == Placement.DELAYED;
		assertThat(report(queue)).contains("1 never started (" + (delayed ? "0" : "1") + " queued, "
				+ (delayed ? "1" : "0") + " delayed)")
			.contains(stillRunning + " still running");

		this.release.countDown(); // the blocker's run ends, is answered, and nothing else ever runs
		this.threads = true;
		if (blockerRuns) {
			await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> blocker.outcomes().contains(Outcome.COMPLETED));
		}
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
		if (target == blocker) {
			assertThat(blocker.outcomes()).containsExactly(Outcome.ABANDONED, Outcome.COMPLETED);
			assertThat(blocker.runs).hasValue(1);
		}
		else {
			assertThat(waiting.outcomes()).containsExactly(Outcome.ABANDONED);
			assertThat(waiting.runs).hasValue(0);
			assertThat(blocker.outcomes()).containsExactly(blockerRuns ? new Outcome[] { Outcome.COMPLETED }
					: new Outcome[0]);
		}
		assertThat(blocker.errorsInDone).isEmpty();
	}

	@Test
	void theShutdownReportSaysWhatRanWasCancelledNeverStartedAndStillRunsInCountsThatAddUp() throws Exception {
		this.system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		Workqueue wq = this.system.allocOrderedWorkqueue("mixed", Set.of(WorkqueueFlag.FREEZABLE));
		CountDownLatch running = new CountDownLatch(1);
		RecordingWork cancelled = new RecordingWork(() -> {
		});
		RecordingWork first = new RecordingWork(() -> {
		});
		RecordingWork second = new RecordingWork(cancelled::cancel); // a caller cancels while close() drains
		RecordingWork blocker = new RecordingWork(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(this.release);
		});
		RecordingWork behind = new RecordingWork(() -> {
		});
		RecordingWork delayed = new RecordingWork(() -> {
		});
		this.system.freeze(); // nothing starts before close() (which thaws) begins
		for (RecordingWork work : List.of(first, second, cancelled, blocker, behind)) {
			wq.queue(work);
		}
		wq.queueDelayed(delayed, Duration.ofHours(1));

		assertThat(this.system.close(Duration.ofSeconds(2))).isFalse(); // ample for two empty items to run

		assertThat(running.getCount()).isZero();
		assertThat(first.outcomes()).containsExactly(Outcome.COMPLETED);
		assertThat(second.outcomes()).containsExactly(Outcome.COMPLETED);
		assertThat(cancelled.outcomes()).containsExactly(Outcome.CANCELLED);
		assertThat(behind.outcomes()).containsExactly(Outcome.ABANDONED);
		assertThat(delayed.outcomes()).containsExactly(Outcome.ABANDONED);
		assertThat(blocker.answers).isEmpty();
		// 5 in flight and 1 delayed when close() began: 2 + 1 + 2 + 1
		assertThat(report("mixed")).startsWith("Workqueue 'mixed' at shutdown: 2 ran, 1 cancelled by callers, "
				+ "2 never started (1 queued, 1 delayed), 1 still running after ");
		assertThat(this.log.list).filteredOn((event) -> event.getFormattedMessage().contains("'mixed' at shutdown"))
			.singleElement()
			.satisfies((event) -> assertThat(event.getLevel()).isEqualTo(Level.WARN));
	}

	/**
	 * Puts {@code waiting} (or the blocker's second request) where {@code placement} says, and waits until it is
	 * there. Returns the name of the waiting request's queue.
	 */
	private String place(Placement placement, RecordingWork blocker, RecordingWork waiting, CountDownLatch running)
			throws InterruptedException {
		switch (placement) {
			case HELD_BACK -> {
				Workqueue ordered = this.system.allocOrderedWorkqueue("ordered", Set.of());
				ordered.queue(blocker);
				awaitRunning(running);
				ordered.queue(waiting);
				awaitLink(waiting, Work.Link.INACTIVE);
				return "ordered";
			}
			case WORKLIST -> {
				this.threads = false; // the pool can never get a worker: the item stays on its worklist
				Workqueue unbound = this.system.allocWorkqueue("unbound", Set.of(WorkqueueFlag.UNBOUND), 0);
				unbound.queue(waiting);
				awaitLink(waiting, Work.Link.WORKLIST);
				return "unbound";
			}
			case DELAYED -> {
				Workqueue wq = this.system.allocWorkqueue("delayed", Set.of(), 0);
				wq.queueDelayed(waiting, Duration.ofHours(1));
				return "delayed";
			}
			case COLLIDED -> {
				// queued again while it runs: a second worker of its pool picks it and hands it to the first one
				Workqueue unbound = this.system.allocWorkqueue("unbound", Set.of(WorkqueueFlag.UNBOUND), 0);
				unbound.queue(blocker);
				awaitRunning(running);
				unbound.queue(blocker);
				awaitLink(blocker, Work.Link.SCHEDULED);
				return "unbound";
			}
			case DEFERRED -> {
				// runs for a bound queue, queued on an unbound one: a worker of the unbound pool defers it
				Workqueue bound = this.system.allocWorkqueue("bound", Set.of(), 0);
				Workqueue unbound = this.system.allocWorkqueue("unbound", Set.of(WorkqueueFlag.UNBOUND), 0);
				bound.queueOn(0, blocker);
				awaitRunning(running);
				unbound.queue(blocker);
				awaitLink(blocker, Work.Link.DEFERRED);
				return "unbound";
			}
			case RESCUER -> {
				// no worker can be had: the rescuer takes both items, runs the blocker and holds the other. Both are
				// held by a freeze and activated together by the thaw, so that one mayday finds both.
				this.threads = false;
				Workqueue reclaim = this.system.allocWorkqueue("reclaim",
						EnumSet.of(WorkqueueFlag.MEM_RECLAIM, WorkqueueFlag.UNBOUND, WorkqueueFlag.FREEZABLE), 4);
				this.system.freeze();
				reclaim.queue(blocker);
				reclaim.queue(waiting);
				this.system.thaw();
				awaitRunning(running);
				awaitLink(waiting, Work.Link.SCHEDULED);
				return "reclaim";
			}
			default -> throw new IllegalArgumentException(placement.name());
		}
	}

	/**
	 * A delayed item's timer links it, and before the timer thread goes on, {@code modDelayed} takes it off its pool
	 * and arms it again: the timer must not then drop the new arming from the queue's armed set, which is how close()
	 * finds the items to abandon (ModelBasedRandomTest, THREADS: after close() an item stayed pending, its request
	 * never answered).
	 */
	@Test
	void anItemArmedAgainWhileItsEarlierTimerStillRunsIsAbandonedByClose() throws Exception {
		this.system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		DefaultWorkqueue wq = (DefaultWorkqueue) this.system.allocWorkqueue("delayed", Set.of(), 1);
		CountDownLatch running = new CountDownLatch(1);
		RecordingWork blocker = new RecordingWork(() -> {
			try (Blocking.Section ignored = Blocking.begin()) { // not running: a queuer links what it pushes itself
				running.countDown();
				WorkSemanticsTest.awaitLatch(this.release);
			}
		});
		RecordingWork waiting = new RecordingWork(() -> {
		});
		CountDownLatch linked = new CountDownLatch(1);
		CountDownLatch timerGoesOn = new CountDownLatch(1);
		wq.afterFireLinked = () -> { // on the timer thread, after it linked the item (held back by max-active 1)
			linked.countDown();
			WorkSemanticsTest.awaitLatch(timerGoesOn);
		};
		assertThat(wq.queue(blocker)).isTrue();
		awaitRunning(running);
		assertThat(wq.queueDelayed(waiting, Duration.ofMillis(1))).isTrue();
		assertThat(linked.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		awaitLink(waiting, Work.Link.INACTIVE);

		assertThat(wq.modDelayed(waiting, Duration.ofHours(1))).as("taken off its pool, armed again").isTrue();
		timerGoesOn.countDown();
		CountDownLatch timerDone = new CountDownLatch(1);
		this.system.timers.schedule(timerDone::countDown, 0); // one timer thread: runs once the firing task ended
		assertThat(timerDone.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(wq.armed).as("the new arming stays in the armed set").containsOnlyKeys(waiting);

		this.release.countDown();
		this.system.close(Duration.ofSeconds(TIMEOUT));
		assertThat(waiting.outcomes()).containsExactly(Outcome.ABANDONED);
		assertThat(waiting.runs).hasValue(0);
		assertThat(this.system.awaitIdle(Duration.ZERO)).as("every request answered").isTrue();
	}

	private static void awaitRunning(CountDownLatch running) throws InterruptedException {
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
	}

	/** Polls the item's linkage (a racy read of engine state): no timing decides the outcome. */
	private static void awaitLink(Work work, Work.Link link) {
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> work.link() == link);
	}

	/** The shutdown report's line for {@code queue}. */
	private String report(String queue) {
		return this.log.list.stream()
			.map(ILoggingEvent::getFormattedMessage)
			.filter((line) -> line.startsWith("Workqueue '" + queue + "' at shutdown"))
			.findFirst()
			.orElse("(no report for " + queue + " in " + this.log.list.stream().map(ILoggingEvent::getFormattedMessage)
				.toList() + ")");
	}

}
