package dev.cmwq.spring.async;

import dev.cmwq.spring.WorkqueueTaskDecorator;
import dev.cmwq.spring.aop.QueueWorkFailureHandler;

import org.springframework.core.Ordered;

/**
 * A task queued through a {@code Workqueue} bean, seen from the worker that runs it. Spring runs an
 * {@code @Async} method inside a {@code FutureTask} (or a {@code CompletableFuture}'s task), which keeps what the
 * method throws from the engine; {@link AsyncFailureInterceptor}, running inside the method's call on this thread,
 * records the failure here, and the item rethrows it once the task has returned, so that the engine counts the item
 * as failed, as it does for {@code @QueueWork}. The failure has been reported already (to the caller's future or to
 * the {@code WorkErrorHandler}), so the starter's failure handler only counts it.
 */
public final class AsyncWorkItem implements Runnable {

	private static final ThreadLocal<AsyncWorkItem> current = new ThreadLocal<>();

	/** I */
	final String workqueue;

	private final Runnable task; // I

	/** What the task's {@code @Async} method threw; written and read on the worker thread only. */
	private Throwable failure;

	private AsyncWorkItem(String workqueue, Runnable task) {
		this.workqueue = workqueue;
		this.task = task;
	}

	/**
	 * The item the calling thread runs, if it is a worker running a task queued through a {@code Workqueue} bean.
	 * @return the item, or null
	 */
	static AsyncWorkItem current() {
		return current.get();
	}

	/**
	 * The task's {@code @Async} method failed.
	 * @param failure what it threw
	 */
	void failed(Throwable failure) {
		if (this.failure == null) {
			this.failure = failure;
		}
	}

	@Override
	public void run() {
		AsyncWorkItem outer = current.get();
		current.set(this);
		try {
			this.task.run();
		}
		finally {
			if (outer != null) {
				current.set(outer);
			}
			else {
				current.remove();
			}
		}
		if (this.failure != null) {
			QueueWorkFailureHandler.reportedAlready(this.failure);
			throw AsyncWorkItem.<RuntimeException>rethrow(this.failure);
		}
	}

	@SuppressWarnings("unchecked")
	private static <T extends Throwable> T rethrow(Throwable failure) throws T {
		throw (T) failure;
	}

	@Override
	public String toString() {
		return this.task.toString();
	}

	/** Makes every task queued through a {@code Workqueue} bean an {@link AsyncWorkItem}: the innermost wrapper. */
	public static final class Decorator implements WorkqueueTaskDecorator, Ordered {

		@Override
		public Runnable decorate(String workqueue, Runnable task) {
			return new AsyncWorkItem(workqueue, task);
		}

		@Override
		public int getOrder() {
			return Ordered.HIGHEST_PRECEDENCE;
		}

	}

}
