package dev.cmwq.core;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several producers hammer a shared set of work items: every queue that returned true runs exactly once and is
 * answered exactly once ({@link Work#done}, COMPLETED), no item ever runs concurrently with itself, maxActive holds
 * per pool, and an ordered queue keeps each producer's order.
 */
class ExactlyOnceStressTest {

	private static final int PRODUCERS = 4;

	private static final int OPERATIONS = 20_000;

	/** A reusable work item that checks it never runs concurrently with itself. */
	static final class CheckedItem {

		final AtomicLong accepted = new AtomicLong();

		final AtomicLong runs = new AtomicLong();

		final AtomicInteger running = new AtomicInteger();

		final AtomicInteger selfOverlaps = new AtomicInteger();

		final AtomicLong completedAnswers = new AtomicLong();

		final AtomicLong otherAnswers = new AtomicLong();

		final Work work;

		CheckedItem(Runnable body) {
			this.work = new Work(() -> {
				if (this.running.incrementAndGet() != 1) {
					this.selfOverlaps.incrementAndGet();
				}
				body.run();
				this.runs.incrementAndGet();
				this.running.decrementAndGet();
			}) {
				@Override
				protected void done(Outcome outcome, Throwable failure) {
					((outcome == Outcome.COMPLETED) ? CheckedItem.this.completedAnswers : CheckedItem.this.otherAnswers)
						.incrementAndGet();
				}
			};
		}

	}

	@Test
	void everyAcceptedQueueRunsExactlyOnceAndLimitsHold() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).systemWorkqueues(false).build()) {
			int maxActive = 3;
			Workqueue bound = system.allocWorkqueue("bound", Set.of(), maxActive);
			Workqueue unbound = system.allocWorkqueue("unbound", Set.of(WorkqueueFlag.UNBOUND), maxActive);
			Workqueue ordered = system.allocOrderedWorkqueue("ordered", Set.of());

			Map<String, AtomicInteger> inFlightPerPool = new ConcurrentHashMap<>();
			AtomicInteger maxPerBoundPool = new AtomicInteger();
			AtomicInteger unboundInFlight = new AtomicInteger();
			AtomicInteger maxUnbound = new AtomicInteger();
			Runnable boundBody = () -> {
				String pool = Thread.currentThread().getName().split("-w")[0];
				AtomicInteger inFlight = inFlightPerPool.computeIfAbsent(pool, (p) -> new AtomicInteger());
				maxPerBoundPool.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
				if (ThreadLocalRandom.current().nextInt(16) == 0) {
					LockSupport.parkNanos(200_000); // block now and then, so more workers join
				}
				inFlight.decrementAndGet();
			};
			Runnable unboundBody = () -> {
				maxUnbound.accumulateAndGet(unboundInFlight.incrementAndGet(), Math::max);
				if (ThreadLocalRandom.current().nextInt(16) == 0) {
					LockSupport.parkNanos(200_000);
				}
				unboundInFlight.decrementAndGet();
			};
			CheckedItem[] boundItems = new CheckedItem[32];
			CheckedItem[] unboundItems = new CheckedItem[32];
			for (int i = 0; i < boundItems.length; i++) {
				boundItems[i] = new CheckedItem(boundBody);
				unboundItems[i] = new CheckedItem(unboundBody);
			}
			Map<Integer, CopyOnWriteArrayList<Integer>> orderedRuns = new ConcurrentHashMap<>();
			AtomicInteger orderedInFlight = new AtomicInteger();
			AtomicInteger maxOrdered = new AtomicInteger();

			Thread[] producers = new Thread[PRODUCERS];
			for (int p = 0; p < PRODUCERS; p++) {
				int producer = p;
				orderedRuns.put(producer, new CopyOnWriteArrayList<>());
				producers[p] = new Thread(() -> {
					ThreadLocalRandom random = ThreadLocalRandom.current();
					for (int i = 0; i < OPERATIONS; i++) {
						int op = random.nextInt(10);
						if (op < 4) {
							CheckedItem item = boundItems[random.nextInt(boundItems.length)];
							boolean accepted = random.nextBoolean() ? bound.queue(item.work)
									: bound.queueOn(random.nextInt(2), item.work);
							if (accepted) {
								item.accepted.incrementAndGet();
							}
						}
						else if (op < 8) {
							CheckedItem item = unboundItems[random.nextInt(unboundItems.length)];
							if (unbound.queue(item.work)) {
								item.accepted.incrementAndGet();
							}
						}
						else {
							int seq = i;
							ordered.execute(() -> {
								maxOrdered.accumulateAndGet(orderedInFlight.incrementAndGet(), Math::max);
								orderedRuns.get(producer).add(seq);
								orderedInFlight.decrementAndGet();
							});
						}
					}
				});
				producers[p].start();
			}
			for (Thread producer : producers) {
				producer.join();
			}
			bound.flush();
			unbound.flush();
			ordered.flush();

			for (CheckedItem item : concat(boundItems, unboundItems)) {
				assertThat(item.runs.get()).as("runs of an item = its accepted queueings").isEqualTo(item.accepted.get());
				assertThat(item.completedAnswers.get()).as("answers = accepted queueings")
					.isEqualTo(item.accepted.get());
				assertThat(item.otherAnswers).hasValue(0);
				assertThat(item.selfOverlaps).as("item ran concurrently with itself").hasValue(0);
				assertThat(item.work.isPending()).isFalse();
			}
			assertThat(maxPerBoundPool.get()).isLessThanOrEqualTo(maxActive);
			assertThat(maxUnbound.get()).isLessThanOrEqualTo(maxActive);
			assertThat(maxOrdered).hasValue(1);
			orderedRuns.values().forEach((runs) -> assertThat(runs).isSorted());
			long accepted = 0;
			for (CheckedItem item : concat(boundItems, unboundItems)) {
				accepted += item.accepted.get();
			}
			WorkqueueStats b = bound.snapshot().stats();
			WorkqueueStats u = unbound.snapshot().stats();
			assertThat(b.completed() + u.completed()).isEqualTo(accepted);
			assertThat(system.close(Duration.ofSeconds(10))).isTrue();
		}
	}

	private static CheckedItem[] concat(CheckedItem[] a, CheckedItem[] b) {
		CheckedItem[] all = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
