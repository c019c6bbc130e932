package dev.cmwq.core;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link CallerRunsWorkqueue}: items run on the queuing thread, and everything but scheduling is the queue's: the
 * pending bit, statistics, listeners, the failure handler, refusal at shutdown, and the counts awaitIdle reads.
 */
class CallerRunsWorkqueueTest {

	private static final long TIMEOUT = 30;

	private final List<String> failures = new CopyOnWriteArrayList<>();

	private final List<String> events = new CopyOnWriteArrayList<>();

	private final WorkqueueSystem system = WorkqueueSystem.builder()
		.cpus(2)
		.systemWorkqueues(false)
		.failureHandler((wq, work, failure) -> this.failures.add(wq.name() + ": " + failure.getMessage()))
		.build();

	private final Workqueue engine = this.system.allocWorkqueue("q", Set.of(), 0);

	private final CallerRunsWorkqueue inline = CallerRunsWorkqueue.of(this.engine);

	private final ExecutorService other = Executors.newSingleThreadExecutor();

	@AfterEach
	void tearDown() {
		this.other.shutdownNow();
		this.system.close(Duration.ofSeconds(5));
	}

	@Test
	void runsOnTheCallersThreadAndCountsAndReportsAsTheQueueDoes() {
		this.system.addListener(new WorkListener() {
			@Override
			public void started(Workqueue workqueue, long waitNanos) {
				CallerRunsWorkqueueTest.this.events.add("started " + workqueue.name());
			}

			@Override
			public void finished(Workqueue workqueue, long executionNanos, Throwable failure) {
				CallerRunsWorkqueueTest.this.events.add("finished " + workqueue.name() + " "
						+ ((failure != null) ? failure.getMessage() : "ok"));
			}
		});
		List<Thread> ranOn = new CopyOnWriteArrayList<>();
		assertThat(this.inline.queue(new Work(() -> ranOn.add(Thread.currentThread())))).isTrue();
		this.inline.execute(() -> {
			throw new IllegalStateException("boom");
		});
		assertThat(ranOn).containsExactly(Thread.currentThread());
		assertThat(this.engine.snapshot().stats()).extracting("started", "completed", "failed")
			.containsExactly(2L, 1L, 1L);
		assertThat(this.failures).containsExactly("q: boom");
		assertThat(this.events).containsExactly("started q", "finished q ok", "started q", "finished q boom");
		assertThat(this.system.awaitIdle(Duration.ZERO)).isTrue();
	}

	@Test
	void anItemPendingOnTheQueueIsNotQueuedAgain() throws Exception {
		AtomicInteger runs = new AtomicInteger();
		Work work = new Work(runs::incrementAndGet);
		Workqueue ordered = this.system.allocOrderedWorkqueue("ordered", Set.of());
		CountDownLatch slot = new CountDownLatch(1);
		ordered.execute(() -> await(slot));
		assertThat(ordered.queue(work)).isTrue(); // held behind the first item: pending
		assertThat(this.inline.queue(work)).isFalse();
		assertThat(runs).hasValue(0);
		slot.countDown();
		ordered.flush();
		assertThat(runs).hasValue(1);
	}

	@Test
	void requeueFromItsOwnRunRunsExactlyOnceMoreAfterIt() {
		List<String> log = new CopyOnWriteArrayList<>();
		List<Boolean> queued = new CopyOnWriteArrayList<>();
		Work[] self = new Work[1];
		self[0] = new Work(() -> {
			log.add("run " + log.size());
			if (log.size() == 1) {
				queued.add(this.inline.queue(self[0]));
				queued.add(this.inline.queue(self[0]));
				log.add("end of first run");
			}
		});
		assertThat(this.inline.queue(self[0])).isTrue();
		assertThat(queued).containsExactly(true, false);
		assertThat(log).containsExactly("run 0", "end of first run", "run 2");
		assertThat(this.engine.snapshot().stats().completed()).isEqualTo(2);
		assertThat(this.system.awaitIdle(Duration.ZERO)).isTrue();
	}

	@Test
	void queueingFromAnotherThreadWhileItRunsHereAddsOneRunOnTheRunningThread() throws Exception {
		CountDownLatch running = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		List<Thread> ranOn = new CopyOnWriteArrayList<>();
		Work work = new Work(() -> {
			ranOn.add(Thread.currentThread());
			if (ranOn.size() == 1) {
				running.countDown();
				await(release);
			}
		});
		Future<List<Boolean>> asked = this.other.submit(() -> {
			await(running);
			List<Boolean> results = List.of(this.inline.queue(work), this.inline.queue(work));
			release.countDown();
			return results;
		});
		assertThat(this.inline.queue(work)).isTrue();
		assertThat(asked.get(TIMEOUT, TimeUnit.SECONDS)).containsExactly(true, false);
		assertThat(ranOn).containsExactly(Thread.currentThread(), Thread.currentThread());
	}

	@Test
	void delaysAreSkippedAndCpusChecked() {
		AtomicInteger runs = new AtomicInteger();
		DelayedWork work = new DelayedWork(runs::incrementAndGet);
		assertThat(this.inline.queueDelayed(work, Duration.ofDays(1))).isTrue();
		assertThat(this.inline.queueDelayedOn(1, work, Duration.ofDays(1))).isTrue();
		assertThat(this.inline.modDelayed(work, Duration.ofDays(1))).isFalse();
		assertThat(runs).hasValue(3);
		assertThat(this.engine.queueDelayed(work, Duration.ofDays(1))).isTrue();
		assertThat(this.inline.modDelayed(work, Duration.ofDays(1))).isTrue(); // taken from the engine's timer
		assertThat(runs).hasValue(4);
		assertThat(work.isPending()).isFalse();
		assertThat(this.system.awaitIdle(Duration.ZERO)).isTrue();
		assertThatThrownBy(() -> this.inline.queueOn(2, work)).isInstanceOf(UnknownCpuException.class);
		assertThatIllegalArgumentException().isThrownBy(() -> this.inline.queueDelayed(work, Duration.ofSeconds(-1)));
	}

	@Test
	void refusesOnceTheSystemIsClosedOrTheQueueDestroyed() {
		Workqueue other = this.system.allocWorkqueue("other", Set.of(), 0);
		CallerRunsWorkqueue destroyed = CallerRunsWorkqueue.of(other);
		other.destroy();
		assertThatThrownBy(() -> destroyed.execute(() -> {
		})).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("'other' is destroyed");
		this.system.close();
		assertThatThrownBy(() -> this.inline.execute(() -> {
		})).isInstanceOf(RejectedExecutionException.class).hasMessageContaining("is closed");
	}

	@Test
	void onlyAWorkqueueSystemsQueuesHaveAView() {
		assertThat(CallerRunsWorkqueue.of(this.inline)).isSameAs(this.inline);
		Workqueue someoneElses = (Workqueue) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { Workqueue.class }, (proxy, method, arguments) -> null);
		assertThatIllegalArgumentException().isThrownBy(() -> CallerRunsWorkqueue.of(someoneElses));
	}

	private static void await(CountDownLatch latch) {
		try {
			assertThat(latch.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * An item that queues itself on the caller-runs view from its own run on a worker is refused (it would wait for
	 * itself), and is left idle: not pending for good, so it can be queued and cancelled afterwards.
	 */
	@Test
	void anItemQueuedOnTheViewFromItsOwnRunIsRefusedAndLeftIdle() throws Exception {
		Workqueue wq = this.system.allocWorkqueue("view", Set.of(), 0);
		CallerRunsWorkqueue view = CallerRunsWorkqueue.of(wq);
		AtomicReference<Throwable> thrown = new AtomicReference<>();
		Work[] self = new Work[1];
		self[0] = new Work(() -> {
			if (thrown.get() == null) {
				try {
					view.queue(self[0]);
				}
				catch (IllegalStateException ex) {
					thrown.set(ex);
				}
			}
		});
		wq.queue(self[0]);
		wq.flush();
		assertThat(thrown.get()).isInstanceOf(IllegalStateException.class);
		assertThat(self[0].isPending()).isFalse();
		assertThat(wq.queue(self[0])).isTrue();
		wq.flush();
		assertThat(self[0].isPending()).isFalse();
	}

}
