package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The ownership protocol of one {@link DelayedWork} (its PENDING bit, its timer, its linkage on a pool, and cancel)
 * checked by Lincheck's model checker: every interleaving of up to three threads running {@code queue},
 * {@code queueDelayed}, {@code modDelayed} (each with a far delay and with delay 0), {@code cancel} and
 * {@code isPending} is explored systematically (bounded by the invocation counts below), and must be
 * linearizable against {@link Model}, a three-state machine: idle, pending on its timer, pending linked on a pool.
 * After each run, {@link OneItem#engineAccountingAgrees()} checks the engine's own bookkeeping in the state the run left.
 *
 * <h2>How no engine thread takes part</h2>
 * The model checker controls only the threads that run operations, so the checked part must need no other. Every
 * run gets a fresh one-CPU system with the watchdog off and its timers shut down ({@code Timers.shutdown()}, a
 * package-private hook), so an armed item stays on its "timer" (no thread, never fires) until it is stolen; delay 0
 * links at once. Where it links:
 * <ul>
 * <li>{@link #frozenQueueHoldsItems()}: a FREEZABLE bound queue of a frozen system: the item is held on the
 * queue's inactive list and no worker is kicked.</li>
 * <li>{@link #poolWithoutWorkersKeepsItemsOnItsWorklist()}: an unbound queue whose thread factory refuses every
 * thread: the item is activated onto the pool's worklist, the pool tries to create a worker on the operation's
 * thread, fails, and records a shortage (the mayday timer cannot be armed, the timers being shut down).</li>
 * </ul>
 *
 * <h2>What this proves, and what it does not</h2>
 * It proves, for the explored interleavings: the PENDING bit is taken by exactly one queuer; {@code queue},
 * {@code queueDelayed} and {@code modDelayed} return what the kernel's functions return; {@code cancel} and
 * {@code modDelayed} take the pending instance away from the timer or from either list exactly once, even while
 * it is in transit between claim and linkage (the steal's retry loop); and the engine's counters agree at the
 * end: the item is linked at most once and exactly when the model says so, the queue's and pool's pending counts
 * and flush counts equal the model's, {@code awaitIdle(Duration.ZERO)} agrees with {@code isPending()}, every
 * accepted queueing is answered by one cancellation or steal or is still pending, and the queue's cancelled count
 * equals the successful {@code cancel()} calls.
 * <p>It does not cover: an item starting, running, or being requeued while it runs (no worker runs here; that is
 * {@code ModelBasedRandomTest}'s job); a timer firing (its CAS against a steal, {@code DelayedWork.fire}); the
 * rescuer; {@code cancelSync} (while it runs, {@code queue} returns false for an idle item, as in the kernel, which
 * no sequential specification of this shape accepts); and {@code DelayedWork.isDelayed()}, which is false for a
 * moment between the claim and the arming. Model checking explores a bounded number of interleavings of short
 * scenarios; it is a strong search, not an exhaustive proof.
 */
class WorkOwnershipLincheckTest {

	private static final int ITERATIONS = Integer.getInteger("cmwq.lincheck.iterations", 10);

	private static final int INVOCATIONS = Integer.getInteger("cmwq.lincheck.invocations", 100);

	@Test
	void frozenQueueHoldsItems() {
		check(FrozenQueue.class);
	}

	@Test
	void poolWithoutWorkersKeepsItemsOnItsWorklist() {
		check(NoWorkers.class);
	}

	private static void check(Class<?> testClass) {
		// every run builds a system and freezes it: keep the engine's info lines out of the model checker's way
		Logger engine = (Logger) LoggerFactory.getLogger(WorkqueueSystem.class);
		Level level = engine.getLevel();
		engine.setLevel(Level.WARN);
		long start = System.nanoTime();
		try {
			new ModelCheckingOptions().iterations(ITERATIONS)
				.invocationsPerIteration(INVOCATIONS)
				.threads(3)
				.actorsPerThread(2)
				.actorsBefore(1)
				.actorsAfter(1)
				.sequentialSpecification(Model.class)
				.check(testClass);
		}
		finally {
			engine.setLevel(level);
			System.out.printf("%s: %d scenarios x %d interleavings in %d ms%n", testClass.getSimpleName(), ITERATIONS,
					INVOCATIONS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
		}
	}

	/** One work item and the engine around it; Lincheck makes a fresh one for every run of a scenario. */
	public abstract static class OneItem {

		private static final Duration FAR = Duration.ofDays(1);

		final WorkqueueSystem system;

		final Workqueue wq;

		final DelayedWork work = new DelayedWork(() -> {
			throw new AssertionError("no item may run in this test");
		});

		private final AtomicLong cancelled = new AtomicLong();

		OneItem(boolean refuseThreads) {
			WorkqueueSystem.Builder builder = WorkqueueSystem.builder()
				.cpus(1)
				.systemWorkqueues(false)
				.watchdogThreshold(Duration.ZERO);
			if (refuseThreads) {
				this.system = builder.threadFactory((r) -> null).build();
				this.wq = this.system.allocWorkqueue("no-workers", Set.of(WorkqueueFlag.UNBOUND), 0);
			}
			else {
				this.system = builder.build();
				this.system.freeze();
				this.wq = this.system.allocWorkqueue("held", Set.of(WorkqueueFlag.FREEZABLE), 0);
			}
			this.system.timers.shutdown(); // armed items stay on their timer until stolen
		}

		@Operation
		public boolean queue() {
			return this.wq.queue(this.work);
		}

		@Operation
		public boolean queueDelayed() {
			return this.wq.queueDelayed(this.work, FAR);
		}

		@Operation
		public boolean queueDelayedZero() {
			return this.wq.queueDelayed(this.work, Duration.ZERO);
		}

		@Operation
		public boolean modDelayed() {
			return this.wq.modDelayed(this.work, FAR);
		}

		@Operation
		public boolean modDelayedZero() {
			return this.wq.modDelayed(this.work, Duration.ZERO);
		}

		@Operation
		public boolean cancel() {
			boolean was = this.work.cancel();
			if (was) {
				this.cancelled.incrementAndGet();
			}
			return was;
		}

		@Operation
		public boolean isPending() {
			return this.work.isPending();
		}

		/** The engine's accounting agrees with the item's state, whatever the run left it in. */
		@Validate
		public void engineAccountingAgrees() {
			boolean pending = this.work.isPending();
			boolean delayed = this.work.isDelayed();
			boolean linked = pending && !delayed;
			DefaultWorkqueue queue = (DefaultWorkqueue) this.wq;
			int linkedCount = 0;
			int inFlight = 0;
			for (PoolWorkqueue pwq : queue.pwqs) {
				linkedCount += (int) pwq.inactive.stream().filter((w) -> w == this.work).count();
				inFlight += pwq.nrInFlight();
			}
			int poolPending = this.system.snapshot().pools().stream().mapToInt(PoolSnapshot::pending).sum();
			linkedCount += poolPending; // the pools' worklists: only this item is ever queued here
			expect(linkedCount == (linked ? 1 : 0), "linked " + linkedCount + " times, linked=" + linked);
			Work.Link where = !linked ? Work.Link.NONE : (queue.unbound ? Work.Link.WORKLIST : Work.Link.INACTIVE);
			expect(this.work.link == where, "link " + this.work.link + ", expected " + where);
			expect((this.work.linkedPool != null) == linked, "linkedPool=" + this.work.linkedPool + ", linked=" + linked);
			expect(inFlight == (linked ? 1 : 0), "in flight " + inFlight + ", linked=" + linked);
			// an item on its timer must be in the queue's armed set, or close() would not cancel it; the converse
			// does not hold: a steal between arm() and armed.add() leaves a stale entry (harmless: close() checks)
			expect(!delayed || queue.armed.contains(this.work), "delayed, but not in the queue's armed set");
			expect(this.wq.snapshot().pending() == (linked ? 1 : 0),
					"queue snapshot pending " + this.wq.snapshot().pending() + ", linked=" + linked);
			expect(poolPending == ((linked && queue.unbound) ? 1 : 0), "pool snapshot pending " + poolPending);
			long owed = this.system.accepted.sum() - this.system.resolved.sum();
			expect(owed == (pending ? 1 : 0), "accepted - answered = " + owed + ", pending=" + pending);
			expect(this.system.awaitIdle(Duration.ZERO) == !pending, "awaitIdle(0) disagrees with pending=" + pending);
			long statCancelled = this.wq.snapshot().stats().cancelled();
			expect(statCancelled == this.cancelled.get(),
					"cancelled statistic " + statCancelled + " != successful cancel() calls " + this.cancelled.get());
		}

		private static void expect(boolean condition, String message) {
			if (!condition) {
				throw new IllegalStateException(message);
			}
		}

	}

	/** The item's queue is a FREEZABLE bound queue of a frozen system. */
	public static class FrozenQueue extends OneItem {

		public FrozenQueue() {
			super(false);
		}

	}

	/** The item's queue is an unbound queue whose pool can never get a worker. */
	public static class NoWorkers extends OneItem {

		public NoWorkers() {
			super(true);
		}

	}

	/** The sequential specification: idle, pending on its timer, or pending linked on a pool. */
	public static class Model {

		private enum State {

			IDLE, DELAYED, LINKED

		}

		private State state = State.IDLE;

		private boolean claim(State next) {
			if (this.state != State.IDLE) {
				return false;
			}
			this.state = next;
			return true;
		}

		/** {@code mod_delayed_work}: true if it was pending (and has been moved), false if it was idle. */
		private boolean move(State next) {
			boolean wasPending = this.state != State.IDLE;
			this.state = next;
			return wasPending;
		}

		public boolean queue() {
			return claim(State.LINKED);
		}

		public boolean queueDelayed() {
			return claim(State.DELAYED);
		}

		public boolean queueDelayedZero() {
			return claim(State.LINKED);
		}

		public boolean modDelayed() {
			return move(State.DELAYED);
		}

		public boolean modDelayedZero() {
			return move(State.LINKED);
		}

		public boolean cancel() {
			return move(State.IDLE);
		}

		public boolean isPending() {
			return this.state != State.IDLE;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Model model && model.state == this.state;
		}

		@Override
		public int hashCode() {
			return this.state.hashCode();
		}

	}

}
