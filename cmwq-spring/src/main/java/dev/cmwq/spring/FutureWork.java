package dev.cmwq.spring;

import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;

import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;

import org.springframework.core.task.TaskDecorator;

/**
 * A work item with a future: what the starter queues for every future it hands out ({@code submit} on a workqueue
 * bean or the {@code WorkqueueTaskExecutor}, {@code @Async} methods on workqueues, {@code @QueueWork}
 * invocations). The future completes from the engine's one answer to the item ({@link Work#done}): with what
 * {@link #call()} returned or threw, or with a {@link CancellationException} if the item was cancelled or never
 * started because the workqueue system closed first. So after {@code close()} every such future is complete, except
 * that of an item still running then, which completes when its run ends (if the JVM has not exited meanwhile).
 *
 * <p>What {@link #call()} throws goes to the future and is recorded with {@link Work#failedHandled}: the item counts
 * as failed, and the engine's failure handler does not log it a second time. The task decorator given to the
 * constructor wraps the call, applied on the constructing thread, where decorators capture their context.
 * Cancelling the future cancels the item while it is pending, like {@code cancel_work}; a running call is not
 * interrupted, and its outcome is dropped. An item is one request: queue it once.
 * @param <T> the type of the result
 */
public abstract class FutureWork<T> extends DelayedWork {

	/** The future, which is also the task the engine runs (inside the decorator). I */
	private final Result<T> future;

	/**
	 * What the call returned, or a {@link Failure} holding what it threw. W (written by the call, read by
	 * {@code done} on the same thread)
	 */
	private Object outcome;

	/**
	 * Creates the item.
	 * @param decorator wraps the call, or null
	 */
	protected FutureWork(TaskDecorator decorator) {
		this(new Result<>(), decorator);
	}

	private FutureWork(Result<T> future, TaskDecorator decorator) {
		super((decorator != null) ? decorator.decorate(future) : future);
		this.future = future;
		future.work = this; // before the item can be queued: published with it
	}

	/**
	 * A work item for a task that gives a result.
	 * @param task the task
	 * @param decorator wraps the task, or null
	 * @param <T> the type of the result
	 * @return the item
	 */
	public static <T> FutureWork<T> of(Callable<T> task, TaskDecorator decorator) {
		return new FutureWork<>(decorator) {
			@Override
			protected T call() throws Exception {
				return task.call();
			}

			@Override
			public String toString() {
				return task.toString();
			}
		};
	}

	/**
	 * A work item for a task without a result.
	 * @param task the task
	 * @param decorator wraps the task, or null
	 * @return the item
	 */
	public static FutureWork<Void> of(Runnable task, TaskDecorator decorator) {
		return new FutureWork<>(decorator) {
			@Override
			protected Void call() {
				task.run();
				return null;
			}

			@Override
			public String toString() {
				return task.toString();
			}
		};
	}

	/**
	 * What the item does when it runs, on the worker, inside the task decorator.
	 * @return the future's value
	 * @throws Throwable the future's failure
	 */
	protected abstract T call() throws Throwable;

	/**
	 * The item's future: completed once, from the engine's answer.
	 * @return the future
	 */
	public final CompletableFuture<T> future() {
		return this.future;
	}

	private void invoke() {
		this.outcome = null;
		if (this.future.isDone()) {
			return; // its caller cancelled the future after a worker took the item
		}
		try {
			this.outcome = call();
		}
		catch (Throwable ex) {
			this.outcome = new Failure(ex);
			failedHandled(ex);
		}
	}

	@SuppressWarnings("unchecked")
	private T value() {
		return (T) this.outcome;
	}

	/**
	 * Completes the future from the engine's answer; subclasses that override it must call it.
	 */
	@Override
	protected void done(Outcome outcome, Throwable failure) {
		switch (outcome) {
			case COMPLETED -> this.future.complete(value());
			case FAILED -> this.future.completeExceptionally(failure); // a task decorator threw
			case FAILED_HANDLED -> {
				// the call failed, or code inside it recorded a failure it handled (a void @Async method's)
				if (this.outcome instanceof Failure thrown) {
					this.future.completeExceptionally(thrown.failure());
				}
				else {
					this.future.complete(value());
				}
			}
			case CANCELLED -> this.future
				.completeExceptionally(new CancellationException(this + " was cancelled before it started"));
			case ABANDONED -> this.future.completeExceptionally(
					new CancellationException(this + " never started: the workqueue system was closed first"));
		}
	}

	@Override
	public String toString() {
		return getClass().getName();
	}

	/**
	 * The workqueue the item is queued on, for messages; null where it is not known.
	 * @return the workqueue's name, or null
	 */
	protected String workqueueName() {
		return null;
	}

	/** What the call threw, told apart from a value that happens to be a {@link Throwable}. */
	private record Failure(Throwable failure) {
	}

	/**
	 * The item's future and the task the engine runs, in one object: running it makes the item's call. Its waits
	 * refuse the item itself (it would wait for its own end), and its cancel cancels the item. Static, because the
	 * item needs its task before it exists.
	 */
	private static final class Result<T> extends CompletableFuture<T> implements Runnable {

		/** I (set by the item's constructor, before the item can be queued) */
		private FutureWork<T> work;

		@Override
		public void run() {
			this.work.invoke();
		}

		@Override
		public T get() throws InterruptedException, ExecutionException {
			refuseSelfWait("get()");
			return super.get();
		}

		@Override
		public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
			refuseSelfWait("get(timeout, unit)");
			return super.get(timeout, unit);
		}

		@Override
		public T join() {
			refuseSelfWait("join()");
			return super.join();
		}

		private void refuseSelfWait(String operation) {
			if (!isDone() && Work.currentWork() == this.work) {
				String queue = this.work.workqueueName();
				throw new IllegalStateException(((queue != null) ? "Workqueue '" + queue + "'" : "A workqueue")
						+ ": item " + this.work + " called " + operation + " on its own future, which can only "
						+ "complete after the item returns");
			}
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			boolean cancelled = super.cancel(mayInterruptIfRunning);
			if (cancelled) {
				this.work.cancel();
			}
			return cancelled;
		}

	}

}
