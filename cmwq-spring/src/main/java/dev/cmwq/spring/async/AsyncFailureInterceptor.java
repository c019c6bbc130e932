package dev.cmwq.spring.async;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import dev.cmwq.annotation.WorkErrorHandler;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.aop.support.AopUtils;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.util.ClassUtils;

/**
 * Runs inside Spring's {@code @Async} interceptor, on the thread that executes the method. On a workqueue (an
 * {@link AsyncWorkItem} is current) a failure is recorded so that the item counts as failed; a {@code void}
 * method's failure then goes to the {@link WorkErrorHandler}, as for {@code @QueueWork}, instead of Spring's
 * {@code AsyncUncaughtExceptionHandler}. A {@code Future} method's failure goes on to the caller's future as usual.
 * Elsewhere (Spring Boot's executor, say) it changes nothing.
 */
public final class AsyncFailureInterceptor implements MethodInterceptor {

	private static final Logger logger = LoggerFactory.getLogger(AsyncFailureInterceptor.class);

	private final Supplier<WorkErrorHandler> errorHandler;

	AsyncFailureInterceptor(Supplier<WorkErrorHandler> errorHandler) {
		this.errorHandler = errorHandler;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		AsyncWorkItem item = AsyncWorkItem.current();
		if (item == null) {
			return invocation.proceed();
		}
		Object result;
		try {
			result = invocation.proceed();
		}
		catch (Throwable ex) {
			item.failed(ex);
			if (!Future.class.isAssignableFrom(invocation.getMethod().getReturnType())) {
				handleError(item, invocation, ex);
				return null;
			}
			throw ex;
		}
		if (result instanceof Future<?> future && future.isDone() && !future.isCancelled()) {
			try {
				future.get();
			}
			catch (ExecutionException ex) {
				item.failed((ex.getCause() != null) ? ex.getCause() : ex);
			}
		}
		return result;
	}

	private void handleError(AsyncWorkItem item, MethodInvocation invocation, Throwable failure) {
		Object target = invocation.getThis();
		Method method = invocation.getMethod();
		if (target != null) {
			method = BridgeMethodResolver
				.findBridgedMethod(ClassUtils.getMostSpecificMethod(method, AopUtils.getTargetClass(target)));
		}
		try {
			this.errorHandler.get().handleError(item.workqueue, method, invocation.getArguments(), failure);
		}
		catch (Throwable ex) {
			logger.error("WorkErrorHandler failed on the failure of @Async method {}", method, ex);
		}
	}

}
