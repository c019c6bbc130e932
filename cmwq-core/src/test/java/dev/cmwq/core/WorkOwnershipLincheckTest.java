package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Options;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The ownership protocol of one {@link DelayedWork} (its PENDING bit, its timer, its linkage on a pool, and cancel)
 * checked with Lincheck: concurrent scenarios of {@code queue}, {@code queueDelayed} and {@code modDelayed} (with
 * delay 0, which links at once, and with a delay of a day, which never passes), {@code cancel} and {@code isPending}
 * must be linearizable against {@link Model}, a three-state machine (idle, pending on its timer, pending linked on
 * a pool), and after every run {@link OneItem#engineAccountingAgrees()} checks the engine's own bookkeeping in the
 * state the run left.
 *
 * <h2>How no engine thread takes part</h2>
 * Every run gets a fresh one-CPU system, watchdog off, whose queue never starts the item:
 * <ul>
 * <li>a FREEZABLE bound queue of a frozen system: the item is held on the queue's inactive list, no worker is
 * kicked ({@link HeldWithoutTimers}, {@link HeldWithTimers});</li>
 * <li>an unbound queue whose thread factory refuses every thread: the item is activated onto the pool's worklist,
 * the pool fails to create a worker on the operation's own thread and arms a mayday timer a day away
 * ({@link NoWorkersWithTimers}).</li>
 * </ul>
 * Lincheck's model checker controls only the threads that run operations, and arming a timer starts the system's
 * timer thread, which it would not control (tried: the checker then reports hangs and non-determinism). So:
 * {@link #modelCheckedOnAFrozenQueue()} model-checks the operations that need no timer (queue, delay-0 queueDelayed
 * and modDelayed, cancel, isPending) on the frozen queue, where no thread but the operations' exists;
 * {@link #stressedOnAFrozenQueueWithTimers()} and {@link #stressedOnAPoolWithoutWorkersWithTimers()} add the
 * far-delay operations and run in Lincheck's stress mode (real threads, many random scenarios), which needs no
 * control of the timer thread (it is ended after each run).
 *
 * <h2>What this proves, and what it does not</h2>
 * For the interleavings explored (model checking: exhaustively up to its bound of interleavings per scenario; stress:
 * whatever the real threads produced), it shows: the PENDING bit is taken by exactly one queuer; {@code queue},
 * {@code queueDelayed} and {@code modDelayed} return what the kernel's functions return; {@code cancel} and
 * {@code modDelayed} take the pending instance from the timer or from either list exactly once, also while it is
 * in transit between the claim and its linkage (the steal's retry loop); and at the end the item is linked at most
 * once and exactly when the model says so, the pool-workqueue's waiting and in-flight (flush) counts and the
 * snapshots' pending counts equal the model's, the item is in its queue's armed set (which close() cancels) exactly
 * while it is on its timer, {@code awaitIdle(Duration.ZERO)} agrees with {@code isPending()}, every accepted
 * queueing is answered (run, cancel or steal) or still pending, and the cancelled statistic and the item's
 * {@code done} answers (all CANCELLED) equal the successful {@code cancel()} calls.
 * <p>It does not cover: an item starting, running, or being requeued while it runs (no worker runs here; that is
 * {@link ModelBasedRandomTest}'s job); a timer firing and its race with a steal ({@code DelayedWork.fire}); the
 * rescuer; {@code cancelSync} (while it runs, {@code queue} returns false for an idle item, as in the kernel, which
 * no sequential specification of this shape accepts); {@code DelayedWork.isDelayed()}, false for a moment between
 * the claim and the arming. The CI bounds are small (the model checker costs about 0.2 to 0.6 s per interleaving
 * on a loaded 2-core machine); raise them with {@code -Dcmwq.lincheck.iterations}, {@code .invocations},
 * {@code .stress.iterations} and {@code .stress.invocations}. It is a search, not a proof.
 */
class WorkOwnershipLincheckTest {

	@Test
	void modelCheckedOnAFrozenQueue() {
		check(new ModelCheckingOptions().iterations(Integer.getInteger("cmwq.lincheck.iterations", 3))
			.invocationsPerIteration(Integer.getInteger("cmwq.lincheck.invocations", 10))
			.threads(2)
			.actorsPerThread(3)
			.actorsBefore(1)
			.actorsAfter(1), HeldWithoutTimers.class);
	}

	@Test
	void stressedOnAFrozenQueueWithTimers() {
		check(stress(), HeldWithTimers.class);
	}

	@Test
	void stressedOnAPoolWithoutWorkersWithTimers() {
		check(stress(), NoWorkersWithTimers.class);
	}

	private static StressOptions stress() {
		return new StressOptions().iterations(Integer.getInteger("cmwq.lincheck.stress.iterations", 10))
			.invocationsPerIteration(Integer.getInteger("cmwq.lincheck.stress.invocations", 200))
			.threads(3)
			.actorsPerThread(3)
			.actorsBefore(1)
			.actorsAfter(1);
	}

	private static void check(Options<?, ?> options, Class<?> testClass) {
		// every run builds a system (and freezes it, or refuses its threads on purpose): keep the engine's info lines
		// and its warning about the refused threads out of the way
		Logger engine = (Logger) LoggerFactory.getLogger(WorkqueueSystem.class);
		Level level = engine.getLevel();
		engine.setLevel(Level.ERROR);
		long start = System.nanoTime();
		try {
			options.sequentialSpecification(Model.class).check(testClass);
		}
		finally {
			engine.setLevel(level);
			System.out.printf("WorkOwnershipLincheckTest %s (%s) took %d ms%n", testClass.getSimpleName(),
					options.getClass().getSimpleName(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
		}
	}

	/**
	 * One work item and the engine around it, with the operations that need no timer; Lincheck makes a fresh one for
	 * every run of a scenario.
	 */
	public abstract static class OneItem {

		static final Duration FAR = Duration.ofDays(1);

		final WorkqueueSystem system;

		final Workqueue wq;

		private final AtomicLong cancelled = new AtomicLong();

		/** The engine's answers to the item's requests ({@code done}): only CANCELLED ones, one per cancel(). */
		private final AtomicLong cancelAnswers = new AtomicLong();

		private final AtomicLong otherAnswers = new AtomicLong();

		final DelayedWork work = new DelayedWork(() -> {
			throw new AssertionError("no item may run in this test");
		}) {
			@Override
			protected void done(Outcome outcome, Throwable failure) {
				((outcome == Outcome.CANCELLED) ? OneItem.this.cancelAnswers : OneItem.this.otherAnswers)
					.incrementAndGet();
			}
		};

		OneItem(boolean refuseThreads) {
			WorkqueueSystem.Builder builder = WorkqueueSystem.builder()
				.cpus(1)
				.systemWorkqueues(false)
				.watchdogThreshold(Duration.ZERO)
				.maydayInterval(FAR);
			if (refuseThreads) {
				this.system = builder.threadFactory((r) -> null).build();
				this.wq = this.system.allocWorkqueue("no-workers", Set.of(WorkqueueFlag.UNBOUND), 0);
			}
			else {
				this.system = builder.build();
				this.system.freeze();
				this.wq = this.system.allocWorkqueue("held", Set.of(WorkqueueFlag.FREEZABLE), 0);
			}
		}

		@Operation
		public boolean queue() {
			return this.wq.queue(this.work);
		}

		@Operation
		public boolean queueDelayedZero() {
			return this.wq.queueDelayed(this.work, Duration.ZERO);
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
			try {
				checkAccounting();
			}
			finally {
				this.system.timers.shutdown(); // ends the timer thread, if there is one
			}
		}

		private void checkAccounting() {
			boolean pending = this.work.isPending();
			boolean delayed = this.work.isDelayed();
			boolean linked = pending && !delayed;
			DefaultWorkqueue queue = (DefaultWorkqueue) this.wq;
			int waiting = 0;
			int inFlight = 0;
			for (PoolWorkqueue pwq : queue.pwqs) {
				pwq.pool.lock();
				try {
					waiting += pwq.nrWaiting();
					inFlight += pwq.nrInFlight();
				}
				finally {
					pwq.pool.unlock();
				}
			}
			expect(waiting == (linked ? 1 : 0), "waiting on pools " + waiting + ", linked=" + linked);
			expect(inFlight == (linked ? 1 : 0), "in flight " + inFlight + ", linked=" + linked);
			Work.Link where = !linked ? Work.Link.NONE : (queue.unbound ? Work.Link.WORKLIST : Work.Link.INACTIVE);
			expect(this.work.link() == where, "link " + this.work.link() + ", expected " + where);
			expect((this.work.linkedPool() != null) == linked,
					"linkedPool=" + this.work.linkedPool() + ", linked=" + linked);
			// an item on its timer must be in its queue's armed set, or close() would not cancel it; and an item not
			// on its timer must not be there, or close() waits for it forever
			expect(queue.armed.containsKey(this.work) == delayed, "in the armed set: "
					+ queue.armed.containsKey(this.work) + ", on its timer: " + delayed);
			expect(this.wq.snapshot().pending() == (linked ? 1 : 0),
					"queue snapshot pending " + this.wq.snapshot().pending() + ", linked=" + linked);
			int poolPending = this.system.snapshot().pools().stream().mapToInt(PoolSnapshot::pending).sum();
			expect(poolPending == ((linked && queue.unbound) ? 1 : 0), "pool snapshot pending " + poolPending);
			long owed = this.system.accepted.sum() - this.system.resolved.sum();
			expect(owed == (pending ? 1 : 0), "accepted - answered = " + owed + ", pending=" + pending);
			expect(this.system.awaitIdle(Duration.ZERO) == !pending, "awaitIdle(0) disagrees with pending=" + pending);
			long statCancelled = this.wq.snapshot().stats().cancelled();
			expect(statCancelled == this.cancelled.get(),
					"cancelled statistic " + statCancelled + " != successful cancel() calls " + this.cancelled.get());
			expect(this.cancelAnswers.get() == this.cancelled.get() && this.otherAnswers.get() == 0,
					"answers: cancelled " + this.cancelAnswers.get() + ", other " + this.otherAnswers.get()
							+ "; successful cancel() calls " + this.cancelled.get());
		}

		private static void expect(boolean condition, String message) {
			if (!condition) {
				throw new IllegalStateException(message);
			}
		}

	}

	/** The item's queue is a FREEZABLE bound queue of a frozen system; no timer is ever armed. */
	public static class HeldWithoutTimers extends OneItem {

		public HeldWithoutTimers() {
			super(false);
		}

	}

	/** Adds arming and moving the item's timer with a delay that never passes. */
	public abstract static class WithTimers extends OneItem {

		WithTimers(boolean refuseThreads) {
			super(refuseThreads);
		}

		@Operation
		public boolean queueDelayed() {
			return this.wq.queueDelayed(this.work, FAR);
		}

		@Operation
		public boolean modDelayed() {
			return this.wq.modDelayed(this.work, FAR);
		}

	}

	/** The item's queue is a FREEZABLE bound queue of a frozen system. */
	public static class HeldWithTimers extends WithTimers {

		public HeldWithTimers() {
			super(false);
		}

	}

	/** The item's queue is an unbound queue whose pool can never get a worker. */
	public static class NoWorkersWithTimers extends WithTimers {

		public NoWorkersWithTimers() {
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
