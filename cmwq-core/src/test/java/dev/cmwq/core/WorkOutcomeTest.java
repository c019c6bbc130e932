package dev.cmwq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.cmwq.core.Work.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * The engine answers every request of an item exactly once, through its {@code done} hook, with how it ended; the
 * statistics, the failure handler and the listeners agree with that answer, and all of it has happened before
 * {@code done} is called (no pool lock held) and before a flush of the item returns.
 */
class WorkOutcomeTest {

	private static final long TIMEOUT = 30;

	private final List<Throwable> handled = new CopyOnWriteArrayList<>();

	private final List<Throwable> listened = new CopyOnWriteArrayList<>();

	private final WorkqueueSystem system = WorkqueueSystem.builder()
		.cpus(2)
		.systemWorkqueues(false)
		.failureHandler((wq, work, failure) -> this.handled.add(failure))
		.build();

	WorkOutcomeTest() {
		this.system.addListener(new WorkListener() {
			@Override
			public void finished(Workqueue workqueue, long executionNanos, Throwable failure) {
				if (failure != null) {
					WorkOutcomeTest.this.listened.add(failure);
				}
			}
		});
	}

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	@Test
	void aRunThatReturnsIsAnsweredCompletedOnItsWorker() {
		Workqueue wq = this.system.allocWorkqueue("returns", Set.of(), 0);
		RecordingWork work = new RecordingWork(() -> {
		});
		assertThat(wq.queue(work)).isTrue();
		work.flush(); // returns once done() has returned
		assertThat(work.outcomes()).containsExactly(Outcome.COMPLETED);
		assertThat(work.answers.get(0).thread().getName()).startsWith("cmwq-");
		assertThat(wq.snapshot().stats().completed()).isEqualTo(1);
		assertThat(this.handled).isEmpty();
	}

	@Test
	void aRunThatThrowsIsAnsweredFailedAndTheFailureHandlerIsToldOnce() {
		Workqueue wq = this.system.allocWorkqueue("throws", Set.of(), 0);
		IllegalStateException boom = new IllegalStateException("boom");
		RecordingWork work = new RecordingWork(() -> {
			throw boom;
		});
		wq.queue(work);
		work.flush();
		assertThat(work.outcomes()).containsExactly(Outcome.FAILED);
		assertThat(work.answers.get(0).failure()).isSameAs(boom);
		assertThat(this.handled).containsExactly(boom);
		assertThat(this.listened).containsExactly(boom);
		assertThat(wq.snapshot().stats().failed()).isEqualTo(1);
	}

	@Test
	void aFailureTheTaskHandledCountsAsFailedWithoutTheFailureHandler() {
		Workqueue wq = this.system.allocWorkqueue("handled", Set.of(), 0);
		IllegalArgumentException reported = new IllegalArgumentException("reported to a future");
		RecordingWork work = new RecordingWork(() -> {
			Work.currentWork().failedHandled(reported);
			Work.currentWork().failedHandled(new IllegalStateException("only the first counts"));
		});
		wq.queue(work);
		work.flush();
		assertThat(work.outcomes()).containsExactly(Outcome.FAILED_HANDLED);
		assertThat(work.answers.get(0).failure()).isSameAs(reported);
		assertThat(this.handled).isEmpty();
		assertThat(this.listened).containsExactly(reported);
		assertThat(wq.snapshot().stats().failed()).isEqualTo(1);
		assertThat(wq.snapshot().stats().completed()).isZero();
	}

	@Test
	void aThrowWinsOverARecordedFailure() {
		Workqueue wq = this.system.allocWorkqueue("both", Set.of(), 0);
		IllegalStateException thrown = new IllegalStateException("thrown");
		RecordingWork work = new RecordingWork(() -> {
			Work.currentWork().failedHandled(new IllegalArgumentException("recorded"));
			throw thrown;
		});
		wq.queue(work);
		work.flush();
		assertThat(work.outcomes()).containsExactly(Outcome.FAILED);
		assertThat(this.handled).containsExactly(thrown);
	}

	@Test
	void onlyTheItemsOwnTaskMayRecordAHandledFailure() {
		Workqueue wq = this.system.allocWorkqueue("foreign", Set.of(), 0);
		RecordingWork other = new RecordingWork(() -> {
		});
		List<Throwable> refused = new CopyOnWriteArrayList<>();
		RecordingWork work = new RecordingWork(() -> {
			try {
				other.failedHandled(new IllegalStateException("not mine"));
			}
			catch (IllegalStateException ex) {
				refused.add(ex);
			}
		});
		assertThatIllegalStateException().isThrownBy(() -> work.failedHandled(new IllegalStateException()))
			.withMessageContaining("must be called from the task of");
		assertThat(Work.currentWork()).isNull();
		wq.queue(work);
		work.flush();
		assertThat(refused).hasSize(1);
		assertThat(work.outcomes()).containsExactly(Outcome.COMPLETED);
		assertThat(work.handledFailure()).isNull(); // not running on this thread
	}

	@Test
	void cancelAndCancelSyncAnswerThePendingRequestOnTheCancellersThread() throws Exception {
		Workqueue ordered = this.system.allocOrderedWorkqueue("held", Set.of());
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(1);
		ordered.execute(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(release);
		});
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		RecordingWork cancelled = new RecordingWork(() -> {
		});
		RecordingWork cancelledSync = new RecordingWork(() -> {
		});
		ordered.queue(cancelled);
		ordered.queue(cancelledSync);
		assertThat(cancelled.cancel()).isTrue();
		assertThat(cancelledSync.cancelSync()).isTrue();
		assertThat(cancelled.answers).singleElement()
			.satisfies((a) -> assertThat(a.outcome()).isEqualTo(Outcome.CANCELLED))
			.satisfies((a) -> assertThat(a.thread()).isSameAs(Thread.currentThread()));
		assertThat(cancelledSync.answers).singleElement()
			.satisfies((a) -> assertThat(a.outcome()).isEqualTo(Outcome.CANCELLED))
			.satisfies((a) -> assertThat(a.thread()).isSameAs(Thread.currentThread()));
		assertThat(cancelled.cancel()).isFalse();
		release.countDown();
		ordered.flush();
		assertThat(cancelled.runs).hasValue(0);
		assertThat(cancelledSync.runs).hasValue(0);
		assertThat(cancelled.outcomes()).containsExactly(Outcome.CANCELLED);
		assertThat(ordered.snapshot().stats().cancelled()).isEqualTo(2);
	}

	@Test
	void aRequestQueuedWhileItRunsIsAnsweredByItsOwnRunOrCancel() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("requeue", Set.of(), 0);
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		RecordingWork work = new RecordingWork(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(release);
		});
		wq.queue(work);
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThat(wq.queue(work)).isTrue(); // pending and running: two requests open
		assertThat(work.cancel()).isTrue(); // answers the pending one only, here
		assertThat(work.answers).singleElement().satisfies((a) -> {
			assertThat(a.outcome()).isEqualTo(Outcome.CANCELLED);
			assertThat(a.thread()).isSameAs(Thread.currentThread());
		});
		assertThat(wq.queue(work)).isTrue();
		release.countDown();
		wq.flush();
		assertThat(work.outcomes()).containsExactly(Outcome.CANCELLED, Outcome.COMPLETED, Outcome.COMPLETED);
		assertThat(work.runs).hasValue(2);
	}

	@Test
	void movingAPendingDelayedItemAnswersNothingAndCancelSyncOfAnIdleItemNothingEither() {
		Workqueue wq = this.system.allocWorkqueue("moved", Set.of(), 0);
		RecordingWork work = new RecordingWork(() -> {
		});
		assertThat(wq.queueDelayed(work, Duration.ofHours(1))).isTrue();
		assertThat(wq.modDelayed(work, Duration.ofHours(2))).isTrue(); // moved: the same request
		assertThat(work.answers).isEmpty();
		assertThat(work.cancel()).isTrue();
		assertThat(work.outcomes()).containsExactly(Outcome.CANCELLED);
		assertThat(work.cancelSync()).isFalse(); // idle: no request, no answer
		assertThat(work.outcomes()).containsExactly(Outcome.CANCELLED);
		assertThat(this.system.awaitIdle(Duration.ZERO)).isTrue();
	}

	@Test
	void doneSeesItsEndingCountedHoldsNoLockAndMayQueueOtherWork() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("done", Set.of(), 0);
		List<WorkqueueStats> seen = new CopyOnWriteArrayList<>();
		CountDownLatch followUp = new CountDownLatch(2);
		RecordingWork work = new RecordingWork(() -> {
		});
		work.onDone = (answer) -> {
			seen.add(wq.snapshot().stats()); // takes every pool lock: trips an assertion if one is held here
			assertThat(wq.queue(new Work(followUp::countDown))).isTrue();
		};
		wq.queue(work);
		work.flush();
		wq.queueDelayed(work, Duration.ofHours(1));
		work.cancel();
		assertThat(work.errorsInDone).isEmpty();
		assertThat(work.outcomes()).containsExactly(Outcome.COMPLETED, Outcome.CANCELLED);
		assertThat(seen.get(0).started()).isEqualTo(1);
		assertThat(seen.get(0).completed()).isEqualTo(1);
		assertThat(seen.get(1).cancelled()).isEqualTo(1);
		assertThat(followUp.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
	}

	@Test
	void whileDoneAnswersACancelTheItemIsStillPending() {
		Workqueue wq = this.system.allocWorkqueue("requeue-from-done", Set.of(), 0);
		List<Boolean> requeued = new CopyOnWriteArrayList<>();
		RecordingWork work = new RecordingWork(() -> {
		});
		work.onDone = (answer) -> requeued.add(wq.queue(work));
		wq.queueDelayed(work, Duration.ofHours(1));
		work.cancel();
		assertThat(requeued).containsExactly(false);
		assertThat(work.isPending()).isFalse();
	}

	@Test
	void whatDoneThrowsIsLoggedAndTheEngineGoesOn() {
		Workqueue wq = this.system.allocWorkqueue("throws-in-done", Set.of(), 0);
		Work work = new Work(() -> {
		}) {
			@Override
			protected void done(Outcome outcome, Throwable failure) {
				throw new IllegalStateException("done fails (expected by the test)");
			}
		};
		wq.queue(work);
		work.flush();
		wq.queue(work);
		work.flush();
		assertThat(wq.snapshot().stats().completed()).isEqualTo(2);
		assertThat(this.system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
	}

	@Test
	void runInlineRunsOnTheCallersThreadAndAnswersLikeAWorker() {
		Workqueue wq = this.system.allocWorkqueue("inline", Set.of(), 0);
		IllegalStateException boom = new IllegalStateException("inline boom");
		List<Object> insideRun = new CopyOnWriteArrayList<>();
		RecordingWork[] self = new RecordingWork[1];
		self[0] = new RecordingWork(() -> {
			insideRun.add(Work.currentWork());
			insideRun.add(wq.queue(self[0])); // neither pending nor claimable while it runs inline
			insideRun.add(self[0].cancel());
			insideRun.add(self[0].isRunning());
		});
		RecordingWork work = self[0];
		assertThat(wq.runInline(work)).isTrue();
		assertThat(insideRun).containsExactly(work, false, false, true);
		assertThat(work.answers).singleElement().satisfies((a) -> {
			assertThat(a.outcome()).isEqualTo(Outcome.COMPLETED);
			assertThat(a.thread()).isSameAs(Thread.currentThread());
		});
		assertThat(work.isRunning()).isFalse();
		assertThat(Work.currentWork()).isNull();

		RecordingWork failing = new RecordingWork(() -> {
			throw boom;
		});
		assertThat(wq.runInline(failing)).isTrue();
		assertThat(failing.outcomes()).containsExactly(Outcome.FAILED);
		assertThat(this.handled).containsExactly(boom);

		RecordingWork handledFailure = new RecordingWork(() -> Work.currentWork().failedHandled(boom));
		wq.runInline(handledFailure);
		assertThat(handledFailure.outcomes()).containsExactly(Outcome.FAILED_HANDLED);

		WorkqueueStats stats = wq.snapshot().stats();
		assertThat(stats.started()).isEqualTo(3);
		assertThat(stats.completed()).isEqualTo(1);
		assertThat(stats.failed()).isEqualTo(2);
		assertThat(this.system.awaitIdle(Duration.ZERO)).isTrue();
	}

	@Test
	void runInlinePutsTheCallersInterruptAsideAndKeepsTheItemsToItself() {
		Workqueue wq = this.system.allocWorkqueue("inline-interrupt", Set.of(), 0);
		List<Boolean> seen = new CopyOnWriteArrayList<>();
		Thread.currentThread().interrupt();
		try {
			wq.runInline(new Work(() -> {
				seen.add(Thread.currentThread().isInterrupted());
				Thread.currentThread().interrupt();
			}));
			assertThat(Thread.currentThread().isInterrupted()).isTrue(); // the caller's, restored
			Thread.interrupted();
			wq.runInline(new Work(() -> Thread.currentThread().interrupt()));
			assertThat(Thread.currentThread().isInterrupted()).isFalse(); // the item's, not leaked
		}
		finally {
			Thread.interrupted();
		}
		assertThat(seen).containsExactly(false);
	}

	@Test
	void runInlineRefusesAPendingItemAndOneRunningOnAWorker() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("inline-refuses", Set.of(), 0);
		RecordingWork delayed = new RecordingWork(() -> {
		});
		wq.queueDelayed(delayed, Duration.ofHours(1));
		assertThat(wq.runInline(delayed)).isFalse();
		assertThat(delayed.runs).hasValue(0);
		delayed.cancel();

		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		RecordingWork busy = new RecordingWork(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(release);
		});
		wq.queue(busy);
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		assertThatIllegalStateException().isThrownBy(() -> wq.runInline(busy))
			.withMessageContaining("is running on a worker")
			.withMessageContaining("inline-refuses");
		assertThat(busy.isPending()).isFalse();
		release.countDown();
		busy.flush();
		assertThat(busy.outcomes()).containsExactly(Outcome.COMPLETED);
		assertThat(wq.runInline(busy)).isTrue();
		assertThat(busy.outcomes()).containsExactly(Outcome.COMPLETED, Outcome.COMPLETED);
	}

	@Test
	void cancelSyncWaitsForAnInlineRun() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("inline-sync", Set.of(), 0);
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		RecordingWork work = new RecordingWork(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(release);
		});
		Thread inline = new Thread(() -> wq.runInline(work), "inline-runner");
		inline.start();
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		Thread canceller = new Thread(work::cancelSync, "sync-canceller");
		canceller.start();
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> canceller.getState() != Thread.State.NEW);
		assertThat(canceller.isAlive()).isTrue();
		release.countDown();
		canceller.join(TimeUnit.SECONDS.toMillis(TIMEOUT));
		inline.join(TimeUnit.SECONDS.toMillis(TIMEOUT));
		assertThat(canceller.isAlive()).isFalse();
		assertThat(work.outcomes()).containsExactly(Outcome.COMPLETED);
	}

}
