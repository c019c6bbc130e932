package dev.cmwq.autoconfigure;

import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint;
import dev.cmwq.autoconfigure.actuate.CmwqEndpointAutoConfiguration;
import dev.cmwq.autoconfigure.health.CmwqHealthContributorAutoConfiguration;
import dev.cmwq.autoconfigure.health.WorkqueuesHealthIndicator;
import dev.cmwq.spring.metrics.WorkqueueMetrics;
import dev.cmwq.autoconfigure.metrics.CmwqMetricsAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the endpoint, metrics and health auto-configurations apply, and that they back off without actuator,
 * Micrometer or Spring Boot's health support.
 */
class ObservabilityAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqEndpointAutoConfiguration.class,
				CmwqMetricsAutoConfiguration.class, CmwqHealthContributorAutoConfiguration.class))
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withPropertyValues("management.endpoints.web.exposure.include=workqueues");

	@Test
	void registeredAsAutoConfigurations() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates())
			.contains(CmwqEndpointAutoConfiguration.class.getName(),
					CmwqMetricsAutoConfiguration.class.getName(),
					CmwqHealthContributorAutoConfiguration.class.getName());
	}

	@Test
	void everythingAppliesWithAWorkqueueSystem() {
		this.runner.withUserConfiguration(SystemAndRegistry.class)
			.run((context) -> assertThat(context).hasSingleBean(WorkqueuesEndpoint.class)
				.hasSingleBean(WorkqueueMetrics.class)
				.hasSingleBean(WorkqueuesHealthIndicator.class)
				.hasBean("workqueuesHealthIndicator"));
	}

	@Test
	void nothingAppliesWithoutAWorkqueueSystem() {
		this.runner.withUserConfiguration(RegistryOnly.class)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(WorkqueuesEndpoint.class)
				.doesNotHaveBean(WorkqueueMetrics.class)
				.doesNotHaveBean(WorkqueuesHealthIndicator.class));
	}

	@Test
	void workqueuesStillWorkWithoutActuatorMicrometerAndHealth() {
		this.runner.withUserConfiguration(SystemOnly.class)
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "io.micrometer",
					"org.springframework.boot.micrometer", "org.springframework.boot.health"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(WorkqueueSystem.class)
				.doesNotHaveBean(WorkqueuesEndpoint.class)
				.doesNotHaveBean(WorkqueueMetrics.class)
				.doesNotHaveBean(WorkqueuesHealthIndicator.class));
	}

	@Test
	void endpointNeedsToBeExposed() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(CmwqEndpointAutoConfiguration.class))
			.withUserConfiguration(SystemOnly.class)
			.run((context) -> assertThat(context).doesNotHaveBean(WorkqueuesEndpoint.class));
	}

	@Test
	void endpointCanBeSwitchedOff() {
		this.runner.withUserConfiguration(SystemOnly.class)
			.withPropertyValues("management.endpoint.workqueues.access=none")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkqueuesEndpoint.class));
	}

	@Test
	void metricsNeedAMeterRegistry() {
		this.runner.withUserConfiguration(SystemOnly.class)
			.run((context) -> assertThat(context).doesNotHaveBean(WorkqueueMetrics.class));
	}

	@Test
	void healthContributorCanBeSwitchedOff() {
		this.runner.withUserConfiguration(SystemOnly.class)
			.withPropertyValues("management.health.workqueues.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(WorkqueuesHealthIndicator.class));
	}

	@Test
	void applicationBeansTakePrecedence() {
		this.runner.withUserConfiguration(SystemAndRegistry.class, OwnBeans.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(WorkqueuesEndpoint.class)
					.hasSingleBean(WorkqueueMetrics.class)
					.hasSingleBean(WorkqueuesHealthIndicator.class);
				assertThat(context).getBean("ownEndpoint").isSameAs(context.getBean(WorkqueuesEndpoint.class));
				assertThat(context).getBean("ownMetrics").isSameAs(context.getBean(WorkqueueMetrics.class));
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class SystemOnly {

		@Bean(destroyMethod = "close")
		WorkqueueSystem workqueueSystem() {
			return WorkqueueSystem.builder().cpus(2).build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RegistryOnly {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SystemAndRegistry extends SystemOnly {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnBeans {

		@Bean
		WorkqueuesEndpoint ownEndpoint(WorkqueueSystem system) {
			return new WorkqueuesEndpoint(system);
		}

		@Bean
		WorkqueueMetrics ownMetrics(WorkqueueSystem system) {
			return new WorkqueueMetrics(system);
		}

		@Bean
		WorkqueuesHealthIndicator workqueuesHealthIndicator(WorkqueueSystem system) {
			return new WorkqueuesHealthIndicator(system);
		}

	}

}
