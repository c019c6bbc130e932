package dev.cmwq.autoconfigure;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.autoconfigure.aop.LoggingWorkErrorHandler;
import dev.cmwq.autoconfigure.aop.QueueWorkBeanPostProcessor;
import dev.cmwq.autoconfigure.aop.QueueWorkFailureHandler;
import dev.cmwq.core.WorkFailureHandler;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.context.ContextSnapshot;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

/**
 * Auto-configuration of concurrency managed workqueues: the {@link WorkqueueSystem} with the workqueues declared
 * under {@code cmwq.workqueues}, a {@link Workqueue} bean named after each of them and after each system workqueue,
 * {@link QueueWork @QueueWork} support, and shutdown with the application context. {@code cmwq.enabled=false} turns
 * all of it off.
 */
@AutoConfiguration(after = TaskExecutionAutoConfiguration.class)
@Conditional(OnCmwqEnabledCondition.class)
@EnableConfigurationProperties(CmwqProperties.class)
@Import(WorkqueueBeanRegistrar.class)
public final class CmwqAutoConfiguration {

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	WorkqueueSystem workqueueSystem(CmwqProperties properties, Environment environment,
			ObjectProvider<WorkFailureHandler> failureHandler) {
		new CmwqPropertiesValidator(environment).validate(properties);
		WorkqueueSystem system = WorkqueueSystem.builder()
			.cpus(properties.getCpus())
			.idleTimeout(properties.getIdleTimeout())
			.cpuIntensiveThreshold(properties.getCpuIntensiveThreshold())
			.watchdogThreshold(properties.getWatchdogThreshold())
			.maxWorkersPerPool(properties.getMaxWorkersPerPool())
			.shutdownTimeout(properties.getShutdownTimeout())
			.systemWorkqueues(properties.isSystemWorkqueues())
			.failureHandler(failureHandler(failureHandler.getIfAvailable()))
			.build();
		try {
			DeclaredWorkqueues.allocate(system, properties);
		}
		catch (RuntimeException ex) {
			system.close();
			throw ex;
		}
		return system;
	}

	/** The application's handler gets the failures of items other than @QueueWork invocations, reported already. */
	private static WorkFailureHandler failureHandler(WorkFailureHandler applicationHandler) {
		return (applicationHandler != null) ? new QueueWorkFailureHandler(applicationHandler)
				: new QueueWorkFailureHandler();
	}

	@Bean
	@ConditionalOnMissingBean
	WorkqueueSystemLifecycle workqueueSystemLifecycle(WorkqueueSystem workqueueSystem, CmwqProperties properties,
			ObjectProvider<QueueWorkBeanPostProcessor> queueWork) {
		return new WorkqueueSystemLifecycle(workqueueSystem, properties.getShutdownTimeout(),
				() -> queueWork.ifAvailable(QueueWorkBeanPostProcessor::abandonUnstarted));
	}

	@Bean
	@ConditionalOnMissingBean
	WorkErrorHandler workErrorHandler() {
		return new LoggingWorkErrorHandler();
	}

	@Bean
	@ConditionalOnMissingBean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static QueueWorkBeanPostProcessor queueWorkBeanPostProcessor(ObjectProvider<TaskDecorator> taskDecorators,
			ObjectProvider<WorkqueueTaskDecorator> workqueueDecorators, ObjectProvider<WorkErrorHandler> errorHandler) {
		return new QueueWorkBeanPostProcessor(
				(workqueue) -> TaskDecorators.forWorkqueue(workqueue, taskDecorators, workqueueDecorators),
				() -> errorHandler.getIfAvailable(LoggingWorkErrorHandler::new));
	}

	/**
	 * Propagates context (such as MDC and the current observation) to work items when
	 * {@code spring.task.execution.propagate-context=true}, as Spring Boot does for its task executor, in case the
	 * task execution auto-configuration has not already defined the decorator.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ContextSnapshot.class)
	@ConditionalOnBooleanProperty("spring.task.execution.propagate-context")
	static class ContextPropagationConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ContextPropagatingTaskDecorator contextPropagatingTaskDecorator() {
			return new ContextPropagatingTaskDecorator();
		}

	}

}
