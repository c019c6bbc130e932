package dev.cmwq.autoconfigure.actuate;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link WorkqueuesEndpoint}, where actuator is present and the endpoint is available (its access is not
 * {@code none} and it is exposed over HTTP or JMX).
 *
 * <p>The endpoint condition sits on the bean method, not the class: it is then only looked at once the class
 * condition has passed, so an application without actuator never needs actuator's condition classes.
 */
@AutoConfiguration(after = CmwqAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(WorkqueueSystem.class)
public final class WorkqueuesEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	WorkqueuesEndpoint workqueuesEndpoint(WorkqueueSystem system) {
		return new WorkqueuesEndpoint(system);
	}

	/**
	 * Over servlet HTTP, keeps query parameters and body fields from overriding the path's arguments; see
	 * {@link WorkqueuesEndpointArgumentsFilter}.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(name = { "jakarta.servlet.Filter",
			"org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints" })
	@ConditionalOnAvailableEndpoint(endpoint = WorkqueuesEndpoint.class, exposure = EndpointExposure.WEB)
	static class ServletArgumentsConfiguration {

		@Bean
		WorkqueuesEndpointArgumentsFilter workqueuesEndpointArgumentsFilter(
				ObjectProvider<PathMappedEndpoints> pathMappedEndpoints) {
			EndpointId id = EndpointId.of("workqueues");
			return new WorkqueuesEndpointArgumentsFilter(() -> {
				PathMappedEndpoints endpoints = pathMappedEndpoints.getIfAvailable();
				return (endpoints != null) ? endpoints.getPath(id) : null;
			});
		}

	}

}
