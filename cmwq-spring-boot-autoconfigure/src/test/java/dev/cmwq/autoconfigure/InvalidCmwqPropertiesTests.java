package dev.cmwq.autoconfigure;


import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each bad {@code cmwq.*} value fails start-up with a message naming the property's path and the value.
 */
class InvalidCmwqPropertiesTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class));

	@Test
	void unknownFlag() {
		// Flags bind as an enum, so that IDEs complete them; Spring Boot's own bind failure report names the
		// property and the value, and the reason lists the valid flags as configuration writes them.
		this.runner.withPropertyValues("cmwq.workqueues.thumbnails.flags=cpu-intensive,turbo").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: cmwq.workqueues.thumbnails.flags")
				.contains("Value: \"cpu-intensive,turbo\"")
				.contains("unknown workqueue flag 'turbo'; valid flags are unbound, highpri, cpu-intensive, "
						+ "freezable, mem-reclaim");
			assertThat(analysis.getAction()).contains("CPU_INTENSIVE", "MEM_RECLAIM");
		});
	}

	@Test
	void unknownFlagInAYamlList() {
		this.runner.withPropertyValues("cmwq.workqueues.thumbnails.flags[0]=turbo").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(StartupFailures.analyze(context.getStartupFailure()).getDescription())
				.contains("Property: cmwq.workqueues.thumbnails.flags[0]")
				.contains("Value: \"turbo\"");
		});
	}

	@Test
	void maxActiveAboveTheLimit() {
		this.runner.withPropertyValues("cmwq.workqueues.thumbnails.max-active=513")
			.run((context) -> assertFailure(context, "cmwq.workqueues.thumbnails.max-active", "513"));
	}

	@Test
	void maxActiveNegative() {
		this.runner.withPropertyValues("cmwq.workqueues.thumbnails.max-active=-1")
			.run((context) -> assertFailure(context, "cmwq.workqueues.thumbnails.max-active", "-1"));
	}

	@Test
	void unboundMaxActiveAboveFourTimesTheCpus() {
		this.runner.withPropertyValues("cmwq.cpus=200", "cmwq.workqueues.crunch.flags=unbound",
				"cmwq.workqueues.crunch.max-active=801")
			.run((context) -> assertFailure(context, "cmwq.workqueues.crunch.max-active", "801"));
	}

	@Test
	void orderedWithMaxActiveAboveOne() {
		this.runner.withPropertyValues("cmwq.workqueues.audit.ordered=true", "cmwq.workqueues.audit.max-active=2")
			.run((context) -> assertFailure(context, "cmwq.workqueues.audit.max-active", "2"));
	}

	@Test
	void queueCapacityBelowOne() {
		this.runner.withPropertyValues("cmwq.workqueues.mailer.queue-capacity=0")
			.run((context) -> assertFailure(context, "cmwq.workqueues.mailer.queue-capacity", "0"));
	}

	@Test
	void callerRunsOnAnOrderedOrFreezableWorkqueue() {
		this.runner
			.withPropertyValues("cmwq.workqueues.audit.ordered=true", "cmwq.workqueues.audit.queue-capacity=10",
					"cmwq.workqueues.audit.overflow=caller-runs")
			.run((context) -> assertFailure(context, "cmwq.workqueues.audit.overflow", "caller-runs"));
		this.runner
			.withPropertyValues("cmwq.workqueues.batch.flags=freezable", "cmwq.workqueues.batch.overflow=CALLER_RUNS")
			.run((context) -> assertFailure(context, "cmwq.workqueues.batch.overflow", "CALLER_RUNS"));
	}

	@Test
	void negativeOverflowTimeout() {
		this.runner.withPropertyValues("cmwq.workqueues.mailer.overflow-timeout=-1s")
			.run((context) -> assertFailure(context, "cmwq.workqueues.mailer.overflow-timeout", "-1s"));
	}

	@Test
	void unknownOverflowPolicy() {
		this.runner.withPropertyValues("cmwq.workqueues.mailer.overflow=drop").run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = StartupFailures.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("Property: cmwq.workqueues.mailer.overflow")
				.contains("Value: \"drop\"");
		});
	}

	@Test
	void nameTooLong() {
		String name = "a".repeat(33);
		this.runner.withPropertyValues("cmwq.workqueues." + name + ".max-active=1")
			.run((context) -> assertFailure(context, "cmwq.workqueues." + name, name));
	}

	@Test
	void nameWithInvalidCharacters() {
		this.runner.withPropertyValues("cmwq.workqueues.[bad/name].max-active=1")
			.run((context) -> assertFailure(context, "cmwq.workqueues.[bad/name]", "bad/name"));
	}

	@Test
	void duplicateNameOfASystemWorkqueue() {
		this.runner.withPropertyValues("cmwq.workqueues.events.max-active=4")
			.run((context) -> assertFailure(context, "cmwq.workqueues.events", "events"));
	}

	@Test
	void aSystemWorkqueuesNameIsFreeWithoutSystemWorkqueues() {
		this.runner.withPropertyValues("cmwq.system-workqueues=false", "cmwq.workqueues.events.max-active=4")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void negativeIdleTimeout() {
		this.runner.withPropertyValues("cmwq.idle-timeout=-1s")
			.run((context) -> assertFailure(context, "cmwq.idle-timeout", "-1s"));
	}

	@Test
	void zeroIdleTimeout() {
		this.runner.withPropertyValues("cmwq.idle-timeout=0s")
			.run((context) -> assertFailure(context, "cmwq.idle-timeout", "0s"));
	}

	@Test
	void zeroDetectorInterval() {
		this.runner.withPropertyValues("cmwq.detector-interval=0")
			.run((context) -> assertFailure(context, "cmwq.detector-interval", "0"));
	}

	@Test
	void negativeCpuIntensiveThreshold() {
		this.runner.withPropertyValues("cmwq.cpu-intensive-threshold=-10ms")
			.run((context) -> assertFailure(context, "cmwq.cpu-intensive-threshold", "-10ms"));
	}

	@Test
	void negativeWatchdogThreshold() {
		this.runner.withPropertyValues("cmwq.watchdog-threshold=-30s")
			.run((context) -> assertFailure(context, "cmwq.watchdog-threshold", "-30s"));
	}

	@Test
	void negativeShutdownTimeout() {
		this.runner.withPropertyValues("cmwq.shutdown-timeout=-5s")
			.run((context) -> assertFailure(context, "cmwq.shutdown-timeout", "-5s"));
	}

	@Test
	void negativeCpus() {
		this.runner.withPropertyValues("cmwq.cpus=-1")
			.run((context) -> assertFailure(context, "cmwq.cpus", "-1"));
	}

	@Test
	void maxWorkersPerPoolBelowOne() {
		this.runner.withPropertyValues("cmwq.max-workers-per-pool=0")
			.run((context) -> assertFailure(context, "cmwq.max-workers-per-pool", "0"));
	}

	@Test
	void zeroDurationsThatMeanOffAreValid() {
		this.runner
			.withPropertyValues("cmwq.cpu-intensive-threshold=0", "cmwq.watchdog-threshold=0",
					"cmwq.shutdown-timeout=0")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	/**
	 * Start-up failed, and both the exception's messages and Spring Boot's failure report name the property and
	 * the value.
	 */
	private static void assertFailure(AssertableApplicationContext context, String property, String value) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		assertThat(StartupFailures.messages(failure)).anySatisfy((message) -> assertThat(message).contains(property).contains(value));
		FailureAnalysis analysis = StartupFailures.analyze(failure);
		assertThat(analysis.getDescription()).contains("Property: " + property).contains("Value: \"" + value + "\"");
	}

}
