package dev.cmwq.spring.async;

import dev.cmwq.core.Work;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

/**
 * Runs inside Spring's {@code @Async} interceptor, on the thread that executes the method. Spring keeps what the
 * method throws from the executor: a {@code void} method's failure goes to the {@code AsyncUncaughtExceptionHandler}
 * (the application's {@code AsyncConfigurer}'s, else Spring's, which logs it), a future method's to the caller's
 * future. On a workqueue (an item is {@linkplain Work#currentWork() current}) this records the failure on the item
 * as handled ({@link Work#failedHandled}), so that it counts as failed without being reported a second time, and
 * passes it on to Spring unchanged. Elsewhere (Spring Boot's executor, say) it changes nothing. (Should an
 * {@code @Async} method run synchronously inside a work item, through an executor that runs tasks on the caller's
 * thread, its failure counts against that item.)
 */
public final class AsyncFailureInterceptor implements MethodInterceptor {

	AsyncFailureInterceptor() {
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		try {
			return invocation.proceed();
		}
		catch (Throwable ex) {
			Work item = Work.currentWork();
			if (item != null) {
				item.failedHandled(ex);
			}
			throw ex;
		}
	}

}
