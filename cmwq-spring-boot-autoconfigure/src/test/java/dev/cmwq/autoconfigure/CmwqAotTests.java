package dev.cmwq.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint;
import dev.cmwq.autoconfigure.actuate.CmwqEndpointAutoConfiguration;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.SpringWorkqueue;
import dev.cmwq.autoconfigure.async.CmwqAsyncAutoConfiguration;
import dev.cmwq.spring.async.WorkqueueTaskExecutor;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

import org.springframework.aot.AotDetector;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
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
import org.springframework.mock.env.MockEnvironment;
import org.springframework.util.function.ThrowingConsumer;
import org.springframework.javapoet.ClassName;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * An application with declared workqueues, processed ahead of time (as {@code spring-boot:process-aot} does for a
 * GraalVM native image or a JVM AOT cache), compiled, and run from the generated code in AOT mode: the workqueue
 * beans exist, {@code @QueueWork} routes, the endpoint answers, and the runtime hints a native image needs are
 * registered. The switches conditions read are fixed at build time: a run-time value that contradicts the build
 * fails start-up naming it, while what a switch configures (the default workqueue's name) is read at start-up.
 */
class CmwqAotTests {

	private static final String[] PROPERTIES = { "cmwq.cpus=2", "cmwq.workqueues.thumbnails.max-active=4",
			"cmwq.workqueues.audit.ordered=true", "cmwq.workqueues.empty=",
			"management.endpoints.web.exposure.include=workqueues" };

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class, EndpointAutoConfiguration.class,
				CmwqEndpointAutoConfiguration.class, TaskExecutionAutoConfiguration.class,
				CmwqAsyncAutoConfiguration.class))
		.withPropertyValues(PROPERTIES)
		.withUserConfiguration(App.class);

	@Test
	@CompileWithForkedClassLoader // the generated code calls package-private factory methods
	void anApplicationProcessedAheadOfTimeRunsWithItsWorkqueues() {
		runAheadOfTime(this.runner, TestPropertyValues.of(PROPERTIES), (context) -> {
			context.refresh();
			assertRuns(context);
		});
	}

	@Test
	@CompileWithForkedClassLoader
	void switchesThatTheRunTimeTurnsAnotherWayThanTheBuildFailStartUpNamingThem() {
		TestPropertyValues runTime = TestPropertyValues.of(PROPERTIES)
			.and("cmwq.dashboard.enabled=true", "cmwq.observations.enabled=false");
		assertThatException()
			.isThrownBy(() -> runAheadOfTime(this.runner, runTime,
					(context) -> Assertions.fail("initialized despite the contradiction")))
			.havingRootCause()
			.isInstanceOfSatisfying(InvalidCmwqPropertyException.class, (ex) -> {
				assertThat(ex.getProperty()).isEqualTo("cmwq.dashboard.enabled");
				assertThat(ex.getValue()).isEqualTo("true");
				assertThat(ex.getReason()).contains("processed ahead of time (AOT) with it false")
					.contains("so do cmwq.observations.enabled");
			});
	}

	@Test
	@CompileWithForkedClassLoader
	void whatASwitchConfiguresIsReadAtStartUp() {
		runAheadOfTime(this.runner.withPropertyValues("cmwq.async.default-workqueue=thumbnails"),
				TestPropertyValues.of(PROPERTIES).and("cmwq.async.default-workqueue=audit"), (context) -> {
					context.refresh();
					assertThat(context.getBean("applicationTaskExecutor", WorkqueueTaskExecutor.class)
						.getWorkqueue()
						.name()).isEqualTo("audit");
				});
	}

	@Test
	void theWorkqueuesOwnSwitchDecidesAloneWhenItIsOffOrTurnedAnotherWay() {
		Map<String, Boolean> off = BuildTimeSwitches.read(new MockEnvironment().withProperty("cmwq.enabled", "false"));
		// off at both times: what the other switches say switches nothing
		BuildTimeSwitches.check(new MockEnvironment().withProperty("cmwq.enabled", "false")
			.withProperty("cmwq.dashboard.enabled", "true"), off);
		assertThatExceptionOfType(InvalidCmwqPropertyException.class)
			.isThrownBy(() -> BuildTimeSwitches.check(new MockEnvironment().withProperty("cmwq.dashboard.enabled",
					"true"), off))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("cmwq.enabled"))
			.withMessageNotContaining("dashboard");
	}

	@Test
	void theDefaultWorkqueueIsASwitchOnlyAsSetOrUnset() {
		Map<String, Boolean> set = BuildTimeSwitches
			.read(new MockEnvironment().withProperty("cmwq.async.default-workqueue", "events"));
		BuildTimeSwitches.check(new MockEnvironment().withProperty("cmwq.async.default-workqueue", "mailer"), set);
		assertThatExceptionOfType(InvalidCmwqPropertyException.class)
			.isThrownBy(() -> BuildTimeSwitches.check(new MockEnvironment(), set))
			.satisfies((ex) -> assertThat(ex.getReason()).contains("with it set"));
	}

	/**
	 * Processes the runner's application ahead of time, compiles what that generates, and initializes a context
	 * from it in AOT mode with the run-time properties.
	 */
	private static void runAheadOfTime(ApplicationContextRunner runner, TestPropertyValues runTime,
			ThrowingConsumer<GenericApplicationContext> initialized) {
		runner.prepare((prepared) -> {
			GenericApplicationContext source = (GenericApplicationContext) prepared.getSourceApplicationContext();
			TestGenerationContext generationContext = new TestGenerationContext();
			ClassName initializer = new ApplicationContextAotGenerator().processAheadOfTime(source, generationContext);
			generationContext.writeGeneratedContent();
			TestCompiler.forSystem().with(generationContext).compile((compiled) -> inAotMode(() -> {
				try (GenericApplicationContext context = new GenericApplicationContext()) {
					runTime.applyTo(context);
					initializer(compiled.getInstance(ApplicationContextInitializer.class, initializer.toString()))
						.initialize(context);
					initialized.accept(context);
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
				.forResource("META-INF/cmwq-dashboard/lib/chart.js/chart.umd.min.js")).accepts(hints);
			// @QueueWork methods are invoked reflectively; a key expression reads its parameter's type
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Jobs.class, "render")).accepts(hints);
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Jobs.class, "audit")).accepts(hints);
			assertThat(RuntimeHintsPredicates.reflection().onMethodInvocation(Entry.class, "id")).accepts(hints);
			// what the endpoint answers, and the properties it binds
			for (Class<?> answer : List.of(WorkqueuesEndpoint.WorkqueuesDescriptor.class,
					WorkqueuesEndpoint.PoolDescriptor.class, WorkqueuesEndpoint.WorkqueueDescriptor.class,
					WorkqueuesEndpoint.StatsDescriptor.class, WorkqueuesEndpoint.FreezeDescriptor.class,
					WorkqueuesEndpoint.ThawDescriptor.class, WorkqueuesEndpoint.CpuChangeDescriptor.class,
					WorkqueuesEndpoint.CpuDescriptor.class, WorkqueuesEndpoint.ErrorDescriptor.class)) {
				assertThat(RuntimeHintsPredicates.reflection().onType(answer)).as(answer.getName()).accepts(hints);
			}
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
		assertThat(context.getBean(WorkqueuesEndpoint.class).workqueues().workqueues())
			.extracting(WorkqueuesEndpoint.WorkqueueDescriptor::name)
			.contains("thumbnails");
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
