package dev.cmwq.autoconfigure.health;

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
 */
@AutoConfiguration(before = HealthContributorAutoConfiguration.class,
		afterName = "dev.cmwq.autoconfigure.CmwqAutoConfiguration")
@ConditionalOnClass(Health.class)
@ConditionalOnBean(WorkqueueSystem.class)
@ConditionalOnEnabledHealthIndicator("workqueues")
public final class WorkqueuesHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "workqueuesHealthIndicator")
	WorkqueuesHealthIndicator workqueuesHealthIndicator(WorkqueueSystem system) {
		return new WorkqueuesHealthIndicator(system);
	}

}
