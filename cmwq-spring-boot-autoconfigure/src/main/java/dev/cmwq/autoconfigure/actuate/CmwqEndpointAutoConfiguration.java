package dev.cmwq.autoconfigure.actuate;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link WorkqueuesEndpoint}, where actuator is present and the endpoint is available (its access is not
 * {@code none} and it is exposed; it is a web endpoint, so only HTTP exposure gives it operations).
 *
 * <p>The endpoint condition sits on the bean method, not the class: it is then only looked at once the class
 * condition has passed, so an application without actuator never needs actuator's condition classes.
 */
@AutoConfiguration(after = CmwqAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(WorkqueueSystem.class)
public final class CmwqEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	WorkqueuesEndpoint workqueuesEndpoint(WorkqueueSystem system) {
		return new WorkqueuesEndpoint(system);
	}

}
