package dev.cmwq.autoconfigure.aop;

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

	@Override
	public void handle(Workqueue workqueue, Work work, Throwable failure) {
		if (!(work.task() instanceof QueueWorkTask)) {
			this.delegate.handle(workqueue, work, failure);
		}
	}

}
