package dev.cmwq.autoconfigure.durable;

import java.util.Set;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when some workqueue is declared durable.
 */
class OnDurableWorkqueuesCondition extends SpringBootCondition {

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Set<String> durable = DurableWorkqueueNames.of(context.getEnvironment());
		return durable.isEmpty() ? ConditionOutcome.noMatch("no workqueue is durable")
				: ConditionOutcome.match("durable workqueues " + durable);
	}

}
