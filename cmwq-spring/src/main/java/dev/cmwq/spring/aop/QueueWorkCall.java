package dev.cmwq.spring.aop;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.core.Blocking;
import dev.cmwq.core.Work;

import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.AopUtils;

/**
 * One intercepted call of a {@code @QueueWork} method, as the worker makes it: the rest of the call's advice chain
 * and then the method, or, when ours is the proxy's only advice, the method itself. It is kept for as long as the
 * call is queued, so it holds only what the worker needs: {@link #of} drops Spring's invocation (48 bytes and the
 * chain's state) where no advice follows ours.
 *
 * <p>As a {@link Runnable} it is the task of a {@code void} call without a key: its caller gets nothing back and no
 * later call joins it, so it has no identity anybody can name, like a task given to
 * {@link dev.cmwq.core.Workqueue#execute}, and it is queued that way (the engine may then hold it back as a bare task,
 * with no {@link Work} until it starts). A failure goes to the {@link WorkErrorHandler} and counts the item running
 * it as failed ({@link Work#failedHandled}). A call with a future or a key runs inside a {@link QueueWorkTask}
 * instead ({@link #invoke}).
 */
abstract class QueueWorkCall implements Runnable {

	private static final Logger logger = LoggerFactory.getLogger(QueueWorkCall.class);

	/** I: the method as checked at start-up. */
	final QueueWorkMethod method;

	private QueueWorkCall(QueueWorkMethod method) {
		this.method = method;
	}

	/**
	 * The call to make on a worker for an intercepted one.
	 * @param method the method as checked at start-up
	 * @param invocation the interception, in our interceptor (so nothing before ours in its chain remains to run)
	 * @return the call
	 */
	static QueueWorkCall of(QueueWorkMethod method, MethodInvocation invocation) {
		if (isLastAdvice(invocation)) {
			return new Direct(method, invocation.getThis(), invocation.getArguments());
		}
		return new Chained(method, invocation);
	}

	/**
	 * Whether nothing follows our interceptor in the invocation's chain: its proxy has one advisor (ours: it is running
	 * in that chain), so what the chain would do after it is what a reflective call of the method does (Spring's
	 * {@code ReflectiveMethodInvocation.invokeJoinpoint}). Asked at every call: advisors may be added to a proxy that
	 * is not frozen. An opaque proxy, or any other kind of invocation, keeps its chain.
	 */
	private static boolean isLastAdvice(MethodInvocation invocation) {
		return invocation instanceof ProxyMethodInvocation proxied && proxied.getProxy() instanceof Advised advised
				&& advised.getAdvisorCount() == 1;
	}

	/** Runs the method, through the advice that follows ours if there is any. */
	abstract Object proceed() throws Throwable;

	/** The call's arguments (for the {@link WorkErrorHandler}). */
	abstract Object[] arguments();

	/** A {@code void} call without a key, as an item's task: see the class comment. */
	@Override
	public final void run() {
		try {
			invoke();
		}
		catch (Throwable failure) {
			Work item = Work.currentWork(); // the item running this task: ours, whether the engine made it or we did
			if (item != null) {
				item.failedHandled(failure); // the WorkErrorHandler has it: the engine's failure handler is not told
			}
		}
	}

	/**
	 * Makes the call on the worker: the method's outcome, waited for if it returns a future; a {@code void} method's
	 * failure also goes to the {@link WorkErrorHandler}.
	 * @return what the method's future gave, or null
	 * @throws Throwable what the method threw (or its future failed with)
	 */
	final Object invoke() throws Throwable {
		try {
			Object result = proceed();
			return (result instanceof Future<?> returned) ? await(returned) : null;
		}
		catch (Throwable ex) {
			Throwable failure = unwrap(ex);
			if (this.method.returnsVoid) {
				handleError(failure);
			}
			throw failure;
		}
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
			this.method.errorHandler.get()
				.handleError(this.method.workqueueName, this.method.method, arguments(), failure);
		}
		catch (Throwable ex) {
			logger.error("WorkErrorHandler failed on the failure of {}", this.method, ex);
		}
	}

	@Override
	public String toString() {
		return "@QueueWork " + this.method;
	}

	/** A call with no advice after ours: the method on its target, called as the end of the chain would. */
	private static final class Direct extends QueueWorkCall {

		private final Object target;

		private final Object[] arguments;

		Direct(QueueWorkMethod method, Object target, Object[] arguments) {
			super(method);
			this.target = target;
			this.arguments = arguments;
		}

		@Override
		Object proceed() throws Throwable {
			return AopUtils.invokeJoinpointUsingReflection(this.target, this.method.invoked, this.arguments);
		}

		@Override
		Object[] arguments() {
			return this.arguments;
		}

	}

	/** A call with advice after ours (a transaction, say), which runs on the worker as the chain goes on. */
	private static final class Chained extends QueueWorkCall {

		private final MethodInvocation invocation;

		Chained(QueueWorkMethod method, MethodInvocation invocation) {
			super(method);
			this.invocation = invocation;
		}

		@Override
		Object proceed() throws Throwable {
			return this.invocation.proceed();
		}

		@Override
		Object[] arguments() {
			return this.invocation.getArguments();
		}

	}

}
