package dev.cmwq.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads, a random mix of every operation, invariants checked at the end (in the spirit of
 * java.util.concurrent's own stress tests). Runs for {@code -Dcmwq.stress.duration} (default 60 s); prints its seed,
 * and {@code -Dcmwq.stress.seed=N} replays a seed (each thread's operation sequence derives from it).
 */
class RandomOperationsStressTest {

	private static final int PRODUCERS = 3;

	/** A queue under test, with its reusable items and its limit to check. */
	private static final class Subject {

		final Workqueue wq;

		final int limit;

		final boolean perPool;

		final List<Tracked> items = new ArrayList<>();

		final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

		final AtomicInteger maxSeen = new AtomicInteger();

		final AtomicLong runs = new AtomicLong();

		Subject(Workqueue wq, int limit, boolean perPool) {
			this.wq = wq;
			this.limit = limit;
			this.perPool = perPool;
			for (int i = 0; i < 24; i++) {
				this.items.add(new Tracked(this, i % 3 == 0));
			}
		}

		void body() {
			String key = this.perPool ? Thread.currentThread().getName().split("-w")[0] : "all";
			AtomicInteger counter = this.inFlight.computeIfAbsent(key, (k) -> new AtomicInteger());
			this.maxSeen.accumulateAndGet(counter.incrementAndGet(), Math::max);
			if ((System.nanoTime() & 15) == 0) {
				LockSupport.parkNanos(100_000);
			}
			counter.decrementAndGet();
			this.runs.incrementAndGet();
		}

	}

	/** A reusable item that counts its accepted queueings, runs and cancellations, and catches self-overlap. */
	private static final class Tracked {

		final AtomicLong accepted = new AtomicLong();

		final AtomicLong ran = new AtomicLong();

		final AtomicLong cancelled = new AtomicLong();

		final AtomicInteger running = new AtomicInteger();

		final AtomicInteger overlaps = new AtomicInteger();

		final Work work;

		Tracked(Subject subject, boolean delayed) {
			Runnable body = () -> {
				if (this.running.incrementAndGet() != 1) {
					this.overlaps.incrementAndGet();
				}
				subject.body();
				this.ran.incrementAndGet();
				this.running.decrementAndGet();
			};
			this.work = delayed ? new DelayedWork(body) : new Work(body);
		}

	}

	@Test
	void randomMixOfEveryOperationKeepsEveryGuarantee() throws Exception {
		long seed = Long.getLong("cmwq.stress.seed", System.nanoTime());
		Duration duration = Duration.parse("PT" + System.getProperty("cmwq.stress.duration", "60s"));
		System.out.println("RandomOperationsStressTest seed=" + seed + " duration=" + duration
				+ " (replay with -Dcmwq.stress.seed=" + seed + ")");
		WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(2)
			.systemWorkqueues(false)
			.idleTimeout(Duration.ofMillis(5))
			.build();
		List<Subject> subjects = List.of(new Subject(system.allocWorkqueue("bound", Set.of(), 4), 4, true),
				new Subject(system.allocWorkqueue("unbound", Set.of(WorkqueueFlag.UNBOUND), 3), 3, false),
				new Subject(system.allocWorkqueue("highpri", Set.of(WorkqueueFlag.HIGHPRI), 2), 2, true),
				new Subject(system.allocWorkqueue("freezable", Set.of(WorkqueueFlag.FREEZABLE), 2), 2, true));
		Workqueue ordered = system.allocOrderedWorkqueue("ordered", Set.of(WorkqueueFlag.FREEZABLE));
		Map<Integer, List<Long>> orderedRuns = new ConcurrentHashMap<>();
		AtomicInteger orderedInFlight = new AtomicInteger();
		AtomicInteger orderedMax = new AtomicInteger();
		AtomicLong orderedAccepted = new AtomicLong();
		List<Throwable> unexpected = new CopyOnWriteArrayList<>();
		long end = System.nanoTime() + duration.toNanos();

		List<Thread> threads = new ArrayList<>();
		for (int p = 0; p < PRODUCERS; p++) {
			int producer = p;
			orderedRuns.put(producer, new CopyOnWriteArrayList<>());
			threads.add(new Thread(() -> {
				Random random = new Random(seed + producer);
				long seq = 0;
				try {
					while (System.nanoTime() < end) {
						Subject subject = subjects.get(random.nextInt(subjects.size()));
						Tracked item = subject.items.get(random.nextInt(subject.items.size()));
						try {
							switch (random.nextInt(20)) {
								case 0, 1, 2, 3, 4 -> {
									if (subject.wq.queue(item.work)) {
										item.accepted.incrementAndGet();
									}
								}
								case 5, 6, 7 -> {
									if (subject.wq.queueOn(random.nextInt(2), item.work)) {
										item.accepted.incrementAndGet();
									}
								}
								case 8, 9 -> {
									if (item.work instanceof DelayedWork dw
											&& subject.wq.queueDelayed(dw, Duration.ofMillis(random.nextInt(5)))) {
										item.accepted.incrementAndGet();
									}
								}
								case 10 -> {
									// false: it was idle and is queued now (false would also mean a cancelSync is under way,
									// but delayed items are never cancelled synchronously here)
									if (item.work instanceof DelayedWork dw
											&& !subject.wq.modDelayed(dw, Duration.ofMillis(random.nextInt(5)))) {
										item.accepted.incrementAndGet();
									}
								}
								case 11 -> {
									if (item.work.cancel()) {
										item.cancelled.incrementAndGet();
									}
								}
								case 12 -> {
									if (!(item.work instanceof DelayedWork) && item.work.cancelSync()) {
										item.cancelled.incrementAndGet();
									}
								}
								case 13 -> subject.wq.flush(Duration.ofMillis(20));
								case 14 -> {
									if (random.nextInt(20) == 0 && !subject.wq.flags().contains(WorkqueueFlag.FREEZABLE)) {
										subject.wq.drain();
									}
								}
								case 15 -> {
									if (subject.wq.flags().isEmpty()) {
										subject.wq.setMaxActive(2 + random.nextInt(3)); // 2..4: limit 4 still holds
									}
								}
								default -> {
									long mine = seq++;
									ordered.execute(() -> {
										orderedMax.accumulateAndGet(orderedInFlight.incrementAndGet(), Math::max);
										orderedRuns.get(producer).add(mine);
										orderedInFlight.decrementAndGet();
									});
									orderedAccepted.incrementAndGet();
								}
							}
						}
						catch (RejectedExecutionException ex) {
							// a drain is under way on that queue: not accepted, nothing to count
						}
					}
				}
				catch (Throwable ex) {
					unexpected.add(ex);
				}
			}, "stress-producer-" + p));
		}
		threads.add(new Thread(() -> { // the operator: freeze/thaw and hotplug
			Random random = new Random(seed - 1);
			try {
				while (System.nanoTime() < end) {
					switch (random.nextInt(4)) {
						case 0 -> system.freeze();
						case 1 -> system.thaw();
						case 2 -> {
							try {
								system.cpuOffline(random.nextInt(2));
							}
							catch (IllegalStateException ex) {
								// the last online CPU: refused, as it should be
							}
						}
						default -> system.cpuOnline(random.nextInt(2));
					}
					LockSupport.parkNanos(random.nextInt(2_000_000));
				}
			}
			catch (Throwable ex) {
				unexpected.add(ex);
			}
		}, "stress-operator"));
		threads.forEach(Thread::start);
		for (Thread thread : threads) {
			thread.join();
		}

		system.thaw();
		system.cpuOnline(0);
		system.cpuOnline(1);
		for (Subject subject : subjects) {
			for (Tracked item : subject.items) {
				if (item.work instanceof DelayedWork dw) {
					dw.flush();
				}
			}
			subject.wq.flush();
		}
		ordered.flush();

		assertThat(unexpected).isEmpty();
		for (Subject subject : subjects) {
			long accepted = 0;
			long cancelled = 0;
			for (Tracked item : subject.items) {
				assertThat(item.ran.get() + item.cancelled.get())
					.as("%s: runs + cancels of an item = its accepted queueings (%s: ran %s, cancelled %s)",
							subject.wq.name(), item.work.getClass().getSimpleName(), item.ran, item.cancelled)
					.isEqualTo(item.accepted.get());
				assertThat(item.overlaps).as("%s: item ran concurrently with itself", subject.wq.name()).hasValue(0);
				assertThat(item.work.isPending()).isFalse();
				accepted += item.accepted.get();
				cancelled += item.cancelled.get();
			}
			assertThat(subject.maxSeen.get()).as("%s: max-active", subject.wq.name()).isLessThanOrEqualTo(subject.limit);
			WorkqueueSnapshot snapshot = subject.wq.snapshot();
			assertThat(snapshot.pending()).isZero();
			assertThat(snapshot.active()).isZero();
			assertThat(snapshot.stats().started()).isEqualTo(subject.runs.get());
			assertThat(snapshot.stats().completed()).isEqualTo(subject.runs.get());
			assertThat(snapshot.stats().cancelled()).isEqualTo(cancelled);
			assertThat(subject.runs.get() + cancelled).isEqualTo(accepted);
		}
		assertThat(orderedMax).hasValue(1);
		assertThat(orderedRuns.values().stream().mapToLong(List::size).sum()).isEqualTo(orderedAccepted.get());
		orderedRuns.values().forEach((runs) -> assertThat(runs).isSorted());
		SystemSnapshot snapshot = system.snapshot();
		assertThat(snapshot.pools()).allSatisfy((pool) -> {
			assertThat(pool.pending()).isZero();
			assertThat(pool.rogue()).isZero();
			assertThat(pool.busy() + pool.idle()).isEqualTo(pool.workers());
		});
		assertThat(system.close(Duration.ofSeconds(30))).isTrue();
	}

}
