package dev.cmwq.spring.aop;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.core.Blocking;
import dev.cmwq.spring.FutureWork;

import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.task.TaskDecorator;

/**
 * One queued invocation of a {@code @QueueWork} method that returns a future or has a key (a {@code void} method
 * without one queues a {@link QueueWorkCall}): a {@link FutureWork} whose call runs the method (inside the task
 * decorators) and unwraps a {@code Future} the method returns. Its future is what every caller coalesced into the
 * invocation gets; a {@code void} method's failure also goes to the {@link WorkErrorHandler}.
 *
 * <h2>States</h2>
 * <pre>
 *   new     --the interceptor queues it------&gt; pending  under its key if it has one
 *   new     --the workqueue refuses it-------&gt; done     future failed with the refusal; leaves its key
 *   pending --a worker runs it---------------&gt; running  leaves its key: the next call with it queues a new one
 *   pending --cancelled, or never started----&gt; done     future cancelled; leaves its key; the method never runs
 *   running --the method returns or throws---&gt; done     future completed or failed; void: WorkErrorHandler
 * </pre>
 * The engine answers the item exactly once ({@link #done}), however it ends, so the key is always released and the
 * future always completed.
 *
 * <p>It is kept for as long as the call is queued, so it holds only what differs per call (the invocation; the key
 * in {@link Keyed}, for methods with a key); the rest comes from its {@link QueueWorkMethod}.
 */
class QueueWorkTask extends FutureWork<Object> {

	private static final Logger logger = LoggerFactory.getLogger(QueueWorkTask.class);

	private final QueueWorkMethod method;

	private final MethodInvocation invocation;

	QueueWorkTask(QueueWorkMethod method, MethodInvocation invocation, TaskDecorator decorator) {
		super(decorator);
		this.method = method;
		this.invocation = invocation;
	}

	@Override
	protected Object call() throws Throwable {
		notPending();
		return invoke(this.method, this.invocation);
	}

	/**
	 * Runs a queued invocation on the worker: the method's outcome, waited for if it returns a future; a
	 * {@code void} method's failure also goes to the {@link WorkErrorHandler}.
	 * @return what the method's future gave, or null
	 * @throws Throwable what the method threw (or its future failed with)
	 */
	static Object invoke(QueueWorkMethod method, MethodInvocation invocation) throws Throwable {
		try {
			Object result = invocation.proceed();
			return (result instanceof Future<?> returned) ? await(returned) : null;
		}
		catch (Throwable ex) {
			Throwable failure = unwrap(ex);
			if (method.returnsVoid) {
				handleError(method, invocation, failure);
			}
			throw failure;
		}
	}

	@Override
	protected void done(Outcome outcome, Throwable failure) {
		notPending();
		super.done(outcome, failure);
	}

	/** The workqueue refused the invocation: it is not pending, and callers who joined it meanwhile get the refusal. */
	void refused(Throwable refusal) {
		notPending();
		future().completeExceptionally(refusal);
	}

	/** The invocation is no longer pending under its key, if it has one: it started, ended, or was refused. */
	void notPending() {
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

	private static void handleError(QueueWorkMethod method, MethodInvocation invocation, Throwable failure) {
		try {
			method.errorHandler.get().handleError(method.workqueueName, method.method, invocation.getArguments(),
					failure);
		}
		catch (Throwable ex) {
			logger.error("WorkErrorHandler failed on the failure of {}", method, ex);
		}
	}

	@Override
	protected String workqueueName() {
		return this.method.workqueueName;
	}

	@Override
	public String toString() {
		return "@QueueWork " + this.method;
	}

	/** The invocation of a method with a key, pending under it until it starts. */
	static final class Keyed extends QueueWorkTask {

		/** I: the key it is pending under. */
		private final QueueWorkMethod.PendingKey pendingKey;

		Keyed(QueueWorkMethod method, MethodInvocation invocation, QueueWorkMethod.PendingKey pendingKey,
				TaskDecorator decorator) {
			super(method, invocation, decorator);
			this.pendingKey = pendingKey;
		}

		@Override
		void notPending() {
			super.method.pending.remove(this.pendingKey, this);
		}

	}

}
