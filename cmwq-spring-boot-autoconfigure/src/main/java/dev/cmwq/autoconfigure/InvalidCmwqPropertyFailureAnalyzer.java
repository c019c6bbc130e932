package dev.cmwq.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains an {@link InvalidCmwqPropertyException} in the start-up failure report.
 */
class InvalidCmwqPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidCmwqPropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidCmwqPropertyException cause) {
		String description = String.format("Invalid workqueue configuration:%n%n    Property: %s%n    Value: \"%s\"%n"
				+ "    Reason: %s", cause.getProperty(), cause.getValue(), cause.getReason());
		return new FailureAnalysis(description,
				"Update your application's configuration of '" + cause.getProperty() + "'.", cause);
	}

}
