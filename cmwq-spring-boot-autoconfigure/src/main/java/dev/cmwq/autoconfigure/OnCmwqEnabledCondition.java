package dev.cmwq.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless {@code cmwq.enabled} is {@code false}. Unlike {@code @ConditionalOnBooleanProperty}, which treats
 * every value other than {@code true} as {@code false}, a value that is neither {@code true} nor {@code false} (such
 * as {@code abc}, {@code yes} or an empty value) fails start-up with an {@link InvalidCmwqPropertyException} rather
 * than silently turning the workqueues off. Every auto-configuration that {@code cmwq.enabled=false} turns off and that
 * cannot wait for the {@code WorkqueueSystem} bean ({@code @ConditionalOnBean}) uses this condition.
 */
public class OnCmwqEnabledCondition extends SpringBootCondition {

	static final String PROPERTY = "cmwq.enabled";

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		String value = Binder.get(context.getEnvironment()).bind(PROPERTY, Bindable.of(String.class)).orElse(null);
		if (value == null) {
			return ConditionOutcome.match(PROPERTY + " is not set (default true)");
		}
		if ("true".equalsIgnoreCase(value.trim())) {
			return ConditionOutcome.match(PROPERTY + " is true");
		}
		if ("false".equalsIgnoreCase(value.trim())) {
			return ConditionOutcome.noMatch(PROPERTY + " is false");
		}
		throw new InvalidCmwqPropertyException(PROPERTY, value,
				"use true (the default) or false to turn the workqueues off");
	}

}
