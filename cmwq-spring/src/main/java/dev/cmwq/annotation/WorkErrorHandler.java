package dev.cmwq.annotation;

import java.lang.reflect.Method;

/**
 * Told about failures of {@link QueueWork @QueueWork} methods that return {@code void}, which have no future to
 * report them to (what Spring's {@code AsyncUncaughtExceptionHandler} is for {@code @Async} methods; {@code @Async}
 * methods on workqueues keep Spring's handler). Declare a bean of this type to replace the default, which logs the
 * workqueue, the method and the exception.
 *
 * <p>Called on the worker thread that ran the method, inside any {@code TaskDecorator}s, so logging context such
 * as MDC that was propagated to the work is still in place. The item counts as failed whatever the handler does; an
 * exception thrown by the handler is logged and otherwise ignored.
 */
@FunctionalInterface
public interface WorkErrorHandler {

	/**
	 * Handles a failure.
	 * @param workqueue the name of the workqueue that ran the method
	 * @param method the method
	 * @param arguments the arguments it was called with
	 * @param failure what it threw
	 */
	void handleError(String workqueue, Method method, Object[] arguments, Throwable failure);

}
