package dev.cmwq.spring.observation;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * The default {@link WorkObservationConvention}: observation {@code cmwq.work}, contextual name
 * {@code work <workqueue>}, low-cardinality key values {@code workqueue}, {@code outcome} ({@code completed},
 * {@code failed}, or {@code unknown} while the item runs), and, as Spring's {@code @Scheduled} observations have them,
 * {@code code.function} (the method's name) and {@code code.namespace} (its bean's class) for a {@code @QueueWork}
 * invocation, {@code none} for other items.
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
		return KeyValues.of(KeyValue.of("workqueue", context.getWorkqueue()), outcome(context), codeFunction(context),
				codeNamespace(context));
	}

	protected KeyValue outcome(WorkObservationContext context) {
		if (context.getError() != null) {
			return KeyValue.of("outcome", "failed");
		}
		return KeyValue.of("outcome", context.isComplete() ? "completed" : "unknown");
	}

	protected KeyValue codeFunction(WorkObservationContext context) {
		return KeyValue.of("code.function",
				(context.getMethod() != null) ? context.getMethod().getName() : KeyValue.NONE_VALUE);
	}

	protected KeyValue codeNamespace(WorkObservationContext context) {
		Class<?> type = context.getTargetClass();
		if (type == null) {
			return KeyValue.of("code.namespace", KeyValue.NONE_VALUE);
		}
		return KeyValue.of("code.namespace", (type.getCanonicalName() != null) ? type.getCanonicalName() : type.getName());
	}

}
