package dev.cmwq.spring.async;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import dev.cmwq.core.Workqueue;
import dev.cmwq.spring.SpringWorkqueue;

import org.springframework.core.task.AsyncTaskExecutor;

/**
 * A workqueue as Spring's {@link AsyncTaskExecutor}: the application's task executor when
 * {@code cmwq.async.default-workqueue} names the workqueue. Every task is a fresh item of that workqueue, queued
 * through its bean, so the application's task decorators apply, failures count as failed items, the futures of
 * {@code submit} complete (or are cancelled) however the item ends, shutdown included, and refusals throw
 * {@link org.springframework.core.task.TaskRejectedException}.
 */
public final class WorkqueueTaskExecutor implements AsyncTaskExecutor {

	private final Workqueue workqueue;

	private final SpringWorkqueue executor;

	/**
	 * Creates the executor.
	 * @param workqueue the workqueue bean
	 */
	public WorkqueueTaskExecutor(Workqueue workqueue) {
		this.workqueue = workqueue;
		this.executor = SpringWorkqueue.of(workqueue);
	}

	/**
	 * The workqueue the tasks run on.
	 * @return the workqueue bean
	 */
	public Workqueue getWorkqueue() {
		return this.workqueue;
	}

	@Override
	public void execute(Runnable task) {
		this.executor.execute(task);
	}

	@Override
	public Future<?> submit(Runnable task) {
		return this.executor.submit(task);
	}

	@Override
	public <T> Future<T> submit(Callable<T> task) {
		return this.executor.submit(task);
	}

	@Override
	public CompletableFuture<Void> submitCompletable(Runnable task) {
		return this.executor.submitCompletable(task);
	}

	@Override
	public <T> CompletableFuture<T> submitCompletable(Callable<T> task) {
		return this.executor.submitCompletable(task);
	}

	@Override
	public String toString() {
		return "WorkqueueTaskExecutor[" + this.workqueue.name() + "]";
	}

}
