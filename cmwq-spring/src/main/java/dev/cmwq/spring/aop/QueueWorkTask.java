package dev.cmwq.spring.aop;

import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.core.Blocking;
import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;

import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.task.TaskDecorator;

/**
 * One queued invocation of a {@code @QueueWork} method: the task of its work item.
 *
 * <p>It runs the method inside the application's task decorators and completes {@link #future} with the outcome;
 * a {@code void} method's failure goes to the {@link WorkErrorHandler}. A failure is then rethrown to the engine so
 * that the item counts as failed; {@link QueueWorkFailureHandler} knows these failures have been reported already.
 *
 * <h2>States</h2>
 * <pre>
 *   new       --queueing()------------------&gt; unstarted  in {@link #unstarted}, and pending under its key if it has one
 *   new       --the workqueue refuses it----&gt; done       future failed with the RejectedExecutionException
 *   unstarted --a worker runs it------------&gt; running    leaves both: the next call with its key queues a new one
 *   unstarted --future.cancel(), its delay
 *               cancelled, or abandoned------&gt; done       future cancelled; the method never runs
 *   running   --the method returns----------&gt; done       future completed with the value (a returned future unwrapped)
 *   running   --the method throws-----------&gt; done       future failed; void: WorkErrorHandler; rethrown to the engine
 * </pre>
 */
final class QueueWorkTask implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(QueueWorkTask.class);

	private final QueueWorkMethod method;

	private final MethodInvocation invocation;

	private final WorkErrorHandler errorHandler;

	/** I: the key it is pending under, or null. */
	private final QueueWorkMethod.PendingKey pendingKey;

	/** I: the invocations queued and not started yet, which this one is in from queueing until it starts. */
	private final Set<QueueWorkTask> unstarted;

	/** What every caller coalesced into this invocation gets. */
	final CompletableFuture<Object> future = new InvocationFuture();

	/** The work item, set on the caller's thread before it is queued. */
	private volatile Work work;

	/** The method call wrapped in the task decorators; set on the caller's thread before the item is queued. */
	private Runnable body = this::invoke;

	QueueWorkTask(QueueWorkMethod method, MethodInvocation invocation, WorkErrorHandler errorHandler,
			QueueWorkMethod.PendingKey pendingKey, Set<QueueWorkTask> unstarted) {
		this.method = method;
		this.invocation = invocation;
		this.errorHandler = errorHandler;
		this.pendingKey = pendingKey;
		this.unstarted = unstarted;
	}

	/**
	 * Wraps the call in the task decorators. Called on the caller's thread, where decorators capture their context.
	 * @param decorator the decorator, or null
	 */
	void decorate(TaskDecorator decorator) {
		if (decorator != null) {
			this.body = QueueWorkItem.decorate(this.method.method, this.invocation.getThis(), decorator, this::invoke);
		}
	}

	/**
	 * Makes the work item for this invocation.
	 * @param delayed whether it is queued after a delay
	 * @return the item
	 */
	Work work(boolean delayed) {
		Work item = delayed ? new Delayed(this) : new Work(this);
		this.work = item;
		return item;
	}

	@Override
	public void run() {
		notPending();
		if (!this.future.isCancelled()) { // cancelled by a caller while it was being queued
			this.body.run();
		}
	}

	/** The invocation is about to be queued. */
	void queueing() {
		this.unstarted.add(this);
	}

	/** The invocation is no longer pending: it started, was cancelled, or was refused. */
	void notPending() {
		this.unstarted.remove(this);
		if (this.pendingKey != null) {
			this.method.pending.remove(this.pendingKey, this);
		}
	}

	/** Its delayed work item was cancelled before it was queued, as at shutdown. */
	void cancelled() {
		notPending();
		this.future.completeExceptionally(new CancellationException(
				"Queued invocation of " + this.method + " was cancelled before it ran"));
	}

	/** The workqueue system has shut down and this invocation never started: it never will. */
	void abandoned() {
		notPending();
		this.future.completeExceptionally(new CancellationException("Queued invocation of " + this.method
				+ " did not start before the workqueue system shut down"));
	}

	private void invoke() {
		Object value;
		try {
			Object result = this.invocation.proceed();
			value = (result instanceof Future<?> returned) ? await(returned) : null;
		}
		catch (Throwable ex) {
			Throwable failure = unwrap(ex);
			this.future.completeExceptionally(failure);
			if (this.method.returnsVoid) {
				handleError(failure);
			}
			throw QueueWorkTask.<RuntimeException>rethrow(failure);
		}
		this.future.complete(value);
	}

	/** Waits for a future the method body returned, telling the engine this worker blocks meanwhile. */
	private static Object await(Future<?> returned) throws Throwable {
		if (returned.isDone()) {
			return returned.get();
		}
		try (Blocking.Section ignored = Blocking.begin()) {
			return returned.get();
		}
	}

	private static Throwable unwrap(Throwable ex) {
		if ((ex instanceof ExecutionException || ex instanceof CompletionException) && ex.getCause() != null) {
			return ex.getCause();
		}
		return ex;
	}

	private void handleError(Throwable failure) {
		try {
			this.errorHandler.handleError(this.method.workqueueName, this.method.method,
					this.invocation.getArguments(), failure);
		}
		catch (Throwable ex) {
			logger.error("WorkErrorHandler failed on the failure of {}", this.method, ex);
		}
	}

	/** Rethrows any throwable unchanged, so that the engine and its listeners see the method's own failure. */
	@SuppressWarnings("unchecked")
	private static <T extends Throwable> T rethrow(Throwable failure) throws T {
		throw (T) failure;
	}

	@Override
	public String toString() {
		return "@QueueWork " + this.method;
	}

	/**
	 * The invocation's future: cancelling it also cancels the work item if it has not started (like
	 * {@code cancel_work}); an invocation already running is not interrupted, but its outcome is ignored.
	 */
	private final class InvocationFuture extends CompletableFuture<Object> {

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			boolean cancelled = super.cancel(mayInterruptIfRunning);
			if (cancelled) {
				Work item = QueueWorkTask.this.work;
				if (item != null) {
					item.cancel();
				}
				notPending();
			}
			return cancelled;
		}

	}

	/**
	 * The work item of a delayed invocation: when its timer is cancelled (the engine does so at shutdown), the
	 * caller's future completes with a {@link CancellationException} instead of never completing.
	 */
	static final class Delayed extends DelayedWork {

		private final QueueWorkTask task;

		Delayed(QueueWorkTask task) {
			super(task);
			this.task = task;
		}

		@Override
		public boolean cancel() {
			boolean cancelled = super.cancel();
			if (cancelled) {
				this.task.cancelled();
			}
			return cancelled;
		}

		@Override
		public boolean cancelSync() {
			boolean cancelled = super.cancelSync();
			if (cancelled) {
				this.task.cancelled();
			}
			return cancelled;
		}

	}

}
