package dev.cmwq.autoconfigure.async;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * The {@code spring.task.execution.*} settings of an application whose task executor is a workqueue: they configure
 * Spring Boot's executor, which then does not exist. Two still apply: {@code propagate-context} (its decorator wraps
 * the workqueue's items like any {@code TaskDecorator} bean) and {@code mode} ({@code force} is refused at start-up).
 * The others do not, because a workqueue shares worker pools with the other workqueues: each is named, with what
 * governs the workqueue instead, in one start-up warning.
 */
final class TaskExecutionSettings {

	private static final ConfigurationPropertyName PREFIX = ConfigurationPropertyName.of("spring.task.execution");

	private static final Set<ConfigurationPropertyName> APPLYING = Set.of(
			ConfigurationPropertyName.of("spring.task.execution.propagate-context"),
			ConfigurationPropertyName.of("spring.task.execution.mode"));

	/** What governs the workqueue instead, by setting. */
	private static final Map<ConfigurationPropertyName, String> INSTEAD = instead();

	private TaskExecutionSettings() {
	}

	private static Map<ConfigurationPropertyName, String> instead() {
		String inFlight = "items in flight follow the workqueue's max-active and concurrency management";
		String idle = "idle workers exit after cmwq.idle-timeout";
		String shutdown = "the workqueues drain at shutdown for cmwq.shutdown-timeout";
		Map<String, String> instead = Map.ofEntries(Map.entry("pool.core-size", inFlight),
				Map.entry("pool.max-size", inFlight), Map.entry("simple.concurrency-limit", inFlight),
				Map.entry("pool.queue-capacity", "pending items follow the workqueue's queue-capacity"),
				Map.entry("simple.reject-tasks-when-limit-reached", "a full workqueue follows its overflow policy"),
				Map.entry("pool.keep-alive", idle), Map.entry("pool.allow-core-thread-timeout", idle),
				Map.entry("shutdown.await-termination", shutdown),
				Map.entry("shutdown.await-termination-period", shutdown),
				Map.entry("simple.cancel-remaining-tasks-on-close", shutdown),
				Map.entry("pool.shutdown.accept-tasks-after-context-close", shutdown),
				Map.entry("thread-name-prefix",
						"worker threads serve every workqueue; a WorkqueueSystemCustomizer's threadFactory names them"));
		Map<ConfigurationPropertyName, String> byName = new LinkedHashMap<>();
		instead.forEach((key, text) -> byName.put(ConfigurationPropertyName.of(PREFIX + "." + key), text));
		return byName;
	}

	/**
	 * The warning about the settings that do not apply.
	 * @param environment the application's environment
	 * @param workqueue the workqueue that is the task executor
	 * @return the warning, or null when the application sets none of them
	 */
	static String warning(Environment environment, String workqueue) {
		Map<String, List<String>> ignored = new LinkedHashMap<>(); // what governs instead -> settings
		for (ConfigurationPropertyName name : set(environment)) {
			if (!APPLYING.contains(name)) {
				String instead = INSTEAD.getOrDefault(name, "they configure Spring Boot's executor only");
				ignored.computeIfAbsent(instead, (key) -> new ArrayList<>()).add(name.toString());
			}
		}
		if (ignored.isEmpty()) {
			return null;
		}
		return "The application's task executor is workqueue '" + workqueue
				+ "' (cmwq.async.default-workqueue), which does not use these spring.task.execution settings: "
				+ ignored.entrySet()
					.stream()
					.map((entry) -> String.join(", ", entry.getValue()) + " (" + entry.getKey() + ")")
					.collect(Collectors.joining("; "));
	}

	/** The settings under {@code spring.task.execution} that the environment has, in order. */
	private static Set<ConfigurationPropertyName> set(Environment environment) {
		Set<ConfigurationPropertyName> names = new TreeSet<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.filter(PREFIX::isAncestorOf).stream().forEach(names::add);
			}
		}
		return names;
	}

}
