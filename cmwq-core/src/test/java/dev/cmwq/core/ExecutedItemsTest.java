package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Items queued with {@code execute(Runnable)}: the engine writes their node's fields without fences while no other
 * thread can reach it ({@code Work.EXECUTED}); once the item's own code or a failure handler gets hold of the node it
 * is an item like any other, which other threads may queue, flush and watch. Their counts go to the running worker's
 * cell of the queue's counters ({@code WorkqueueCounters.Cell}), which snapshots add up exactly.
 */
class ExecutedItemsTest {

	private final AtomicReference<Work> failedNode = new AtomicReference<>();

	private final WorkqueueSystem system = WorkqueueSystem.builder()
		.cpus(2)
		.systemWorkqueues(false)
		.failureHandler((wq, work, failure) -> {
			if (this.failedNode.compareAndSet(null, work)) {
				wq.queue(work); // once: it runs again, after this run
			}
		})
		.build();

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	@Test
	void anExecutedItemsTaskCanQueueItsOwnNodeOnceMore() {
		Workqueue wq = this.system.allocWorkqueue("requeue", Set.of(), 0);
		AtomicInteger runs = new AtomicInteger();
		List<String> seen = new ArrayList<>();
		wq.execute(() -> {
			if (runs.incrementAndGet() == 1) {
				Work self = Work.currentWork();
				seen.add("running=" + self.isRunning() + " pending=" + self.isPending());
				seen.add("queued=" + wq.queue(self));
				seen.add("queued again=" + wq.queue(self));
			}
		});
		assertThat(this.system.awaitIdle(Duration.ofSeconds(30))).isTrue();
		assertThat(runs).hasValue(2);
		assertThat(seen).containsExactly("running=true pending=false", "queued=true", "queued again=false");
		assertThat(wq.snapshot().stats()).extracting("started", "completed").containsExactly(2L, 2L);
	}

	@Test
	void anotherThreadFlushingAnExecutedItemsNodeWaitsForItsRun() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("flush", Set.of(), 0);
		AtomicReference<Work> node = new AtomicReference<>();
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicBoolean ended = new AtomicBoolean();
		wq.execute(() -> {
			node.set(Work.currentWork());
			started.countDown();
			WorkSemanticsTest.awaitLatch(release);
			ended.set(true);
		});
		assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
		AtomicBoolean endedBeforeFlushReturned = new AtomicBoolean();
		Thread flusher = new Thread(() -> {
			node.get().flush();
			endedBeforeFlushReturned.set(ended.get());
		});
		flusher.start();
		release.countDown();
		flusher.join(TimeUnit.SECONDS.toMillis(30));
		assertThat(flusher.isAlive()).isFalse();
		assertThat(endedBeforeFlushReturned).isTrue();
		assertThat(node.get().isRunning()).isFalse();
	}

	@Test
	void theFailureHandlerCanQueueAFailedExecutedItemAgain() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("failing", Set.of(), 0);
		AtomicInteger runs = new AtomicInteger();
		wq.execute(() -> {
			if (runs.incrementAndGet() == 1) {
				throw new IllegalStateException("first run fails");
			}
		});
		assertThat(this.system.awaitIdle(Duration.ofSeconds(30))).isTrue();
		assertThat(runs).hasValue(2);
		assertThat(this.failedNode.get().flush()).isFalse(); // idle: both runs answered
		assertThat(wq.snapshot().stats()).extracting("started", "completed", "failed").containsExactly(2L, 1L, 1L);
	}

	@Test
	void statisticsCountEveryItemOnceAfterAwaitIdleWhileWorkersMoveBetweenQueues() throws Exception {
		Workqueue first = this.system.allocWorkqueue("first", Set.of(), 0);
		Workqueue second = this.system.allocWorkqueue("second", Set.of(), 0);
		int perProducer = 20_000;
		for (int round = 1; round <= 3; round++) {
			Thread[] producers = new Thread[2];
			for (int p = 0; p < producers.length; p++) {
				producers[p] = new Thread(() -> {
					for (int i = 0; i < perProducer; i++) {
						((i % 7 < 4) ? first : second).execute(() -> {
						});
					}
				});
				producers[p].start();
			}
			for (Thread producer : producers) {
				producer.join();
			}
			assertThat(this.system.awaitIdle(Duration.ofSeconds(30))).isTrue();
			long total = (long) round * producers.length * perProducer;
			WorkqueueStats a = first.snapshot().stats();
			WorkqueueStats b = second.snapshot().stats();
			assertThat(a.started()).isEqualTo(a.completed());
			assertThat(b.started()).isEqualTo(b.completed());
			assertThat(a.completed() + b.completed()).as("round %d", round).isEqualTo(total);
			assertThat(a.completed()).isEqualTo((long) round * producers.length * ((perProducer / 7) * 4 + Math.min(perProducer % 7, 4)));
		}
	}

	@Test
	void aCellGivenBackIsTakenAgainAndNeverLosesItsCounts() {
		WorkqueueCounters counters = new WorkqueueCounters();
		WorkqueueCounters.Cell one = counters.takeCell(null);
		WorkqueueCounters.Cell two = counters.takeCell(null);
		assertThat(two).isNotSameAs(one);
		one.countStarted();
		one.countCompleted();
		two.countStarted();
		one.release();
		two.release();
		assertThat(counters.takeCell(two)).as("the cell its taker held last").isSameAs(two);
		WorkqueueCounters.Cell again = counters.takeCell(two); // taken already: the first free one
		assertThat(again).isSameAs(one);
		again.countStarted();
		assertThat(counters.takeCell(new WorkqueueCounters().takeCell(null))).as("another queue's cell")
			.isNotIn(one, two);
		counters.started.increment(); // an item run inline counts in the adders
		assertThat(counters.snapshot()).extracting("started", "completed").containsExactly(4L, 1L);
	}

}
