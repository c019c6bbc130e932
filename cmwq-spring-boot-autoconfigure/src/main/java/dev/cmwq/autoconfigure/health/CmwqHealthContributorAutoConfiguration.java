package dev.cmwq.autoconfigure.health;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.annotation.Bean;

/**
 * The {@code workqueues} health contributor, where Spring Boot's health support is present; off with
 * {@code management.health.workqueues.enabled=false}.
 *
 * <p>The enablement condition sits on the bean method, not the class: it is then only looked at once the class
 * condition has passed, so an application without {@code spring-boot-health} never needs its condition classes.
 */
@AutoConfiguration(before = HealthContributorAutoConfiguration.class,
		after = CmwqAutoConfiguration.class)
@ConditionalOnClass(Health.class)
@ConditionalOnBean(WorkqueueSystem.class)
public final class CmwqHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnEnabledHealthIndicator("workqueues")
	@ConditionalOnMissingBean(name = "workqueuesHealthIndicator")
	WorkqueuesHealthIndicator workqueuesHealthIndicator(WorkqueueSystem system) {
		return new WorkqueuesHealthIndicator(system);
	}

}
