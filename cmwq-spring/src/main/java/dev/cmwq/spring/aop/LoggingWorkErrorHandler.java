package dev.cmwq.spring.aop;

import java.lang.reflect.Method;

import dev.cmwq.annotation.WorkErrorHandler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link WorkErrorHandler}: logs the workqueue, the {@code @QueueWork} method and the exception at error
 * level.
 */
public class LoggingWorkErrorHandler implements WorkErrorHandler {

	private static final Logger logger = LoggerFactory.getLogger(LoggingWorkErrorHandler.class);

	@Override
	public void handleError(String workqueue, Method method, Object[] arguments, Throwable failure) {
		logger.error("@QueueWork method {} failed on workqueue '{}'", QueueWorkMethod.describe(method), workqueue,
				failure);
	}

}
