package dev.cmwq.autoconfigure.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.autoconfigure.StartupFailures;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSnapshot;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Audit of every {@code cmwq.*} property: each bad value (wrong type, negative, out of range, huge, empty, unknown)
 * fails start-up, and both the exception chain and Spring Boot's failure report name the property's path and the
 * value as written. Values at the edges of the valid ranges start.
 */
class InvalidPropertiesAuditTests {

	private static final String HUGE = "99999999999";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class));

	/**
	 * The table: the properties to set ("a=1|b=2"), then the property path and the value the failure must name.
	 */
	static Stream<Arguments> badValues() {
		List<Arguments> rows = new ArrayList<>();
		// cmwq.enabled: @ConditionalOnBooleanProperty would treat all of these as false and start without workqueues
		for (String value : List.of("abc", "", "yes", "1", "flase")) {
			rows.add(bad("cmwq.enabled", value));
		}
		// cmwq.cpus: 0..8192 (8192 is the kernel's largest NR_CPUS; 2^31-1 CPUs used to exhaust the heap)
		for (String value : List.of("abc", "", "-1", "1.5", HUGE, "8193", "2147483647", "0x", "1e3")) {
			rows.add(bad("cmwq.cpus", value));
		}
		// durations: a wrong type, empty (used to bind the default silently), negative, too long for the engine's
		// nanosecond clock (used to fail with an unexplained ArithmeticException "long overflow")
		for (String property : List.of("cmwq.idle-timeout", "cmwq.cpu-intensive-threshold", "cmwq.watchdog-threshold",
				"cmwq.shutdown-timeout")) {
			for (String value : List.of("abc", "", "-1s", "-1", "10 parsecs", HUGE + "d", "106752d", "PT-1S")) {
				rows.add(bad(property, value));
			}
		}
		for (String value : List.of("0", "0s", "0ms")) {
			rows.add(bad("cmwq.idle-timeout", value));
		}
		for (String value : List.of("abc", "", "0", "-1", HUGE, "1.5")) {
			rows.add(bad("cmwq.max-workers-per-pool", value));
		}
		for (String value : List.of("abc", "", "2")) {
			rows.add(bad("cmwq.system-workqueues", value));
		}
		// cmwq.workqueues.<name>.flags
		for (String value : List.of("turbo", "cpu-intensive,turbo", ",", "cpu-intensive,,highpri", "unbound;highpri",
				"42")) {
			rows.add(bad("cmwq.workqueues.q.flags", value));
		}
		rows.add(bad("cmwq.workqueues.q.flags[0]", "turbo"));
		rows.add(bad("cmwq.workqueues.q.flags[1]", "", "cmwq.workqueues.q.flags[0]=unbound"));
		// cmwq.workqueues.<name>.max-active
		for (String value : List.of("abc", "", "-1", "513", HUGE, "2147483647", "-2147483648", "1.5")) {
			rows.add(bad("cmwq.workqueues.q.max-active", value));
		}
		rows.add(bad("cmwq.workqueues.q.max-active", "513", "cmwq.cpus=2", "cmwq.workqueues.q.flags=unbound"));
		rows.add(bad("cmwq.workqueues.q.max-active", "801", "cmwq.cpus=200", "cmwq.workqueues.q.flags=unbound"));
		rows.add(bad("cmwq.workqueues.q.max-active", "2147483647", "cmwq.cpus=8192",
				"cmwq.workqueues.q.flags=unbound"));
		// cmwq.workqueues.<name>.ordered
		for (String value : List.of("abc", "", "2")) {
			rows.add(bad("cmwq.workqueues.q.ordered", value));
		}
		rows.add(bad("cmwq.workqueues.q.max-active", "2", "cmwq.workqueues.q.ordered=true"));
		rows.add(bad("cmwq.workqueues.q.max-active", "-1", "cmwq.workqueues.q.ordered=true"));
		// cmwq.workqueues.<name>: the name itself
		String tooLong = "a".repeat(33);
		rows.add(arguments(List.of("cmwq.workqueues." + tooLong + ".max-active=1"), "cmwq.workqueues." + tooLong,
				tooLong));
		// (".." and "." are valid names: 1 to 32 characters of letters, digits, '_', '.' and '-')
		for (String name : List.of("bad/name", "bad name", "ünï", "名前", "a+b", "a%2fb")) {
			rows.add(arguments(List.of("cmwq.workqueues.[" + name + "].max-active=1"),
					"cmwq.workqueues.[" + name + "]", name));
		}
		String dashes = "-".repeat(33);
		rows.add(arguments(List.of("cmwq.workqueues.[" + dashes + "].ordered=true"), "cmwq.workqueues." + dashes,
				dashes));
		rows.add(arguments(List.of("cmwq.workqueues.events.max-active=4"), "cmwq.workqueues.events", "events"));
		// a workqueue given a value, not properties (used to fail as "the WorkqueueSystem bean has no such
		// workqueue", blaming the application); an empty value declares it with the defaults (see below)
		rows.add(bad("cmwq.workqueues.q", "abc"));
		rows.add(bad("cmwq.workqueues", "abc"));
		// a workqueue property that does not exist: used to be ignored (with another property set) or to fail as
		// above (alone)
		rows.add(bad("cmwq.workqueues.q.max-actve", "4"));
		rows.add(bad("cmwq.workqueues.q.maxactve", "4", "cmwq.workqueues.q.ordered=false"));
		rows.add(bad("cmwq.workqueues.q.flag", "unbound", "cmwq.workqueues.q.max-active=4"));
		return rows.stream();
	}

	private static Arguments bad(String property, String value, String... others) {
		List<String> properties = new ArrayList<>(List.of(others));
		properties.add(property + "=" + value);
		return arguments(properties, property, value);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("badValues")
	void badValueFailsStartUpNamingThePropertyAndTheValue(List<String> properties, String property, String value) {
		this.runner.withPropertyValues(properties.toArray(String[]::new)).run((context) -> {
			assertThat(context).as("start-up with %s", properties).hasFailed();
			Throwable failure = context.getStartupFailure();
			// what is logged where no failure analyzer runs: the exception messages name the property (Spring Boot's
			// bind exceptions name the value only where a single element failed to convert)
			assertThat(String.join("\n", StartupFailures.messages(failure))).contains(property);
			// what Spring Boot's start-up failure report shows
			FailureAnalysis analysis = StartupFailures.analyze(failure);
			assertThat(analysis).as("a failure analysis of %s", failure).isNotNull();
			assertThat(analysis.getDescription()).contains("Property: " + property)
				.contains("Value: \"" + value + "\"")
				.containsPattern("Reason: \\S");
			assertThat(analysis.getAction()).isNotBlank();
		});
	}

	static Stream<Arguments> edgesOfTheValidRanges() {
		return Stream.of(arguments(List.of("cmwq.enabled=TRUE"), "q", 256),
				arguments(List.of("cmwq.enabled= false "), null, 0),
				arguments(List.of("cmwq.cpus=0"), "q", 256),
				arguments(List.of("cmwq.cpus=8192", "cmwq.workqueues.q.flags=unbound", "cmwq.workqueues.q.max-active=32768"), "q", 32768),
				arguments(List.of("cmwq.idle-timeout=1ns", "cmwq.cpu-intensive-threshold=0",
						"cmwq.watchdog-threshold=0", "cmwq.shutdown-timeout=0"), "q", 256),
				arguments(List.of("cmwq.idle-timeout=106751d", "cmwq.cpu-intensive-threshold=106751d",
						"cmwq.watchdog-threshold=106751d", "cmwq.shutdown-timeout=106751d"), "q", 256),
				arguments(List.of("cmwq.max-workers-per-pool=1"), "q", 256),
				arguments(List.of("cmwq.max-workers-per-pool=2147483647"), "q", 256),
				arguments(List.of("cmwq.system-workqueues=false", "cmwq.workqueues.events.max-active=1"), "events", 1),
				// an empty list of flags is no flags (YAML "flags: []")
				arguments(List.of("cmwq.workqueues.q.flags="), "q", 256),
				arguments(List.of("cmwq.workqueues.q.flags=CPU_INTENSIVE,mem-reclaim"), "q", 256),
				arguments(List.of("cmwq.workqueues.q.max-active=512"), "q", 512),
				// "q: {}" or "q:" in YAML: declared with the defaults
				arguments(List.of("cmwq.workqueues.q="), "q", 256),
				arguments(List.of("cmwq.workqueues.q.maxActive=1"), "q", 1),
				arguments(List.of("cmwq.workqueues.q.max_active=3"), "q", 3),
				arguments(List.of("cmwq.cpus=0x10", "cmwq.workqueues.q.flags=unbound", "cmwq.workqueues.q.max-active=0x200"), "q", 512),
				arguments(List.of("cmwq.workqueues.[..].max-active=2"), "..", 2),
				arguments(List.of("cmwq.workqueues.q.ordered=true", "cmwq.workqueues.q.max-active=1"), "q", 1),
				arguments(List.of("cmwq.workqueues." + "a".repeat(32) + ".max-active=0"), "a".repeat(32), 256),
				arguments(List.of("cmwq.workqueues.[search.index].max-active=2"), "search.index", 2));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("edgesOfTheValidRanges")
	void valueAtTheEdgeOfTheValidRangeStarts(List<String> properties, String queue, int maxActive) {
		List<String> all = new ArrayList<>(properties);
		if ("q".equals(queue) && properties.stream().noneMatch((p) -> p.startsWith("cmwq.workqueues.q."))) {
			all.add("cmwq.workqueues.q.max-active=0");
		}
		this.runner.withPropertyValues(all.toArray(String[]::new)).run((context) -> {
			assertThat(context).hasNotFailed();
			if (queue == null) {
				assertThat(context).doesNotHaveBean(WorkqueueSystem.class);
				return;
			}
			assertThat(context).hasBean(queue);
			assertThat(context.getBean(queue)).isInstanceOf(Workqueue.class);
			WorkqueueSnapshot snapshot = context.getBean(WorkqueueSystem.class).snapshot().workqueue(queue).orElseThrow();
			assertThat(snapshot.maxActive()).isEqualTo(maxActive);
		});
	}

}
