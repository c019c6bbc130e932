package dev.cmwq.autoconfigure.durable;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import javax.sql.DataSource;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.CmwqProperties;
import dev.cmwq.autoconfigure.InvalidCmwqPropertyException;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.TaskDecorators;
import dev.cmwq.spring.WorkqueueTaskDecorator;
import dev.cmwq.spring.aop.DurableQueues;
import dev.cmwq.spring.aop.LoggingWorkErrorHandler;
import dev.cmwq.spring.durable.DurableArguments;
import dev.cmwq.spring.durable.DurableSettings;
import dev.cmwq.spring.durable.DurableWorkqueueBeanPostProcessor;
import dev.cmwq.spring.durable.JacksonDurableArguments;
import dev.cmwq.spring.durable.JdbcDurableQueues;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.core.task.TaskDecorator;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Durable workqueues ({@code cmwq.workqueues.<name>.durable: true}) on the application's {@code DataSource}: the
 * table's initialization ({@code cmwq.durable.initialize-schema}), the {@link JdbcDurableQueues} that
 * {@code @QueueWork} hands their calls to, arguments as JSON with the application's {@code JsonMapper}, and the
 * workqueues' beans refusing plain items. Without Spring JDBC or a single {@code DataSource}, start-up fails
 * ({@link CmwqDurableUnavailableAutoConfiguration}).
 */
@AutoConfiguration(after = { DataSourceAutoConfiguration.class, CmwqAutoConfiguration.class },
		afterName = "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration")
@ConditionalOnClass({ JdbcTemplate.class, DataSourceScriptDatabaseInitializer.class })
@Conditional(OnDurableWorkqueuesCondition.class)
@ConditionalOnBean(WorkqueueSystem.class)
@ConditionalOnSingleCandidate(DataSource.class)
@EnableConfigurationProperties(CmwqDurableProperties.class)
public final class CmwqDurableAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	CmwqDurableSchemaInitializer cmwqDurableSchemaInitializer(DataSource dataSource,
			CmwqDurableProperties properties) {
		return new CmwqDurableSchemaInitializer(dataSource, properties);
	}

	@Bean
	@ConditionalOnMissingBean(DurableQueues.class)
	@DependsOnDatabaseInitialization
	JdbcDurableQueues durableQueues(DataSource dataSource, WorkqueueSystem system, ListableBeanFactory beanFactory,
			Environment environment, CmwqProperties cmwq, CmwqDurableProperties properties,
			ObjectProvider<DurableArguments> arguments, ObjectProvider<WorkErrorHandler> errorHandler,
			ObjectProvider<TaskDecorator> taskDecorators, ObjectProvider<WorkqueueTaskDecorator> workqueueDecorators) {
		Set<String> names = DurableWorkqueueNames.of(environment);
		String first = DurableWorkqueueNames.property(names.iterator().next());
		for (Map.Entry<String, CmwqProperties.Workqueue> queue : cmwq.getWorkqueues().entrySet()) {
			if (names.contains(queue.getKey()) && queue.getValue().isOrdered()) {
				throw new InvalidCmwqPropertyException(DurableWorkqueueNames.property(queue.getKey()), true,
						JdbcDurableQueues.orderedProblem(queue.getKey()));
			}
		}
		String defaultWorkqueue = environment.getProperty("cmwq.async.default-workqueue");
		if (defaultWorkqueue != null && names.contains(defaultWorkqueue.trim())) {
			throw new InvalidCmwqPropertyException("cmwq.async.default-workqueue", defaultWorkqueue, "workqueue '"
					+ defaultWorkqueue.trim() + "' is durable, and @Async methods and the task executor hand it "
					+ "Runnables, which cannot be stored; name a workqueue that is not durable");
		}
		DurableArguments codec = arguments.getIfAvailable();
		if (codec == null) {
			throw new InvalidCmwqPropertyException(first, true, "a durable workqueue stores the arguments of each "
					+ "call as JSON, and there is no JSON mapper: add Jackson (spring-boot-starter-jackson, or "
					+ "tools.jackson.core:jackson-databind), or define a DurableArguments bean");
		}
		JdbcDurableQueues queues = new JdbcDurableQueues(dataSource, system, beanFactory, codec, names,
				settings(properties));
		queues.setErrorHandler(() -> errorHandler.getIfAvailable(LoggingWorkErrorHandler::new));
		queues.setTaskDecorator(
				(workqueue) -> TaskDecorators.forWorkqueue(workqueue, taskDecorators, workqueueDecorators));
		return queues;
	}

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static DurableWorkqueueBeanPostProcessor durableWorkqueueBeanPostProcessor(Environment environment) {
		return new DurableWorkqueueBeanPostProcessor(DurableWorkqueueNames.of(environment));
	}

	/** The settings, each checked with its property's path. */
	private static DurableSettings settings(CmwqDurableProperties properties) {
		positive("lease", properties.getLease());
		positive("poll-interval", properties.getPollInterval());
		if (properties.getRetryDelay() == null || properties.getRetryDelay().isNegative()) {
			throw new InvalidCmwqPropertyException("cmwq.durable.retry-delay", properties.getRetryDelay(),
					"use 0 or a positive duration");
		}
		atLeastOne("max-attempts", properties.getMaxAttempts());
		atLeastOne("max-claimed", properties.getMaxClaimed());
		return new DurableSettings(properties.getLease(), properties.getPollInterval(), properties.getMaxAttempts(),
				properties.getRetryDelay(), properties.getMaxClaimed());
	}

	private static void positive(String property, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidCmwqPropertyException("cmwq.durable." + property, value, "use a positive duration");
		}
	}

	private static void atLeastOne(String property, int value) {
		if (value < 1) {
			throw new InvalidCmwqPropertyException("cmwq.durable." + property, value, "use 1 or more");
		}
	}

	/**
	 * Arguments as JSON with the application's Jackson {@code JsonMapper} (Spring Boot's, with its modules and
	 * {@code spring.jackson.*} settings), or a plain one if the application has none.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(JsonMapper.class)
	static class JacksonArgumentsConfiguration {

		@Bean
		@ConditionalOnMissingBean(DurableArguments.class)
		JacksonDurableArguments durableArguments(ObjectProvider<JsonMapper> jsonMapper) {
			return new JacksonDurableArguments(jsonMapper.getIfUnique(() -> JsonMapper.builder().build()));
		}

	}

}
