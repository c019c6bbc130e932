package dev.cmwq.autoconfigure.durable;

import dev.cmwq.spring.durable.DurableQueueMetrics;
import dev.cmwq.spring.durable.JdbcDurableQueues;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link DurableQueueMetrics} ({@code cmwq.durable.*}), where Micrometer and Spring Boot's metrics support are present
 * and there are durable workqueues.
 */
@AutoConfiguration(after = { MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
		CmwqDurableAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ JdbcDurableQueues.class, MeterRegistry.class })
public final class CmwqDurableMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	DurableQueueMetrics durableQueueMetrics(JdbcDurableQueues queues) {
		return new DurableQueueMetrics(queues);
	}

}
