package dev.cmwq.core;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Waits from an item that can only wait for itself fail fast with an {@link IllegalStateException} naming the queue
 * and the operation, before anything changes, and the queue stays usable; waits that are legal from an item still
 * work and still count as blocking.
 */
class SelfWaitTest {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	private final WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).systemWorkqueues(false).build();

	@AfterEach
	void tearDown() {
		this.system.close(Duration.ofSeconds(5));
	}

	/** Runs {@code body} as an item of {@code wq} and returns what it threw (null if nothing). */
	private Throwable fromItem(Workqueue wq, Consumer<Work> body) {
		AtomicReference<Throwable> thrown = new AtomicReference<>();
		Work[] self = new Work[1];
		self[0] = new Work(() -> {
			try {
				body.accept(self[0]);
			}
			catch (Throwable ex) {
				thrown.set(ex);
			}
		});
		wq.queue(self[0]);
		assertThat(this.system.awaitIdle(PATIENCE)).as("nothing hangs").isTrue();
		return thrown.get();
	}

	@ParameterizedTest
	@ValueSource(strings = { "flush()", "flush(PT1M)", "drain()", "destroy()" })
	void flushingDrainingOrDestroyingItsOwnQueueFailsFastAndTheQueueStaysUsable(String operation) {
		for (Workqueue wq : List.of(this.system.allocWorkqueue("plain", Set.of(), 0),
				this.system.allocOrderedWorkqueue("ordered", Set.of()))) {
			Throwable thrown = fromItem(wq, (self) -> {
				switch (operation) {
					case "flush()" -> wq.flush();
					case "flush(PT1M)" -> wq.flush(Duration.ofMinutes(1));
					case "drain()" -> wq.drain();
					default -> wq.destroy();
				}
			});
			assertThat(thrown).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("'" + wq.name() + "'")
				.hasMessageContaining(operation);
			assertThat(this.system.workqueue(wq.name())).as("not destroyed").isPresent();
			AtomicInteger after = new AtomicInteger();
			for (int i = 0; i < 10; i++) {
				wq.execute(after::incrementAndGet); // accepted from outside: the queue is not left draining
			}
			wq.drain();
			assertThat(after).hasValue(10);
			wq.destroy();
		}
	}

	@ParameterizedTest
	@ValueSource(booleans = { false, true })
	void flushOrCancelSyncOfAnItemByItselfFailsFastAlsoDelayedAndOnAnOrderedQueue(boolean ordered) {
		Workqueue wq = ordered ? this.system.allocOrderedWorkqueue("q", Set.of())
				: this.system.allocWorkqueue("q", Set.of(), 0);
		for (boolean delayed : new boolean[] { false, true }) {
			for (String operation : List.of("Work.flush()", "Work.cancelSync()")) {
				AtomicReference<Throwable> thrown = new AtomicReference<>();
				AtomicInteger runs = new AtomicInteger();
				Work[] self = new Work[1];
				Runnable task = () -> {
					if (runs.incrementAndGet() > 1) {
						return;
					}
					try {
						if (operation.equals("Work.flush()")) {
							self[0].flush();
						}
						else {
							self[0].cancelSync();
						}
					}
					catch (Throwable ex) {
						thrown.set(ex);
					}
				};
				self[0] = delayed ? new DelayedWork(task) : new Work(task);
				if (delayed) {
					wq.queueDelayed((DelayedWork) self[0], Duration.ofMillis(1));
				}
				else {
					wq.queue(self[0]);
				}
				assertThat(this.system.awaitIdle(PATIENCE)).as("%s: nothing hangs", operation).isTrue();
				assertThat(thrown.get()).as("%s on itself, delayed=%s", operation, delayed)
					.isInstanceOf(IllegalStateException.class)
					.hasMessageContaining("'q'")
					.hasMessageContaining(operation);
				assertThat(wq.queue(self[0])).as("%s left the item free to be queued again", operation).isTrue();
				self[0].flush();
				assertThat(runs).hasValue(2);
			}
		}
	}

	@Test
	void flushingAnItemPendingBehindItOnAnOrderedQueueFailsFastWhileCancellingItWorks() {
		Workqueue ordered = this.system.allocOrderedWorkqueue("audit", Set.of());
		AtomicInteger behindRuns = new AtomicInteger();
		Work behind = new Work(behindRuns::incrementAndGet);
		Throwable thrown = fromItem(ordered, (self) -> {
			ordered.queue(behind);
			behind.flush();
		});
		assertThat(thrown).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("'audit'")
			.hasMessageContaining("Work.flush()")
			.hasMessageContaining("ordered");
		assertThat(behindRuns).as("the item behind still ran, after").hasValue(1);

		AtomicReference<Boolean> cancelled = new AtomicReference<>();
		assertThat(fromItem(ordered, (self) -> {
			ordered.queue(behind);
			cancelled.set(behind.cancelSync());
		})).isNull();
		assertThat(cancelled.get()).isTrue();
		assertThat(behindRuns).hasValue(1);
	}

	@Test
	void awaitIdleFromAnItemFailsFast() {
		Workqueue wq = this.system.allocWorkqueue("waiter", Set.of(WorkqueueFlag.UNBOUND), 0);
		Throwable thrown = fromItem(wq, (self) -> this.system.awaitIdle(Duration.ofSeconds(5)));
		assertThat(thrown).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("'waiter'")
			.hasMessageContaining("awaitIdle()");
	}

	@Test
	void anItemRunInlineCannotWaitForItself() {
		Workqueue wq = this.system.allocWorkqueue("inline", Set.of(), 0);
		List<Throwable> thrown = new CopyOnWriteArrayList<>();
		Work[] self = new Work[1];
		self[0] = new Work(() -> {
			for (Runnable wait : List.<Runnable>of(() -> self[0].flush(), () -> Work.currentWork().cancelSync(),
					() -> this.system.awaitIdle(Duration.ofSeconds(5)))) {
				try {
					wait.run();
				}
				catch (IllegalStateException ex) {
					thrown.add(ex);
				}
			}
		});
		assertTimeoutPreemptively(PATIENCE, () -> assertThat(wq.runInline(self[0])).isTrue()); // it used to hang
		assertThat(thrown).hasSize(3).allSatisfy((ex) -> assertThat(ex).hasMessageContaining("'inline'"));
		assertThat(wq.runInline(self[0])).as("the item and the queue stay usable").isTrue();
		assertThat(thrown).hasSize(6);
	}

	@Test
	void anItemRunByItsCallerCannotWaitForItselfNorForTheItemItRunsAbove() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("full", Set.of(WorkqueueFlag.UNBOUND), 1);
		wq.setCapacity(1, Overflow.CALLER_RUNS, Duration.ZERO);
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch running = new CountDownLatch(1);
		wq.execute(() -> {
			running.countDown();
			WorkSemanticsTest.awaitLatch(release);
		});
		assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
		wq.execute(() -> {
		}); // fills it: what is queued next runs on its caller
		List<Throwable> thrown = new CopyOnWriteArrayList<>();
		Work[] self = new Work[1];
		self[0] = new Work(() -> {
			for (Runnable wait : List.<Runnable>of(() -> self[0].flush(), () -> self[0].cancelSync(),
					() -> this.system.awaitIdle(Duration.ofSeconds(5)))) {
				try {
					wait.run();
				}
				catch (IllegalStateException ex) {
					thrown.add(ex);
				}
			}
			assertThat(wq.flush(Duration.ZERO)).as("the queue's flush does not wait for it").isFalse();
		});
		assertThat(wq.queue(self[0])).isTrue();
		assertThat(thrown).hasSize(3).allSatisfy((ex) -> assertThat(ex).hasMessageContaining("'full'"));
		release.countDown();
		assertThat(this.system.awaitIdle(PATIENCE)).isTrue();

		// An item of 'full' that queues on 'full' while it is full runs the new item above itself, on its worker:
		// flushing 'full' from there would wait for the item below.
		AtomicReference<Throwable> nested = new AtomicReference<>();
		AtomicReference<Thread> below = new AtomicReference<>();
		AtomicReference<Thread> above = new AtomicReference<>();
		wq.execute(() -> {
			below.set(Thread.currentThread());
			wq.execute(() -> {
			}); // held back by max-active 1: the queue is full
			wq.execute(() -> {
				above.set(Thread.currentThread());
				try {
					wq.flush();
				}
				catch (IllegalStateException ex) {
					nested.set(ex);
				}
			});
		});
		assertThat(this.system.awaitIdle(PATIENCE)).isTrue();
		assertThat(above.get()).isSameAs(below.get());
		assertThat(nested.get()).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("'full'")
			.hasMessageContaining("flush()");
	}

	@Test
	void waitsForAnotherQueueOrItemStillWorkAndCountAsBlocking() throws Exception {
		try (WorkqueueSystem one = WorkqueueSystem.builder().cpus(1).systemWorkqueues(false).build()) {
			Workqueue slow = one.allocWorkqueue("slow", Set.of(WorkqueueFlag.UNBOUND), 0);
			Workqueue bound = one.allocWorkqueue("bound", Set.of(), 0);
			CountDownLatch release = new CountDownLatch(1);
			Work slowItem = new Work(() -> WorkSemanticsTest.awaitLatch(release));
			slow.queue(slowItem);
			CountDownLatch done = new CountDownLatch(2);
			for (Runnable wait : List.<Runnable>of(slow::flush, slowItem::flush)) {
				CountDownLatch waiting = new CountDownLatch(1);
				bound.execute(() -> {
					waiting.countDown();
					wait.run();
					done.countDown();
				});
				assertThat(waiting.await(30, TimeUnit.SECONDS)).isTrue();
				CountDownLatch next = new CountDownLatch(1);
				bound.execute(next::countDown); // same CPU's pool: starts only if the waiting item counts as blocked
				assertThat(next.await(30, TimeUnit.SECONDS)).isTrue();
			}
			assertThat(done.getCount()).as("both still wait for the slow item").isEqualTo(2);
			release.countDown();
			assertThat(one.awaitIdle(PATIENCE)).isTrue();
		}
	}

	@Test
	void aMemReclaimItemWaitingForAQueueWithoutRescuerIsWarnedAboutOnce() {
		Logger engine = (Logger) LoggerFactory.getLogger(WorkqueueSystem.class);
		ListAppender<ILoggingEvent> log = new ListAppender<>();
		log.start();
		engine.addAppender(log);
		try {
			Workqueue reclaim = this.system.allocWorkqueue("reclaim", Set.of(WorkqueueFlag.MEM_RECLAIM), 0);
			Workqueue plain = this.system.allocWorkqueue("plain", Set.of(), 0);
			for (int i = 0; i < 3; i++) {
				assertThat(fromItem(reclaim, (self) -> plain.flush())).isNull();
			}
			assertThat(log.list).filteredOn((event) -> event.getFormattedMessage().contains("no rescuer"))
				.singleElement()
				.satisfies((event) -> assertThat(event.getFormattedMessage()).contains("'reclaim'", "'plain'"));
		}
		finally {
			engine.detachAppender(log);
		}
	}

}
