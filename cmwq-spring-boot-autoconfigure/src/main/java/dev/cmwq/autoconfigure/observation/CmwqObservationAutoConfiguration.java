package dev.cmwq.autoconfigure.observation;

import dev.cmwq.spring.observation.ObservingWorkqueueTaskDecorator;
import dev.cmwq.spring.observation.WorkObservationConvention;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Observations of work items ({@code cmwq.work}) where Micrometer's {@link ObservationRegistry} is a bean; with
 * Micrometer Tracing each item is a span, a child of the span that queued it. A {@link WorkObservationConvention}
 * bean replaces the default convention. Off with {@code cmwq.observations.enabled=false}.
 */
@AutoConfiguration(after = CmwqAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBean({ ObservationRegistry.class, WorkqueueSystem.class })
@ConditionalOnBooleanProperty(name = "cmwq.observations.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CmwqObservationProperties.class)
public final class CmwqObservationAutoConfiguration {

	@Bean
	ObservingWorkqueueTaskDecorator workObservationTaskDecorator(ObservationRegistry registry,
			ObjectProvider<WorkObservationConvention> convention) {
		return new ObservingWorkqueueTaskDecorator(registry, convention.getIfAvailable());
	}

}
