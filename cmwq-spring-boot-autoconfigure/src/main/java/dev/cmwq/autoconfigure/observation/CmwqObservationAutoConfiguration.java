package dev.cmwq.autoconfigure.observation;

import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.observation.ContextPropagatingWorkqueueTaskDecorator;
import dev.cmwq.spring.observation.DefaultWorkObservationConvention;
import dev.cmwq.spring.observation.ObservingWorkqueueTaskDecorator;
import dev.cmwq.spring.observation.WorkObservationConvention;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

/**
 * What work items carry of their caller, and how they are observed, one nested configuration each:
 * <ul>
 * <li>context propagation, where Micrometer's context-propagation library is present: every item runs with its
 * caller's context (the current observation, and with it the span and the tracer's MDC fields), whether or not items
 * are observed, as Spring's {@code ContextPropagatingTaskDecorator} does for Spring Boot's executor (backs off when
 * the application has one of those, which applies to the items already)</li>
 * <li>the {@code cmwq.work} observation of each item, where Micrometer's {@link ObservationRegistry} is a bean; with
 * Micrometer Tracing each item is a span, a child of the span that queued it. A {@link WorkObservationConvention}
 * bean replaces the default convention. Off with {@code cmwq.observations.enabled=false} (or Spring Boot's
 * {@code management.observations.enable.cmwq=false}). The observation makes no meters: the engine's
 * {@code cmwq.workqueue.wait} and {@code cmwq.workqueue.execution} timers time every item, observed or not, so a
 * {@link MeterFilter} denies the timers a meter handler would make of it</li>
 * </ul>
 */
@AutoConfiguration(after = CmwqAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnBean(WorkqueueSystem.class)
@EnableConfigurationProperties(CmwqObservationProperties.class)
public final class CmwqObservationAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ContextSnapshot.class)
	@ConditionalOnMissingBean(ContextPropagatingTaskDecorator.class)
	static class ContextPropagationConfiguration {

		@Bean
		ContextPropagatingWorkqueueTaskDecorator contextPropagatingWorkqueueTaskDecorator() {
			return new ContextPropagatingWorkqueueTaskDecorator();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ObservationRegistry.class)
	@ConditionalOnBean(ObservationRegistry.class)
	@ConditionalOnBooleanProperty(name = "cmwq.observations.enabled", matchIfMissing = true)
	static class WorkObservationConfiguration {

		@Bean
		ObservingWorkqueueTaskDecorator workObservationTaskDecorator(ObservationRegistry registry,
				ObjectProvider<WorkObservationConvention> convention) {
			return new ObservingWorkqueueTaskDecorator(registry, convention.getIfAvailable());
		}

		@Configuration(proxyBeanMethods = false)
		@ConditionalOnClass(MeterFilter.class)
		static class WorkObservationMetersConfiguration {

			@Bean
			MeterFilter workObservationMeterFilter(ObjectProvider<WorkObservationConvention> convention) {
				String name = convention.getIfAvailable(DefaultWorkObservationConvention::new).getName();
				return MeterFilter.deny((id) -> id.getName().equals(name) || id.getName().equals(name + ".active"));
			}

		}

	}

}
