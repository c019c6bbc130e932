package dev.cmwq.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpointAutoConfiguration;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSnapshot;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.SpringWorkqueue;
import org.junit.jupiter.api.Test;

import org.springframework.aot.AotDetector;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.SpringProperties;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application with declared workqueues, processed ahead of time (as {@code spring-boot:process-aot} does for a
 * GraalVM native image or a JVM AOT cache), compiled, and run from the generated code in AOT mode: the workqueue
 * beans exist, {@code @QueueWork} routes, the endpoint answers, and the runtime hints a native image needs are
 * registered.
 */
class CmwqAotTests {

	private static final String[] PROPERTIES = { "cmwq.cpus=2", "cmwq.workqueues.thumbnails.max-active=4",
			"cmwq.workqueues.audit.ordered=true", "cmwq.workqueues.empty=",
			"management.endpoints.web.exposure.include=workqueues" };

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class, EndpointAutoConfiguration.class,
				WorkqueuesEndpointAutoConfiguration.class))
		.withPropertyValues(PROPERTIES)
		.withUserConfiguration(App.class);

	@Test
	@CompileWithForkedClassLoader // the generated code calls package-private factory methods
	void anApplicationProcessedAheadOfTimeRunsWithItsWorkqueues() {
		this.runner.prepare((prepared) -> {
			GenericApplicationContext source = (GenericApplicationContext) prepared.getSourceApplicationContext();
			TestGenerationContext generationContext = new TestGenerationContext();
			ClassName initializer = new ApplicationContextAotGenerator().processAheadOfTime(source, generationContext);
			generationContext.writeGeneratedContent();
			TestCompiler.forSystem().with(generationContext).compile((compiled) -> inAotMode(() -> {
				try (GenericApplicationContext context = new GenericApplicationContext()) {
					TestPropertyValues.of(PROPERTIES).applyTo(context);
					initializer(compiled.getInstance(ApplicationContextInitializer.class, initializer.toString()))
						.initialize(context);
					context.refresh();
					assertRuns(context);
				}
			}));
		});
	}

	@Test
	void runtimeHintsCoverWhatANativeImageNeeds() {
		this.runner.prepare((prepared) -> {
			TestGenerationContext generationContext = new TestGenerationContext();
			new ApplicationContextAotGenerator().processAheadOfTime(
					(GenericApplicationContext) prepared.getSourceApplicationContext(), generationContext);
			RuntimeHints hints = generationContext.getRuntimeHints();
			// the dashboard's page and the Chart.js files it serves
			assertThat(RuntimeHintsPredicates.resource().forResource("META-INF/cmwq-dashboard/index.html"))
				.accepts(hints);
			assertThat(RuntimeHintsPredicates.resource().forResource("META-INF/cmwq-dashboard/dashboard.js"))
				.accepts(hints);
			assertThat(RuntimeHintsPredicates.resource()
				.forResource("META-INF/resources/webjars/chart.js/4.5.1/dist/chart.umd.min.js")).accepts(hints);
			assertThat(RuntimeHintsPredicates.resource()
				.forResource("META-INF/maven/org.webjars.npm/chart.js/pom.properties")).accepts(hints);
			// @QueueWork methods are invoked reflectively; a key expression reads its parameter's type
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Jobs.class, "render")).accepts(hints);
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Jobs.class, "audit")).accepts(hints);
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Entry.class, "id")).accepts(hints);
			// what the endpoint answers, and the properties it binds
			assertThat(RuntimeHintsPredicates.reflection().onType(WorkqueueSnapshot.class)).accepts(hints);
			assertThat(RuntimeHintsPredicates.reflection().onType(WorkqueuesEndpoint.FreezeDescriptor.class))
				.accepts(hints);
			assertThat(RuntimeHintsPredicates.reflection().onType(WorkqueuesEndpoint.ErrorDescriptor.class))
				.accepts(hints);
			assertThat(RuntimeHintsPredicates.reflection().onType(CmwqProperties.Workqueue.class)).accepts(hints);
		});
	}

	private static void assertRuns(GenericApplicationContext context) throws Exception {
		assertThat(AotDetector.useGeneratedArtifacts()).isTrue();
		WorkqueueSystem system = context.getBean(WorkqueueSystem.class);
		for (String name : new String[] { "events", "thumbnails", "audit", "empty" }) {
			assertThat(context.getBean(name, Workqueue.class)).isInstanceOfSatisfying(SpringWorkqueue.class,
					(bean) -> assertThat(bean.delegate()).isSameAs(system.workqueue(name).orElseThrow()));
		}
		assertThat(system.workqueue("thumbnails").orElseThrow().maxActive()).isEqualTo(4);
		Jobs jobs = context.getBean(Jobs.class);
		assertThat(jobs.render("a").get(30, TimeUnit.SECONDS)).startsWith("cmwq-");
		assertThat(jobs.audit(new Entry(7)).get(30, TimeUnit.SECONDS)).isEqualTo(7);
		assertThat(system.workqueue("audit").orElseThrow().snapshot().stats().started()).isEqualTo(1);
		SystemSnapshot snapshot = context.getBean(WorkqueuesEndpoint.class).workqueues();
		assertThat(snapshot.workqueue("thumbnails")).isPresent();
	}

	@SuppressWarnings("unchecked")
	private static ApplicationContextInitializer<GenericApplicationContext> initializer(
			ApplicationContextInitializer<?> initializer) {
		return (ApplicationContextInitializer<GenericApplicationContext>) initializer;
	}

	/** Runs as an application started with -Dspring.aot.enabled=true does. */
	private static void inAotMode(ThrowingRunnable action) {
		SpringProperties.setProperty(AotDetector.AOT_ENABLED, "true");
		try {
			action.run();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		finally {
			SpringProperties.setProperty(AotDetector.AOT_ENABLED, null);
		}
	}

	interface ThrowingRunnable {

		void run() throws Exception;

	}

	@Configuration(proxyBeanMethods = false)
	static class App {

		@Bean
		Jobs jobs() {
			return new Jobs();
		}

	}

	public record Entry(long id) {
	}

	public static class Jobs {

		@QueueWork("thumbnails")
		public CompletableFuture<String> render(String name) {
			return CompletableFuture.completedFuture(Thread.currentThread().getName());
		}

		@QueueWork(value = "audit", key = "#entry.id")
		public CompletableFuture<Long> audit(Entry entry) {
			return CompletableFuture.completedFuture(entry.id());
		}

	}

}
