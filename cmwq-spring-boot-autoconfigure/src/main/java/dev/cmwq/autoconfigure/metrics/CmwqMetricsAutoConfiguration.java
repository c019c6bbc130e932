package dev.cmwq.autoconfigure.metrics;

import java.util.Map;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.async.CmwqAsyncAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.async.WorkqueueTaskExecutor;
import dev.cmwq.spring.metrics.WorkqueueExecutorMetrics;
import dev.cmwq.spring.metrics.WorkqueueMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link WorkqueueMetrics}, a {@link MeterBinder} that Spring Boot binds to its meter registries, where Micrometer
 * and Spring Boot's metrics support are present; and, for each {@link WorkqueueTaskExecutor} bean (the
 * application's task executor with {@code cmwq.async.default-workqueue}), the {@code executor.*} meters Spring Boot
 * binds for its own executors, tagged with the bean's name.
 */
@AutoConfiguration(after = { CmwqAutoConfiguration.class, CmwqAsyncAutoConfiguration.class, MetricsAutoConfiguration.class,
		CompositeMeterRegistryAutoConfiguration.class })
@ConditionalOnClass({ MeterRegistry.class, MetricsAutoConfiguration.class })
@ConditionalOnBean({ WorkqueueSystem.class, MeterRegistry.class })
public final class CmwqMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	WorkqueueMetrics workqueueMetrics(WorkqueueSystem system) {
		return new WorkqueueMetrics(system);
	}

	@Bean
	@ConditionalOnBean(WorkqueueTaskExecutor.class)
	MeterBinder workqueueTaskExecutorMetrics(WorkqueueSystem system, Map<String, WorkqueueTaskExecutor> executors) {
		return (registry) -> executors.forEach((name, executor) -> new WorkqueueExecutorMetrics(system,
				executor.getWorkqueue().name(), name, Tags.empty())
			.bindTo(registry));
	}

}
