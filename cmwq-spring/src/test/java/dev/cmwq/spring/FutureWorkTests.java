package dev.cmwq.spring;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A {@link FutureWork}'s future follows the engine's answer to its item: the value, the failure (counted as failed,
 * not logged by the failure handler), or a cancellation when the item is cancelled or never starts.
 */
class FutureWorkTests {

	private static final long TIMEOUT = 30;

	private final List<Throwable> handled = new CopyOnWriteArrayList<>();

	private final WorkqueueSystem system = WorkqueueSystem.builder()
		.cpus(1)
		.systemWorkqueues(false)
		.failureHandler((wq, work, failure) -> this.handled.add(failure))
		.build();

	private final Workqueue serial = this.system.allocOrderedWorkqueue("serial", Set.of());

	private final CountDownLatch release = new CountDownLatch(1);

	@AfterEach
	void tearDown() {
		this.release.countDown();
		this.system.close(Duration.ofSeconds(5));
	}

	@Test
	void theFutureCompletesWithTheValueOnceTheItemIsCounted() throws Exception {
		FutureWork<String> work = FutureWork.of(() -> "value", null);
		this.serial.queue(work);
		assertThat(work.future().get(TIMEOUT, TimeUnit.SECONDS)).isEqualTo("value");
		assertThat(this.serial.snapshot().stats().completed()).isEqualTo(1);
	}

	@Test
	void anItemThatWaitsForItsOwnFutureFailsFastAndTheQueueGoesOn() throws Exception {
		List<String> refusals = new CopyOnWriteArrayList<>();
		FutureWork<String> work = new FutureWork<>(null) {
			@Override
			protected String call() throws Exception {
				for (Callable<?> wait : List.<Callable<?>>of(() -> future().get(), () -> future().join(),
						() -> future().get(TIMEOUT, TimeUnit.SECONDS))) {
					try {
						wait.call();
					}
					catch (IllegalStateException ex) {
						refusals.add(ex.getMessage());
					}
				}
				return "done";
			}

			@Override
			protected String workqueueName() {
				return "serial";
			}
		};
		this.serial.queue(work);
		assertThat(work.future().get(TIMEOUT, TimeUnit.SECONDS)).isEqualTo("done");
		assertThat(refusals).hasSize(3)
			.allMatch((message) -> message.startsWith("Workqueue 'serial': item ") && message.contains("own future"));
		FutureWork<String> next = FutureWork.of(() -> "next", null);
		this.serial.queue(next);
		assertThat(next.future().get(TIMEOUT, TimeUnit.SECONDS)).isEqualTo("next");
	}

	@Test
	void aFailureGoesToTheFutureAndCountsAsFailedWithoutTheFailureHandler() {
		IllegalStateException boom = new IllegalStateException("boom");
		FutureWork<Void> work = FutureWork.of(() -> {
			throw boom;
		}, null);
		this.serial.queue(work);
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> work.future().get(TIMEOUT, TimeUnit.SECONDS))
			.withCause(boom);
		assertThat(this.serial.snapshot().stats().failed()).isEqualTo(1);
		assertThat(this.handled).isEmpty();
	}

	@Test
	void aFailureOfTheTaskDecoratorFailsTheFutureAndReachesTheFailureHandler() {
		IllegalStateException broken = new IllegalStateException("decorator");
		AtomicInteger ran = new AtomicInteger();
		FutureWork<Integer> work = FutureWork.of(ran::incrementAndGet, (task) -> () -> {
			task.run();
			throw broken;
		});
		this.serial.queue(work);
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> work.future().get(TIMEOUT, TimeUnit.SECONDS))
			.withCause(broken);
		assertThat(this.handled).containsExactly(broken);
		assertThat(ran).hasValue(1);
	}

	@Test
	void cancellingTheFutureCancelsThePendingItem() throws Exception {
		block();
		AtomicInteger ran = new AtomicInteger();
		FutureWork<Integer> work = FutureWork.of(ran::incrementAndGet, null);
		this.serial.queue(work);
		assertThat(work.future().cancel(false)).isTrue();
		assertThat(work.isPending()).isFalse();
		assertThat(this.serial.snapshot().stats().cancelled()).isEqualTo(1);
		this.release.countDown();
		this.serial.flush();
		assertThat(ran).hasValue(0);
	}

	@Test
	void cancellingTheItemCancelsTheFuture() throws Exception {
		block();
		FutureWork<String> work = FutureWork.of(() -> "value", null);
		this.serial.queue(work);
		assertThat(work.cancel()).isTrue();
		assertThat(work.future()).isCancelled();
		assertThatExceptionOfType(CancellationException.class).isThrownBy(() -> work.future().get())
			.withMessageContaining("was cancelled before it started");
	}

	@Test
	void itemsThatNeverStartBeforeCloseHaveTheirFuturesCancelledWhenCloseReturns() throws Exception {
		block();
		FutureWork<String> queued = FutureWork.of(() -> "queued", null);
		FutureWork<String> delayed = FutureWork.of(() -> "delayed", null);
		this.serial.queue(queued);
		this.serial.queueDelayed(delayed, Duration.ofHours(1));
		assertThat(this.system.close(Duration.ZERO)).isFalse();
		for (CompletableFuture<String> future : List.of(queued.future(), delayed.future())) {
			assertThat(future).isCancelled();
			assertThatExceptionOfType(CancellationException.class).isThrownBy(future::get)
				.withMessageContaining("never started: the workqueue system was closed first");
		}
	}

	@Test
	void runInlineCompletesTheFutureBeforeItReturns() throws Exception {
		FutureWork<String> work = FutureWork.of(() -> Thread.currentThread().getName(), null);
		assertThat(this.serial.runInline(work)).isTrue();
		assertThat(work.future()).isCompletedWithValue(Thread.currentThread().getName());
		assertThat(Work.currentWork()).isNull();
	}

	private void block() throws InterruptedException {
		CountDownLatch running = new CountDownLatch(1);
		this.serial.execute(() -> {
			running.countDown();
			try {
				this.release.await(TIMEOUT, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		assertThat(running.await(TIMEOUT, TimeUnit.SECONDS)).isTrue();
	}

}
