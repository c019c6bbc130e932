package dev.cmwq.autoconfigure.actuate;

import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link WorkqueuesEndpoint}, where actuator is present and the endpoint is available (enabled and exposed).
 */
@AutoConfiguration(afterName = "dev.cmwq.autoconfigure.CmwqAutoConfiguration")
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(WorkqueueSystem.class)
@ConditionalOnAvailableEndpoint(WorkqueuesEndpoint.class)
public final class WorkqueuesEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WorkqueuesEndpoint workqueuesEndpoint(WorkqueueSystem system) {
		return new WorkqueuesEndpoint(system);
	}

}
