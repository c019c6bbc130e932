package dev.cmwq.spring.aop;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;

import org.aopalliance.intercept.MethodInvocation;

import org.springframework.core.task.TaskDecorator;

/**
 * One queued call of a {@code void} {@code @QueueWork} method without a key: its caller gets nothing back and no
 * later call joins it, so unlike a {@link QueueWorkTask} it has no future. It runs the method (inside the task
 * decorators) like a {@code QueueWorkTask}; a failure goes to the {@link WorkErrorHandler} and counts the item as
 * failed ({@link Work#failedHandled}). Every call keeps one until it runs, so it holds only the invocation and its
 * method, and its task is one runnable shared by all calls, which runs the item the calling thread is running
 * ({@link Work#currentWork()}: the call itself).
 */
final class QueueWorkCall extends DelayedWork {

	/** The task of every call. */
	private static final Runnable RUN_CURRENT = () -> ((QueueWorkCall) Work.currentWork()).run();

	private final QueueWorkMethod method;

	private final MethodInvocation invocation;

	QueueWorkCall(QueueWorkMethod method, MethodInvocation invocation, TaskDecorator decorator) {
		super((decorator != null) ? decorator.decorate(RUN_CURRENT) : RUN_CURRENT);
		this.method = method;
		this.invocation = invocation;
	}

	private void run() {
		try {
			QueueWorkTask.invoke(this.method, this.invocation);
		}
		catch (Throwable failure) {
			failedHandled(failure); // the WorkErrorHandler has it: the engine's failure handler is not told again
		}
	}

	@Override
	public String toString() {
		return "@QueueWork " + this.method;
	}

}
