package dev.cmwq.autoconfigure.metrics;

import dev.cmwq.spring.metrics.WorkqueueMetrics;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link WorkqueueMetrics}, a {@link io.micrometer.core.instrument.binder.MeterBinder} that Spring Boot binds to
 * its meter registries, where Micrometer and Spring Boot's metrics support are present.
 */
@AutoConfiguration(after = { CmwqAutoConfiguration.class, MetricsAutoConfiguration.class,
		CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ WorkqueueSystem.class, MeterRegistry.class })
public final class WorkqueueMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WorkqueueMetrics workqueueMetrics(WorkqueueSystem system) {
		return new WorkqueueMetrics(system);
	}

}
