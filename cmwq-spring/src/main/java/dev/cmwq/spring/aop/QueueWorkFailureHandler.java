package dev.cmwq.spring.aop;

import dev.cmwq.core.Work;
import dev.cmwq.core.WorkFailureHandler;
import dev.cmwq.core.Workqueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's failure handler in a Spring application: failures of {@code @QueueWork} invocations have been
 * reported already (to the caller's future or the {@code WorkErrorHandler}), so it only counts them, through the
 * engine; other items' failures go to the delegate, by default a log line.
 */
public final class QueueWorkFailureHandler implements WorkFailureHandler {

	private static final Logger logger = LoggerFactory.getLogger(QueueWorkFailureHandler.class);

	/** A failure the worker thread is about to rethrow to the engine that has been reported already. */
	private static final ThreadLocal<Throwable> reportedAlready = new ThreadLocal<>();

	private final WorkFailureHandler delegate;

	/**
	 * Creates a handler that logs the failures of items other than {@code @QueueWork} invocations.
	 */
	public QueueWorkFailureHandler() {
		this((workqueue, work, failure) -> logger.error("Work item {} on workqueue '{}' failed", work.task(),
				workqueue.name(), failure));
	}

	/**
	 * Creates a handler that passes the failures of items other than {@code @QueueWork} invocations on.
	 * @param delegate where those go
	 */
	public QueueWorkFailureHandler(WorkFailureHandler delegate) {
		this.delegate = delegate;
	}

	/**
	 * Says that a failure the current worker thread is about to rethrow to the engine has been reported already
	 * (as those of {@code @Async} methods on workqueues are), so that it is only counted.
	 * @param failure the failure
	 */
	public static void reportedAlready(Throwable failure) {
		reportedAlready.set(failure);
	}

	@Override
	public void handle(Workqueue workqueue, Work work, Throwable failure) {
		Throwable reported = reportedAlready.get();
		reportedAlready.remove();
		if (!(work.task() instanceof QueueWorkTask) && reported != failure) {
			this.delegate.handle(workqueue, work, failure);
		}
	}

}
