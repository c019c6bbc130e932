package dev.cmwq.autoconfigure;

import dev.cmwq.spring.WorkqueueSystemLifecycle;
import java.time.Duration;

import dev.cmwq.core.WorkFailureHandler;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The engine: the {@link WorkqueueSystem} built from the {@code cmwq.*} properties and the
 * {@link WorkqueueSystemCustomizer} beans, with the declared workqueues allocated, and its shutdown with the
 * application context.
 */
@Configuration(proxyBeanMethods = false)
class WorkqueueSystemConfiguration {

	/** The timeout per shutdown phase of Spring's {@code DefaultLifecycleProcessor}. */
	private static final Duration DEFAULT_PHASE_TIMEOUT = Duration.ofSeconds(10);

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	WorkqueueSystem workqueueSystem(CmwqProperties properties, Environment environment,
			ObjectProvider<WorkFailureHandler> failureHandler, ObjectProvider<WorkqueueSystemCustomizer> customizers) {
		new CmwqPropertiesValidator(environment).validate(properties);
		WorkqueueSystem.Builder builder = WorkqueueSystem.builder()
			.cpus(properties.getCpus())
			.idleTimeout(properties.getIdleTimeout())
			.cpuIntensiveThreshold(properties.getCpuIntensiveThreshold())
			.watchdogThreshold(properties.getWatchdogThreshold())
			.detectorInterval(properties.getDetectorInterval())
			.maxWorkersPerPool(properties.getMaxWorkersPerPool())
			.shutdownTimeout(properties.getShutdownTimeout())
			.systemWorkqueues(properties.isSystemWorkqueues())
			.virtualThreads(VirtualThreadsSetting.resolve(environment));
		failureHandler.ifAvailable(builder::failureHandler);
		customizers.orderedStream().forEach((customizer) -> customizer.customize(builder));
		WorkqueueSystem system = builder.build();
		try {
			DeclaredWorkqueues.allocate(system, properties);
		}
		catch (RuntimeException ex) {
			system.close();
			throw ex;
		}
		return system;
	}

	/** Spring Boot's timeout per shutdown phase, or Spring's default without Boot's lifecycle auto-configuration. */
	private static Duration phaseTimeout(LifecycleProperties lifecycleProperties) {
		return (lifecycleProperties != null) ? lifecycleProperties.getTimeoutPerShutdownPhase()
				: DEFAULT_PHASE_TIMEOUT;
	}

	@Bean
	@ConditionalOnMissingBean
	WorkqueueSystemLifecycle workqueueSystemLifecycle(WorkqueueSystem workqueueSystem, CmwqProperties properties,
			ObjectProvider<LifecycleProperties> lifecycleProperties) {
		return new WorkqueueSystemLifecycle(workqueueSystem, properties.getShutdownTimeout(),
				phaseTimeout(lifecycleProperties.getIfAvailable()));
	}

}
