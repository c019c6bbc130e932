package dev.cmwq.spring.observation;

import io.micrometer.common.KeyValues;

/**
 * The default {@link WorkObservationConvention}: observation {@code cmwq.work}, contextual name
 * {@code work <workqueue>}, low-cardinality key values {@code workqueue} and {@code outcome} ({@code completed},
 * {@code failed}, or {@code unknown} while the item runs).
 */
public class DefaultWorkObservationConvention implements WorkObservationConvention {

	/** The observation's name. */
	public static final String NAME = "cmwq.work";

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(WorkObservationContext context) {
		return "work " + context.getWorkqueue();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(WorkObservationContext context) {
		return KeyValues.of("workqueue", context.getWorkqueue(), "outcome", outcome(context));
	}

	private static String outcome(WorkObservationContext context) {
		if (context.getError() != null) {
			return "failed";
		}
		return context.isComplete() ? "completed" : "unknown";
	}

}
