package dev.cmwq.autoconfigure.durable;

import dev.cmwq.spring.durable.JdbcDurableQueues;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link DurableWorkqueuesEndpoint}, where actuator is present, there are durable workqueues, and the endpoint
 * is available (exposed over HTTP or JMX).
 */
@AutoConfiguration(after = CmwqDurableAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean(JdbcDurableQueues.class)
public final class CmwqDurableEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	DurableWorkqueuesEndpoint durableWorkqueuesEndpoint(JdbcDurableQueues queues) {
		return new DurableWorkqueuesEndpoint(queues);
	}

}
