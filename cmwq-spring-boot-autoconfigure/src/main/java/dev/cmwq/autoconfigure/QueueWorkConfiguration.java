package dev.cmwq.autoconfigure;

import dev.cmwq.spring.TaskDecorators;
import dev.cmwq.spring.WorkqueueTaskDecorator;
import dev.cmwq.annotation.QueueWork;
import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.spring.aop.LoggingWorkErrorHandler;
import dev.cmwq.spring.aop.QueueWorkBeanPostProcessor;
import io.micrometer.context.ContextSnapshot;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

/**
 * The {@link QueueWork @QueueWork} machinery: the bean post-processor that routes annotated methods to their
 * workqueues, the {@link WorkErrorHandler} for {@code void} methods that throw, and context propagation into work
 * items.
 */
@Configuration(proxyBeanMethods = false)
class QueueWorkConfiguration {

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
