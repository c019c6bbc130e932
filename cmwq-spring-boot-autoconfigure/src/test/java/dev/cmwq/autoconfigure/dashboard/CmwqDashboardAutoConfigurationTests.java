package dev.cmwq.autoconfigure.dashboard;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the dashboard is there: only when asked for, in a servlet web application with workqueues.
 */
class CmwqDashboardAutoConfigurationTests {

	private final WebApplicationContextRunner web = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class, CmwqDashboardAutoConfiguration.class));

	@Test
	void offByDefault() {
		this.web.run((context) -> assertThat(context).doesNotHaveBean("cmwqDashboardRoutes")
			.doesNotHaveBean(CmwqDashboardProperties.class));
	}

	@Test
	void onWhenEnabledInAServletWebApplication() {
		this.web.withPropertyValues("cmwq.dashboard.enabled=true")
			.run((context) -> assertThat(context).hasBean("cmwqDashboardRoutes")
				.hasBean("cmwqDashboardResources")
				.hasSingleBean(CmwqDashboardProperties.class));
	}

	@Test
	void offWhenWorkqueuesAreOff() {
		this.web.withPropertyValues("cmwq.dashboard.enabled=true", "cmwq.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("cmwqDashboardRoutes"));
	}

	@Test
	void offOutsideAWebApplication() {
		new ApplicationContextRunner()
			.withConfiguration(
					AutoConfigurations.of(CmwqAutoConfiguration.class, CmwqDashboardAutoConfiguration.class))
			.withPropertyValues("cmwq.dashboard.enabled=true")
			.run((context) -> assertThat(context).doesNotHaveBean("cmwqDashboardRoutes"));
	}

	@Test
	void pathIsNormalised() {
		CmwqDashboardProperties properties = new CmwqDashboardProperties();
		assertThat(properties.normalizedPath()).isEqualTo("/cmwq");
		properties.setPath("ops/queues/");
		assertThat(properties.normalizedPath()).isEqualTo("/ops/queues");
		properties.setPath("/");
		assertThat(properties.normalizedPath()).isEqualTo("/cmwq");
	}

	@Test
	void chartJsIsTheDashboardsOwnCopyNotAWebJar() {
		ClassLoader classLoader = getClass().getClassLoader();
		assertThat(classLoader.getResource(CmwqDashboardAutoConfiguration.CHART_LIBRARY)).isNotNull();
		assertThat(classLoader.getResource("META-INF/cmwq-dashboard/lib/chart.js/LICENSE.md")).isNotNull();
		assertThat(classLoader.getResource("META-INF/resources/webjars/chart.js")).as("a chart.js WebJar").isNull();
	}

}
