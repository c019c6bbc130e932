package dev.cmwq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Combinations of the engine's own features, each built deterministically with latches: the rescuer against cancel
 * and modDelayed, close() against chained delayed work, items activated without a queueing, non-reentrancy against
 * ordered and unbound queues, failing listeners, and queueing racing close().
 */
class ComposedOperationsTest {

	private static final long TIMEOUT = 30;

	/** A system whose pools can never get a worker: only rescuers run items. */
	private static WorkqueueSystem withoutWorkers() {
		return WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.threadFactory((r) -> null)
			.maydayInterval(Duration.ofMillis(20))
			.build();
	}

	/**
	 * Queues a blocker and a victim on a frozen MEM_RECLAIM queue of a system without workers, then thaws: the
	 * rescuer takes both at once and runs the blocker. While the blocker runs, {@code operation} acts on the victim;
	 * then the blocker ends. Returns the queue once the system is idle.
	 */
	private static WorkqueueSnapshot afterTheRescuerTookIt(DelayedWork victim,
			BiConsumer<Workqueue, DelayedWork> operation) throws Exception {
		try (WorkqueueSystem system = withoutWorkers()) {
			Workqueue wq = system.allocWorkqueue("reclaim",
					Set.of(WorkqueueFlag.MEM_RECLAIM, WorkqueueFlag.FREEZABLE), 0);
			CountDownLatch started = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			system.freeze();
			wq.execute(() -> {
				started.countDown();
				WorkSemanticsTest.awaitLatch(release);
			});
			assertThat(wq.queue(victim)).isTrue();
			system.thaw();
			assertThat(started.await(TIMEOUT, TimeUnit.SECONDS)).as("the rescuer runs the blocker").isTrue();
			operation.accept(wq, victim);
			release.countDown();
			assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
			return wq.snapshot();
		}
	}

	@Test
	void cancellingAnItemTheRescuerTookMeansItNeverRuns() throws Exception {
		AtomicInteger victimRuns = new AtomicInteger();
		WorkqueueSnapshot wq = afterTheRescuerTookIt(new DelayedWork(victimRuns::incrementAndGet), (queue, victim) -> {
			assertThat(victim.cancel()).isTrue();
			assertThat(victim.cancelSync()).isFalse();
			assertThat(queue.snapshot().pending()).isZero();
		});
		assertThat(victimRuns).hasValue(0);
		assertThat(wq.stats().cancelled()).isEqualTo(1);
		assertThat(wq.stats().completed()).isEqualTo(1);
		assertThat(wq.pending()).isZero();
	}

	@Test
	void modDelayedOnAnItemTheRescuerTookRunsItOnce() throws Exception {
		AtomicInteger victimRuns = new AtomicInteger();
		WorkqueueSnapshot wq = afterTheRescuerTookIt(new DelayedWork(victimRuns::incrementAndGet),
				(queue, victim) -> assertThat(queue.modDelayed(victim, Duration.ofMillis(50))).isTrue());
		assertThat(victimRuns).hasValue(1);
		assertThat(wq.pending()).isZero();
	}

	@Test
	void delayedWorkChainedDuringCloseIsCancelledAndCountedNotDropped() throws Exception {
		WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		Workqueue wq = system.allocWorkqueue("chained", Set.of(), 0);
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch go = new CountDownLatch(1);
		AtomicBoolean accepted = new AtomicBoolean();
		AtomicInteger chainedRuns = new AtomicInteger();
		DelayedWork chained = new DelayedWork(chainedRuns::incrementAndGet);
		wq.execute(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(go);
			accepted.set(wq.queueDelayed(chained, Duration.ofMillis(300)));
		});
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Boolean> closed = CompletableFuture.supplyAsync(() -> system.close(Duration.ofSeconds(TIMEOUT)));
		// close() has begun once work from outside is refused
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> refuses(wq));
		go.countDown();
		assertThat(closed.get(TIMEOUT * 2, TimeUnit.SECONDS)).isTrue();

		assertThat(accepted).as("a running item may queue more while its queue drains").isTrue();
		assertThat(chained.isPending()).isFalse();
		assertThat(chainedRuns.get() + wq.snapshot().stats().cancelled()).as("ran or was cancelled").isEqualTo(1);
		assertThat(system.awaitIdle(Duration.ZERO)).isTrue();
		chained.flush(); // returns: the queueing was answered
	}

	private static boolean refuses(Workqueue wq) {
		try {
			wq.execute(() -> {
			});
			return false;
		}
		catch (RejectedExecutionException ex) {
			return true;
		}
	}

	/**
	 * P1 runs, counted as running, and waits for P2; P2 is held back. Once the detector has gone idle, something
	 * other than a queueing makes P2 runnable: concurrency management must still see that P1 blocks, and start P2.
	 * @param freeze P2 is held by a freeze and released by thaw; else it waits behind a CPU-intensive item (which
	 * does not count as running) in a queue of max-active 1, and that item's end activates it
	 */
	private static void heldItemStartsOnceActivated(boolean freeze) throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.watchdogThreshold(Duration.ZERO)
			.build()) {
			Workqueue blocker = system.allocWorkqueue("blocker", Set.of(), 0);
			Workqueue held = system.allocWorkqueue("held",
					Set.of(freeze ? WorkqueueFlag.FREEZABLE : WorkqueueFlag.CPU_INTENSIVE), 1);
			CountDownLatch p1Started = new CountDownLatch(1);
			CountDownLatch p2Ran = new CountDownLatch(1);
			CountDownLatch slotTaken = new CountDownLatch(1);
			CountDownLatch releaseSlot = new CountDownLatch(1);
			if (freeze) {
				system.freeze();
			}
			else {
				held.execute(() -> {
					slotTaken.countDown();
					WorkSemanticsTest.awaitLatch(releaseSlot);
				});
				assertThat(slotTaken.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
			}
			blocker.execute(() -> {
				p1Started.countDown();
				WorkSemanticsTest.awaitLatch(p2Ran); // blocks (WAITING) until P2 has run
			});
			assertThat(p1Started.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
			held.execute(p2Ran::countDown);
			awaitDetectorParked();
			if (freeze) {
				system.thaw();
			}
			else {
				releaseSlot.countDown();
			}
			assertThat(p2Ran.await(TIMEOUT, TimeUnit.SECONDS)).as("P2 started although P1 still counted as running")
				.isTrue();
		}
	}

	/** The block detector lingers a little after the last pending item, then parks without a timeout. */
	private static void awaitDetectorParked() {
		await().atMost(Duration.ofSeconds(TIMEOUT))
			.until(() -> Thread.getAllStackTraces()
				.keySet()
				.stream()
				.anyMatch((t) -> t.getName().equals("cmwq-block-detector") && t.getState() == Thread.State.WAITING));
	}

	@Test
	void thawingHeldWorkLetsConcurrencyManagementAct() throws Exception {
		heldItemStartsOnceActivated(true);
	}

	@Test
	void raisingMaxActiveLetsConcurrencyManagementAct() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(1)
			.systemWorkqueues(false)
			.watchdogThreshold(Duration.ZERO)
			.build()) {
			Workqueue wq = system.allocWorkqueue("limited", Set.of(), 1);
			CountDownLatch p1Started = new CountDownLatch(1);
			CountDownLatch p2Ran = new CountDownLatch(1);
			wq.execute(() -> {
				p1Started.countDown();
				WorkSemanticsTest.awaitLatch(p2Ran);
			});
			assertThat(p1Started.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
			wq.execute(p2Ran::countDown); // held back: max-active 1
			awaitDetectorParked();
			wq.setMaxActive(2);
			assertThat(p2Ran.await(TIMEOUT, TimeUnit.SECONDS)).as("P2 started although P1 still counted as running")
				.isTrue();
		}
	}

	@Test
	void anItemEndingActivatesHeldWorkThatConcurrencyManagementSees() throws Exception {
		heldItemStartsOnceActivated(false);
	}

	@Test
	void anItemRunningElsewhereQueuedOnAnOrderedQueueWaitsItsTurn() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build()) {
			Workqueue events = system.allocWorkqueue("events", Set.of(), 0);
			Workqueue audit = system.allocOrderedWorkqueue("audit", Set.of());
			List<String> auditOrder = new CopyOnWriteArrayList<>();
			AtomicInteger auditRunning = new AtomicInteger();
			AtomicInteger auditOverlap = new AtomicInteger();
			CountDownLatch aRunning = new CountDownLatch(1);
			CountDownLatch releaseA = new CountDownLatch(1);
			audit.execute(() -> {
				auditRunning.incrementAndGet();
				auditOrder.add("A");
				aRunning.countDown();
				WorkSemanticsTest.awaitLatch(releaseA);
				auditRunning.decrementAndGet();
			});
			assertThat(aRunning.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
			audit.execute(() -> auditOrder.add("B"));

			CountDownLatch wOnEvents = new CountDownLatch(1);
			CountDownLatch releaseW = new CountDownLatch(1);
			AtomicInteger wRuns = new AtomicInteger();
			Work w = new Work(() -> {
				if (wRuns.incrementAndGet() == 1) {
					wOnEvents.countDown();
					WorkSemanticsTest.awaitLatch(releaseW);
				}
				else {
					if (auditRunning.incrementAndGet() > 1) {
						auditOverlap.incrementAndGet();
					}
					auditOrder.add("W");
					auditRunning.decrementAndGet();
				}
			});
			assertThat(events.queue(w)).isTrue();
			assertThat(wOnEvents.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
			assertThat(audit.queue(w)).isTrue(); // while it runs for events
			releaseW.countDown();
			events.flush();
			assertThat(auditOrder).as("W waits behind A and B").containsExactly("A");
			releaseA.countDown();
			audit.flush();
			assertThat(auditOrder).containsExactly("A", "B", "W");
			assertThat(auditOverlap).hasValue(0);
		}
	}

	@Test
	void anItemPickedOnAnotherPoolWhileItRunsWaitsForItsPreviousInstance() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build()) {
			Workqueue bound = system.allocWorkqueue("bound", Set.of(), 0);
			Workqueue unbound = system.allocWorkqueue("unbound", Set.of(WorkqueueFlag.UNBOUND), 0);
			AtomicInteger runs = new AtomicInteger();
			AtomicInteger concurrent = new AtomicInteger();
			AtomicInteger overlaps = new AtomicInteger();
			CountDownLatch firstRunning = new CountDownLatch(1);
			CountDownLatch releaseFirst = new CountDownLatch(1);
			Work w = new Work(() -> {
				if (concurrent.incrementAndGet() > 1) {
					overlaps.incrementAndGet();
				}
				if (runs.incrementAndGet() == 1) {
					firstRunning.countDown();
					WorkSemanticsTest.awaitLatch(releaseFirst);
				}
				concurrent.decrementAndGet();
			});
			assertThat(bound.queue(w)).isTrue();
			assertThat(firstRunning.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
			assertThat(unbound.queue(w)).isTrue();
			// an unbound worker picks it, sees it running on cpu0's pool, and defers it
			await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> w.link() == Work.Link.DEFERRED);
			assertThat(runs).hasValue(1);
			releaseFirst.countDown();
			assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
			assertThat(runs).hasValue(2);
			assertThat(overlaps).hasValue(0);
			assertThat(unbound.snapshot().pending()).isZero();
		}
	}

	@Test
	void aListenerThatThrowsAnErrorDoesNotKillThePool() throws Exception {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build()) {
			system.addListener(new WorkListener() {
				@Override
				public void started(Workqueue workqueue, long waitNanos) {
					throw new AssertionError("listener bug in started");
				}

				@Override
				public void finished(Workqueue workqueue, long executionNanos, Throwable failure) {
					throw new AssertionError("listener bug in finished");
				}
			});
			Workqueue wq = system.allocWorkqueue("listened", Set.of(), 0);
			CountDownLatch ran = new CountDownLatch(3);
			for (int i = 0; i < 3; i++) {
				wq.execute(ran::countDown);
			}
			assertThat(ran.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
			assertThat(system.awaitIdle(Duration.ofSeconds(TIMEOUT))).isTrue();
			PoolSnapshot pool = system.snapshot().pools().get(0);
			assertThat(pool.running()).isZero();
			assertThat(pool.idle()).isEqualTo(pool.workers());
			assertThat(wq.snapshot().stats().completed()).isEqualTo(3);
		}
	}

	@Test
	void noWorkqueueIsAllocatedOnceCloseBegan() throws Exception {
		WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		Workqueue wq = system.allocWorkqueue("draining", Set.of(), 0);
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		wq.execute(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(release);
		});
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		CompletableFuture<Boolean> closed = CompletableFuture.supplyAsync(() -> system.close(Duration.ofSeconds(TIMEOUT)));
		await().atMost(Duration.ofSeconds(TIMEOUT)).until(() -> refuses(wq));
		assertThatIllegalStateException()
			.isThrownBy(() -> system.allocWorkqueue("late", Set.of(WorkqueueFlag.MEM_RECLAIM), 0))
			.withMessageContaining("shutting down")
			.withMessageContaining("late");
		release.countDown();
		assertThat(closed.get(TIMEOUT * 2, TimeUnit.SECONDS)).isTrue();
		assertThat(Thread.getAllStackTraces().keySet()).noneMatch((t) -> t.getName().equals("cmwq-rescuer-late"));
	}

	@Test
	void anItemCommittedAfterCloseTerminatedIsCancelledAndCounted() {
		WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		DefaultWorkqueue wq = (DefaultWorkqueue) system.allocWorkqueue("raced", Set.of(), 0);
		AtomicInteger runs = new AtomicInteger();
		Work work = new Work(runs::incrementAndGet);
		// queue() passed its run-state check and claimed the item, then close() ran to the end before it linked it
		assertThat(work.tryClaim()).isTrue();
		work.countQueued(wq);
		system.close(Duration.ofSeconds(TIMEOUT));
		wq.insert(-1, work);

		assertThat(work.isPending()).isFalse();
		assertThat(wq.snapshot().stats().cancelled()).isEqualTo(1);
		assertThat(system.awaitIdle(Duration.ZERO)).isTrue();
		assertThat(runs).hasValue(0);
		work.flush(); // returns: answered
	}

	@Test
	void aHugeCloseTimeoutDoesNotOverflow() {
		WorkqueueSystem system = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build();
		Workqueue wq = system.allocWorkqueue("forever", Set.of(), 0);
		AtomicInteger runs = new AtomicInteger();
		wq.execute(runs::incrementAndGet);
		assertThat(system.close(Duration.ofSeconds(Long.MAX_VALUE))).isTrue();
		assertThat(runs).hasValue(1);
	}

}
