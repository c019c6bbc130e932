package dev.cmwq.autoconfigure;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration of concurrency managed workqueues, one imported configuration per concern: the engine (the
 * {@link WorkqueueSystem}, its {@link WorkqueueSystemCustomizer customizers} and its shutdown with the context),
 * the declared workqueues (a {@link Workqueue} bean named after each workqueue under {@code cmwq.workqueues} and
 * each system workqueue) and the {@link QueueWork @QueueWork} machinery. {@code cmwq.enabled=false} turns all of
 * it off.
 */
@AutoConfiguration(after = TaskExecutionAutoConfiguration.class)
@Conditional(OnCmwqEnabledCondition.class)
@EnableConfigurationProperties(CmwqProperties.class)
@Import({ WorkqueueSystemConfiguration.class, DeclaredWorkqueuesConfiguration.class, QueueWorkConfiguration.class })
public final class CmwqAutoConfiguration {

	/** Binds {@code cmwq.workqueues.<name>.flags} as configuration writes them (see {@link WorkqueueFlags}). */
	@Bean
	@ConfigurationPropertiesBinding
	static WorkqueueFlags.BindingConverter cmwqWorkqueueFlagConverter() {
		return new WorkqueueFlags.BindingConverter();
	}

}
