package dev.cmwq.spring.async;

import dev.cmwq.core.Workqueue;

import org.springframework.core.task.AsyncTaskExecutor;

/**
 * A workqueue as Spring's {@link AsyncTaskExecutor}: the application's task executor when
 * {@code cmwq.async.default-workqueue} names the workqueue. Every task is a fresh item of that workqueue, queued
 * through its bean, so the application's task decorators apply and failures count as failed items.
 */
public final class WorkqueueTaskExecutor implements AsyncTaskExecutor {

	private final Workqueue workqueue;

	/**
	 * Creates the executor.
	 * @param workqueue the workqueue bean
	 */
	public WorkqueueTaskExecutor(Workqueue workqueue) {
		this.workqueue = workqueue;
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
		this.workqueue.execute(task);
	}

	@Override
	public String toString() {
		return "WorkqueueTaskExecutor[" + this.workqueue.name() + "]";
	}

}
