package dev.cmwq.spring.aop;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.spring.FutureWork;

import org.springframework.core.task.TaskDecorator;

/**
 * One queued invocation of a {@code @QueueWork} method that returns a future or has a key (a {@code void} method
 * without one queues its {@link QueueWorkCall} alone): a {@link FutureWork} whose call makes the
 * {@link QueueWorkCall} (inside the task decorators), which unwraps a {@code Future} the method returns. Its future
 * is what every caller coalesced into the invocation gets; a {@code void} method's failure also goes to the
 * {@link WorkErrorHandler}.
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
 * <p>It is kept for as long as the call is queued, so it holds only what differs per call (the call; the key in
 * {@link Keyed}, for methods with a key); the rest comes from the call's {@link QueueWorkMethod}.
 */
class QueueWorkTask extends FutureWork<Object> {

	private final QueueWorkCall call;

	QueueWorkTask(QueueWorkCall call, TaskDecorator decorator) {
		super(decorator);
		this.call = call;
	}

	@Override
	protected Object call() throws Throwable {
		notPending();
		return this.call.invoke();
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

	@Override
	protected String workqueueName() {
		return this.call.method.workqueueName;
	}

	@Override
	public String toString() {
		return this.call.toString();
	}

	/** The invocation of a method with a key, pending under it until it starts. */
	static final class Keyed extends QueueWorkTask {

		/** I: the key it is pending under. */
		private final QueueWorkMethod.PendingKey pendingKey;

		Keyed(QueueWorkCall call, QueueWorkMethod.PendingKey pendingKey, TaskDecorator decorator) {
			super(call, decorator);
			this.pendingKey = pendingKey;
		}

		@Override
		void notPending() {
			super.call.method.pending.remove(this.pendingKey, this);
		}

	}

}
