package dev.cmwq.spring;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;

import org.springframework.core.task.AsyncTaskExecutor;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;

/**
 * A workqueue as a Spring bean: the engine's queue behind Spring's {@link AsyncTaskExecutor} contract. Every task
 * given to {@link #execute} or {@code submit} is a fresh item, wrapped by the task decorator (the application's
 * {@link TaskDecorator}s and the {@link WorkqueueTaskDecorator}s) on the caller's thread, as Spring Boot's own
 * executor does; {@code submit} returns the future of a {@link FutureWork}, completed by the engine's answer, so it
 * completes (or is cancelled) however the item ends, at shutdown too. Spring uses these methods for
 * {@code @Async("name")}. {@link Work} items are queued as they are, because a work item's identity is its pending
 * bit. A refusal of the engine ({@link RejectedExecutionException}: the queue is closed, draining or full) reaches
 * the caller as Spring's {@link TaskRejectedException}.
 */
public final class SpringWorkqueue extends ForwardingWorkqueue implements AsyncTaskExecutor {

	private final TaskDecorator decorator;

	/**
	 * Creates the bean.
	 * @param delegate the engine's queue
	 * @param decorator wraps every task, or null
	 */
	public SpringWorkqueue(Workqueue delegate, TaskDecorator decorator) {
		super(delegate);
		this.decorator = decorator;
	}

	/**
	 * A workqueue as a {@code SpringWorkqueue}: itself if it is one, else a view without a decorator.
	 * @param workqueue the workqueue
	 * @return the view
	 */
	public static SpringWorkqueue of(Workqueue workqueue) {
		return (workqueue instanceof SpringWorkqueue spring) ? spring : new SpringWorkqueue(workqueue, null);
	}

	/**
	 * The engine's queue behind this bean.
	 * @return the queue
	 */
	public Workqueue delegate() {
		return this.delegate;
	}

	/**
	 * This bean's decoration over another view of its queue, such as one that runs items on the caller's thread in
	 * tests.
	 * @param view makes the other view from the queue behind this one
	 * @return the new view
	 */
	public SpringWorkqueue withDelegate(UnaryOperator<Workqueue> view) {
		return new SpringWorkqueue(view.apply(this.delegate), this.decorator);
	}

	@Override
	public void execute(Runnable task) {
		Runnable decorated = (this.decorator != null) ? this.decorator.decorate(task) : task;
		try {
			this.delegate.execute(decorated);
		}
		catch (RejectedExecutionException ex) {
			throw rejected(ex);
		}
	}

	@Override
	public Future<?> submit(Runnable task) {
		return queue(FutureWork.of(task, this.decorator));
	}

	@Override
	public <T> Future<T> submit(Callable<T> task) {
		return queue(FutureWork.of(task, this.decorator));
	}

	@Override
	public CompletableFuture<Void> submitCompletable(Runnable task) {
		return queue(FutureWork.of(task, this.decorator));
	}

	@Override
	public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
		return queue(FutureWork.of(task, this.decorator));
	}

	private <T> CompletableFuture<T> queue(FutureWork<T> work) {
		queue((Work) work);
		return work.future();
	}

	@Override
	public boolean queue(Work work) {
		return refusing(() -> this.delegate.queue(work));
	}

	@Override
	public boolean queueOn(int cpu, Work work) {
		return refusing(() -> this.delegate.queueOn(cpu, work));
	}

	@Override
	public boolean runInline(Work work) {
		return refusing(() -> this.delegate.runInline(work));
	}

	@Override
	public boolean queueDelayed(DelayedWork work, Duration delay) {
		return refusing(() -> this.delegate.queueDelayed(work, delay));
	}

	@Override
	public boolean queueDelayedOn(int cpu, DelayedWork work, Duration delay) {
		return refusing(() -> this.delegate.queueDelayedOn(cpu, work, delay));
	}

	@Override
	public boolean modDelayed(DelayedWork work, Duration delay) {
		return refusing(() -> this.delegate.modDelayed(work, delay));
	}

	private static boolean refusing(BooleanSupplier queueing) {
		try {
			return queueing.getAsBoolean();
		}
		catch (RejectedExecutionException ex) {
			throw rejected(ex);
		}
	}

	/** Spring's contract for a task executor's refusals; the engine's message names the queue and the reason. */
	private static TaskRejectedException rejected(RejectedExecutionException ex) {
		return (ex instanceof TaskRejectedException spring) ? spring : new TaskRejectedException(ex.getMessage(), ex);
	}
















}
