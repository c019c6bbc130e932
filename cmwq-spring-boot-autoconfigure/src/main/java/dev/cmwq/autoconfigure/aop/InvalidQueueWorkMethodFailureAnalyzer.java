package dev.cmwq.autoconfigure.aop;

import dev.cmwq.spring.aop.InvalidQueueWorkMethodException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link InvalidQueueWorkMethodException} in the start-up failure report.
 */
class InvalidQueueWorkMethodFailureAnalyzer extends AbstractFailureAnalyzer<InvalidQueueWorkMethodException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidQueueWorkMethodException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Fix the @QueueWork annotation or the signature of " + cause.getMethod() + ". A @QueueWork method "
						+ "returns void, Future or CompletableFuture and names a workqueue declared under "
						+ "cmwq.workqueues, a system workqueue, or a Workqueue bean.",
				cause);
	}

}
