package dev.cmwq.startertests;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.sql.DataSource;

import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.startertests.LightApplication.Jobs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.aot.AotDetector;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every class path checks, on the JVM and from the code that ahead-of-time processing generated at build time
 * ({@code spring-boot:process-aot}): the {@link LightApplication} starts; its {@code @QueueWork} method and its
 * {@code @Async} methods, on a named workqueue and on the default executor, run on workqueue workers; the
 * {@link WorkqueueSystem} runs an item; and exactly the expected integrations light up. A subclass per module says
 * which classes its class path lacks (checked first, so that a module whose dependencies drift fails) and which
 * integrations it expects.
 */
@Timeout(120)
public abstract class StarterChecks {

	private static final long PATIENCE_SECONDS = 30;

	/** The starter's integrations, and how a running application shows each one. */
	public enum Integration {

		/** The {@code workqueues} actuator endpoint. */
		ENDPOINT(bean("dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint")),

		/** The {@code workqueues} health contributor. */
		HEALTH(bean("dev.cmwq.autoconfigure.health.WorkqueuesHealthIndicator")),

		/** The {@code cmwq.*} meters. */
		METRICS(bean("dev.cmwq.spring.metrics.WorkqueueMetrics")),

		/** The {@code cmwq.work} observation. */
		OBSERVATIONS(bean("dev.cmwq.spring.observation.ObservingWorkqueueTaskDecorator")),

		/** The dashboard: its page answers at {@code /cmwq/}. */
		DASHBOARD(StarterChecks::dashboardAnswers),

		/** The JDBC blocking hint: the {@code DataSource} bean's connections mark their database calls. */
		JDBC_HINT(StarterChecks::jdbcHinted);

		private final Predicate<ConfigurableApplicationContext> on;

		Integration(Predicate<ConfigurableApplicationContext> on) {
			this.on = on;
		}

	}

	/** Classes of a web stack: Spring MVC, Spring's web module (so {@code RestClient}), the servlet API. */
	protected static final List<String> WEB_STACK = List.of("org.springframework.web.servlet.DispatcherServlet",
			"org.springframework.web.client.RestClient", "jakarta.servlet.Servlet");

	/** Classes of what {@code spring-boot-starter-actuator} brings: endpoints, health, Boot's metrics support. */
	protected static final List<String> ACTUATOR = List.of(
			"org.springframework.boot.actuate.endpoint.annotation.Endpoint",
			"org.springframework.boot.health.contributor.HealthIndicator",
			"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
			"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration");

	/** Classes of Micrometer: meters, observations, their common types, context propagation. */
	protected static final List<String> MICROMETER = List.of("io.micrometer.core.instrument.MeterRegistry",
			"io.micrometer.observation.ObservationRegistry", "io.micrometer.common.KeyValue",
			"io.micrometer.context.ContextSnapshot");

	private final Set<Integration> expected;

	private final List<String> absent;

	/**
	 * A class path's checks.
	 * @param expected the integrations that light up
	 * @param absent groups of classes the class path lacks ({@link #WEB_STACK}, {@link #ACTUATOR},
	 * {@link #MICROMETER})
	 */
	protected StarterChecks(Set<Integration> expected, List<List<String>> absent) {
		this.expected = expected.isEmpty() ? EnumSet.noneOf(Integration.class) : EnumSet.copyOf(expected);
		this.absent = absent.stream().flatMap(List::stream).toList();
	}

	@Test
	void theClassPathLacksWhatItShould() {
		assertThat(this.absent).allSatisfy((name) -> assertThat(ClassUtils.isPresent(name, null)).as(name).isFalse());
	}

	@Test
	void theApplicationWorksOnTheJvm() throws Exception {
		check();
	}

	@Test
	void theApplicationWorksFromItsAheadOfTimeProcessedCode() throws Exception {
		assertThat(ClassUtils.isPresent(LightApplication.class.getName() + "__ApplicationContextInitializer", null))
			.as("spring-boot:process-aot ran before the tests")
			.isTrue();
		System.setProperty(AotDetector.AOT_ENABLED, "true");
		try {
			check();
		}
		finally {
			System.clearProperty(AotDetector.AOT_ENABLED);
		}
	}

	private void check() throws Exception {
		SpringApplication application = new SpringApplication(LightApplication.class);
		application.setMainApplicationClass(LightApplication.class); // whose generated initializer AOT mode runs
		try (ConfigurableApplicationContext context = application.run()) {
			Jobs jobs = context.getBean(Jobs.class);
			CompletableFuture<String> queued = new CompletableFuture<>();
			jobs.queued(queued);
			assertRanOnAWorker(queued);
			assertRanOnAWorker(jobs.onTheNamedWorkqueue());
			assertRanOnAWorker(jobs.onTheDefaultExecutor());
			WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
			Workqueue light = system.workqueue("light").orElseThrow();
			CountDownLatch ran = new CountDownLatch(1);
			assertThat(light.queue(new Work(ran::countDown))).isTrue();
			assertThat(ran.await(PATIENCE_SECONDS, TimeUnit.SECONDS)).isTrue();
			assertThat(system.awaitIdle(Duration.ofSeconds(PATIENCE_SECONDS))).isTrue();
			assertThat(light.snapshot().stats().completed()).as("items completed on 'light'").isEqualTo(4);
			assertThat(Arrays.stream(Integration.values()).filter((integration) -> integration.on.test(context)))
				.as("the integrations that light up")
				.containsExactlyInAnyOrderElementsOf(this.expected);
		}
	}

	private static void assertRanOnAWorker(Future<String> thread) throws Exception {
		assertThat(thread.get(PATIENCE_SECONDS, TimeUnit.SECONDS)).startsWith("cmwq-");
	}

	private static Predicate<ConfigurableApplicationContext> bean(String type) {
		return (context) -> ClassUtils.isPresent(type, null)
				&& context.getBeanNamesForType(ClassUtils.resolveClassName(type, null)).length > 0;
	}

	private static boolean dashboardAnswers(ConfigurableApplicationContext context) {
		String port = context.getEnvironment().getProperty("local.server.port");
		if (port == null) {
			return false;
		}
		try {
			HttpResponse<String> page = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/cmwq/"))
					.timeout(Duration.ofSeconds(PATIENCE_SECONDS))
					.build(), HttpResponse.BodyHandlers.ofString());
			return page.statusCode() == 200;
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Whether the data source's connections are the hint's wrappers (which keep JDBC's types: checked too). */
	private static boolean jdbcHinted(ConfigurableApplicationContext context) {
		DataSource dataSource = context.getBeanProvider(DataSource.class).getIfAvailable();
		if (dataSource == null) {
			return false;
		}
		try (Connection connection = dataSource.getConnection();
				PreparedStatement statement = connection.prepareStatement("SELECT 1");
				ResultSet rs = statement.executeQuery()) {
			assertThat((PreparedStatement) rs.getStatement()).isSameAs(statement);
			return Proxy.isProxyClass(connection.getClass()) && Proxy.getInvocationHandler(connection)
				.getClass()
				.getName()
				.equals("dev.cmwq.spring.blocking.BlockingJdbc");
		}
		catch (java.sql.SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
