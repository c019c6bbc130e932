package dev.cmwq.autoconfigure.async;

import dev.cmwq.spring.async.AsyncFailureBeanPostProcessor;
import dev.cmwq.spring.async.WorkqueueTaskExecutor;
import java.util.stream.Collectors;

import dev.cmwq.autoconfigure.InvalidCmwqPropertyException;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.scheduling.annotation.AsyncAnnotationBeanPostProcessor;
import org.springframework.scheduling.config.TaskManagementConfigUtils;

/**
 * {@code @Async} on workqueues: failures of {@code @Async("name")} methods count as failed items (and reach Spring's
 * {@code AsyncUncaughtExceptionHandler} or the caller's future, as Spring's contract says), and with
 * {@code cmwq.async.default-workqueue} a workqueue is the application's task executor, in place of Spring Boot's,
 * which backs off as it does for any user-defined executor.
 */
@AutoConfiguration(before = TaskExecutionAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "cmwq.enabled", matchIfMissing = true)
@EnableConfigurationProperties(CmwqAsyncProperties.class)
public final class CmwqAsyncAutoConfiguration {

	/** Where the application has {@code @EnableAsync}. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(name = TaskManagementConfigUtils.ASYNC_ANNOTATION_PROCESSOR_BEAN_NAME)
	static class AsyncFailureConfiguration {

		@Bean
		@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
		static AsyncFailureBeanPostProcessor asyncFailureBeanPostProcessor() {
			return new AsyncFailureBeanPostProcessor();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty("cmwq.async.default-workqueue")
	static class DefaultWorkqueueConfiguration {

		private static final String PROPERTY = "cmwq.async.default-workqueue";

		@Bean(name = { TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME,
				AsyncAnnotationBeanPostProcessor.DEFAULT_TASK_EXECUTOR_BEAN_NAME })
		WorkqueueTaskExecutor applicationTaskExecutor(CmwqAsyncProperties properties, WorkqueueSystem system,
				BeanFactory beanFactory) {
			String name = properties.getDefaultWorkqueue().trim();
			if (system.workqueue(name).isEmpty()) {
				throw new InvalidCmwqPropertyException(PROPERTY, name, "no such workqueue; the workqueues are "
						+ system.workqueues().stream().map(Workqueue::name).collect(Collectors.joining(", ")));
			}
			return new WorkqueueTaskExecutor(beanFactory.getBean(name, Workqueue.class));
		}

	}

}
