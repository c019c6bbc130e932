package dev.cmwq.autoconfigure.durable;

import java.util.Set;

import javax.sql.DataSource;

import dev.cmwq.autoconfigure.InvalidCmwqPropertyException;
import dev.cmwq.spring.aop.DurableQueues;

import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Fails start-up when a workqueue is declared durable and durable workqueues cannot be set up: Spring JDBC is
 * missing, or there is no {@code DataSource} (or several and none primary). The failure names the property and
 * what to add.
 */
@AutoConfiguration(after = CmwqDurableAutoConfiguration.class)
@Conditional(OnDurableWorkqueuesCondition.class)
@ConditionalOnMissingBean(DurableQueues.class)
public final class CmwqDurableUnavailableAutoConfiguration {

	@Bean
	DurableQueues durableQueuesUnavailable(Environment environment, ConfigurableListableBeanFactory beanFactory) {
		Set<String> names = DurableWorkqueueNames.of(environment);
		String property = DurableWorkqueueNames.property(names.iterator().next());
		ClassLoader classLoader = beanFactory.getBeanClassLoader();
		String reason;
		if (!ClassUtils.isPresent("org.springframework.jdbc.core.JdbcTemplate", classLoader)
				|| !ClassUtils.isPresent("org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer",
						classLoader)) {
			reason = "durable workqueues " + names + " store their items with Spring JDBC, which is not on the class "
					+ "path: add spring-boot-starter-jdbc and a database (PostgreSQL, or H2 as a file database)";
		}
		else {
			String[] dataSources = beanFactory.getBeanNamesForType(DataSource.class);
			reason = (dataSources.length == 0)
					? "durable workqueues " + names + " store their items in the application's DataSource, and "
							+ "there is none: configure one (spring.datasource.url) on PostgreSQL, or on H2 as a file "
							+ "database"
					: "durable workqueues " + names + " store their items in the application's DataSource, and there "
							+ "are " + dataSources.length + " DataSource beans " + Set.of(dataSources) + " with none "
							+ "primary: mark the one to use @Primary";
		}
		throw new InvalidCmwqPropertyException(property, true, reason);
	}

}
