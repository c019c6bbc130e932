package dev.cmwq.autoconfigure.dashboard;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.actuate.CmwqEndpointAutoConfiguration;
import dev.cmwq.core.WorkqueueSystem;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The workqueue dashboard, served at {@code cmwq.dashboard.path} ({@code /cmwq}) when
 * {@code cmwq.dashboard.enabled=true} in a servlet web application with actuator.
 *
 * <p>The page reads the {@code workqueues} actuator endpoint (it must be exposed over HTTP on the application's
 * port: with a separate {@code management.server.port} the page says it cannot read it, and a warning is logged at
 * start-up) and shows its freeze, thaw and CPU buttons only where the endpoint's write operations exist; where the
 * {@code durableworkqueues} endpoint is exposed too, it shows the durable workqueues from it. It adds no
 * security of its own: the endpoint's requests are the application's to protect. The page sends its actions as
 * {@code POST}s with a JSON body and, where Spring Security protects against CSRF, its token (from
 * {@code config.json}); it asks for HTTP Basic credentials when an action is answered 401.
 */
@AutoConfiguration(after = { CmwqAutoConfiguration.class, CmwqEndpointAutoConfiguration.class })
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnBooleanProperty("cmwq.dashboard.enabled")
@ConditionalOnClass({ RouterFunction.class, PathMappedEndpoints.class, ManagementPortType.class })
@ConditionalOnBean(WorkqueueSystem.class)
@EnableConfigurationProperties(CmwqDashboardProperties.class)
public final class CmwqDashboardAutoConfiguration {

	private static final Log logger = LogFactory.getLog(CmwqDashboardAutoConfiguration.class);

	static final String STATIC_LOCATION = "classpath:/META-INF/cmwq-dashboard/";

	/** The dashboard's copy of Chart.js, which the build of this module unpacks from the chart.js WebJar. */
	static final String CHART_LIBRARY = "META-INF/cmwq-dashboard/lib/chart.js/chart.umd.min.js";

	@Bean
	RouterFunction<ServerResponse> cmwqDashboardRoutes(CmwqDashboardProperties properties,
			ObjectProvider<PathMappedEndpoints> endpoints, Environment environment) {
		boolean chartLibrary = new ClassPathResource(CHART_LIBRARY, getClass().getClassLoader()).exists();
		if (!chartLibrary) {
			logger.warn("cmwq dashboard: its copy of Chart.js (" + CHART_LIBRARY + ") is missing from the class "
					+ "path; the page will show numbers without charts");
		}
		WorkqueuesEndpointLocator locator = new WorkqueuesEndpointLocator(endpoints::getIfAvailable,
				ManagementPortType.get(environment), environment.getProperty("management.server.port"));
		if (locator.elsewhere() != null) {
			logger.warn("cmwq dashboard at " + properties.normalizedPath() + "/ cannot show the workqueues: "
					+ locator.elsewhere());
		}
		return new DashboardRoutes(properties, new ClassPathResource("META-INF/cmwq-dashboard/index.html"), locator,
				chartLibrary)
			.routes();
	}

	/**
	 * The page's script, styles and Chart.js, below the dashboard's path only: nothing of the dashboard is served
	 * while it is off, and no {@code /webjars/} path ever.
	 */
	@Bean
	WebMvcConfigurer cmwqDashboardResources(CmwqDashboardProperties properties) {
		String path = properties.normalizedPath();
		return new WebMvcConfigurer() {

			@Override
			public void addResourceHandlers(ResourceHandlerRegistry registry) {
				registry.addResourceHandler(path + "/**").addResourceLocations(STATIC_LOCATION);
			}

		};
	}

}
