package dev.cmwq.autoconfigure.async;

import dev.cmwq.spring.async.AsyncFailureBeanPostProcessor;
import dev.cmwq.spring.async.WorkqueueTaskExecutor;
import java.util.stream.Collectors;

import dev.cmwq.autoconfigure.InvalidCmwqPropertyException;
import dev.cmwq.autoconfigure.OnCmwqEnabledCondition;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.scheduling.annotation.AsyncAnnotationBeanPostProcessor;
import org.springframework.scheduling.config.TaskManagementConfigUtils;

/**
 * {@code @Async} on workqueues: failures of {@code @Async("name")} methods count as failed items (and reach Spring's
 * {@code AsyncUncaughtExceptionHandler} or the caller's future, as Spring's contract says), and with
 * {@code cmwq.async.default-workqueue} a workqueue is the application's task executor, in place of Spring Boot's,
 * which backs off as it does for any user-defined executor. The {@code spring.task.execution.*} settings that
 * configure Spring Boot's executor only are then named in one start-up warning ({@link TaskExecutionSettings}).
 */
@AutoConfiguration(before = TaskExecutionAutoConfiguration.class)
@Conditional(OnCmwqEnabledCondition.class)
@EnableConfigurationProperties(CmwqAsyncProperties.class)
public final class CmwqAsyncAutoConfiguration {

	/** The property that makes a workqueue the application's task executor. */
	public static final String DEFAULT_WORKQUEUE = "cmwq.async.default-workqueue";

	private static final Log logger = LogFactory.getLog(CmwqAsyncAutoConfiguration.class);

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

	/**
	 * The default workqueue as {@code applicationTaskExecutor}. Spring Boot's {@code bootstrapExecutor} (background
	 * bean initialization) follows {@code applicationTaskExecutor} as Boot's rule has it, unless the application
	 * defines a {@code bootstrapExecutor} bean.
	 */
	@Configuration(proxyBeanMethods = false)
	@Conditional(OnDefaultWorkqueueCondition.class)
	static class DefaultWorkqueueConfiguration {

		@Bean(name = { TaskExecutionAutoConfiguration.APPLICATION_TASK_EXECUTOR_BEAN_NAME,
				AsyncAnnotationBeanPostProcessor.DEFAULT_TASK_EXECUTOR_BEAN_NAME })
		WorkqueueTaskExecutor applicationTaskExecutor(CmwqAsyncProperties properties, WorkqueueSystem system,
				BeanFactory beanFactory, Environment environment) {
			String name = properties.getDefaultWorkqueue().trim();
			if (system.workqueue(name).isEmpty()) {
				throw new InvalidCmwqPropertyException(DEFAULT_WORKQUEUE, name, "no such workqueue; the workqueues are "
						+ system.workqueues().stream().map(Workqueue::name).collect(Collectors.joining(", ")));
			}
			String ignored = TaskExecutionSettings.warning(environment, name);
			if (ignored != null) {
				logger.warn(ignored);
			}
			return new WorkqueueTaskExecutor(beanFactory.getBean(name, Workqueue.class));
		}

	}

	/**
	 * Matches when {@code cmwq.async.default-workqueue} is set (to anything but {@code false}, as
	 * {@code @ConditionalOnProperty} reads it), and refuses {@code spring.task.execution.mode=force}, which would
	 * have Spring Boot define an {@code applicationTaskExecutor} of its own beside it.
	 */
	static class OnDefaultWorkqueueCondition extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			String value = context.getEnvironment().getProperty(DEFAULT_WORKQUEUE);
			if (value == null || "false".equalsIgnoreCase(value)) {
				return ConditionOutcome.noMatch(DEFAULT_WORKQUEUE + " is not set");
			}
			if ("force".equalsIgnoreCase(context.getEnvironment().getProperty("spring.task.execution.mode"))) {
				throw new InvalidCmwqPropertyException(DEFAULT_WORKQUEUE, value,
						"cannot be combined with spring.task.execution.mode=force, which makes Spring Boot define "
								+ "its own applicationTaskExecutor; remove one of the two");
			}
			return ConditionOutcome.match(DEFAULT_WORKQUEUE + " is " + value);
		}

	}

}
