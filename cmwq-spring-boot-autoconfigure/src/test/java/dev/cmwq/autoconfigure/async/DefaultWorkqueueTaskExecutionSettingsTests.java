package dev.cmwq.autoconfigure.async;

import java.util.List;
import java.util.concurrent.Executor;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.InvalidCmwqPropertyException;
import dev.cmwq.spring.async.WorkqueueTaskExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code cmwq.async.default-workqueue}, Spring Boot's executor does not exist, so the
 * {@code spring.task.execution.*} settings that configure it do not apply: they are named, with what governs the
 * workqueue instead, in one start-up warning. {@code propagate-context} applies; {@code mode=force} is refused.
 * Spring Boot's {@code bootstrapExecutor} follows {@code applicationTaskExecutor}, as Boot's rule has it.
 */
@ExtendWith(OutputCaptureExtension.class)
class DefaultWorkqueueTaskExecutionSettingsTests {

	private static final String WARNING = "which does not use these spring.task.execution settings";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class,
				CmwqAsyncAutoConfiguration.class, CmwqAutoConfiguration.class))
		.withPropertyValues("cmwq.cpus=1");

	@Test
	void oneWarningNamesEachSettingThatDoesNotApplyAndWhatGovernsTheWorkqueueInstead(CapturedOutput output) {
		this.runner
			.withPropertyValues("cmwq.async.default-workqueue=events", "spring.task.execution.pool.max-size=16",
					"spring.task.execution.pool.core-size=4", "spring.task.execution.thread-name-prefix=app-",
					"spring.task.execution.shutdown.await-termination=true",
					"spring.task.execution.shutdown.await-termination-period=20s",
					"spring.task.execution.propagate-context=true")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				List<String> warnings = output.getOut().lines().filter((line) -> line.contains(WARNING)).toList();
				assertThat(warnings).singleElement()
					.asString()
					.contains("WARN", "workqueue 'events'",
							"spring.task.execution.pool.core-size, spring.task.execution.pool.max-size "
									+ "(items in flight follow the workqueue's max-active and concurrency management)",
							"spring.task.execution.shutdown.await-termination, "
									+ "spring.task.execution.shutdown.await-termination-period "
									+ "(the workqueues drain at shutdown for cmwq.shutdown-timeout)",
							"spring.task.execution.thread-name-prefix (worker threads serve every workqueue")
					.doesNotContain("propagate-context");
			});
	}

	@Test
	void noWarningWhenOnlySettingsThatApplyAreSet(CapturedOutput output) {
		this.runner
			.withPropertyValues("cmwq.async.default-workqueue=events", "spring.task.execution.propagate-context=true",
					"spring.task.execution.mode=auto")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).doesNotContain(WARNING);
			});
	}

	@Test
	void noWarningWhileSpringBootsExecutorUsesThem(CapturedOutput output) {
		this.runner.withPropertyValues("spring.task.execution.pool.max-size=16").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).doesNotContain(WARNING);
		});
	}

	@Test
	void forceModeIsRefusedNamingBothProperties() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=events", "spring.task.execution.mode=force")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidCmwqPropertyException.class)
				.hasMessageContaining("cmwq.async.default-workqueue")
				.hasMessageContaining("spring.task.execution.mode=force"));
	}

	@Test
	void bootsBootstrapExecutorIsTheWorkqueueSoBackgroundInitializationRunsThere() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=events")
			.withUserConfiguration(BackgroundInitialization.class)
			.run((context) -> {
				assertThat(context.getBean(ConfigurableApplicationContext.BOOTSTRAP_EXECUTOR_BEAN_NAME))
					.isSameAs(context.getBean("applicationTaskExecutor"))
					.isInstanceOf(WorkqueueTaskExecutor.class);
				assertThat(context.getBean("initializedOn", String.class)).startsWith("cmwq-");
			});
	}

	@Test
	void anApplicationsOwnBootstrapExecutorIsLeftAlone() {
		this.runner.withPropertyValues("cmwq.async.default-workqueue=events")
			.withUserConfiguration(BackgroundInitialization.class)
			.withBean(ConfigurableApplicationContext.BOOTSTRAP_EXECUTOR_BEAN_NAME, Executor.class,
					() -> (task) -> new Thread(task, "own-bootstrap").start())
			.run((context) -> assertThat(context.getBean("initializedOn", String.class)).isEqualTo("own-bootstrap"));
	}

	@Configuration(proxyBeanMethods = false)
	static class BackgroundInitialization {

		@Bean(bootstrap = Bean.Bootstrap.BACKGROUND)
		String initializedOn() {
			return Thread.currentThread().getName();
		}

	}

}
