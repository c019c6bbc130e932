package dev.cmwq.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import javax.lang.model.element.Modifier;

import dev.cmwq.autoconfigure.async.CmwqAsyncAutoConfiguration;

import org.springframework.aot.generate.GeneratedMethod;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotContribution;
import org.springframework.beans.factory.aot.BeanFactoryInitializationAotProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.javapoet.CodeBlock;

/**
 * The {@code cmwq.*} switches that decide, through conditions, which beans exist. Ahead-of-time processing (native
 * images, JVM AOT caches) evaluates conditions once, at build time, so these switches are fixed then, as
 * {@code cmwq.enabled} and the set of workqueues are; what they configure once on (the default workqueue's name,
 * queue settings, timeouts) is still read at start-up. Processing records each switch as the build sees it, and the
 * generated code checks at start-up that the run-time value says the same: a contradiction fails start-up naming the
 * property, rather than being silently ignored.
 */
public final class BuildTimeSwitches {

	/** Each switch: its property and when it is on, as its condition reads it. */
	private static final Map<String, Predicate<String>> SWITCHES = switches();

	private static final String ENABLED = "cmwq.enabled";

	private BuildTimeSwitches() {
	}

	private static Map<String, Predicate<String>> switches() {
		Map<String, Predicate<String>> switches = new LinkedHashMap<>();
		switches.put(ENABLED, BuildTimeSwitches::enabled); // first: with it off, the others switch nothing
		// @ConditionalOnProperty: set to anything but false
		switches.put(CmwqAsyncAutoConfiguration.DEFAULT_WORKQUEUE,
				(value) -> value != null && !"false".equalsIgnoreCase(value));
		// @ConditionalOnBooleanProperty: true, or unset where that matches
		switches.put("cmwq.blocking-hints.enabled", (value) -> value == null || "true".equalsIgnoreCase(value));
		switches.put("cmwq.dashboard.enabled", "true"::equalsIgnoreCase);
		switches.put("cmwq.observations.enabled", (value) -> value == null || "true".equalsIgnoreCase(value));
		return switches;
	}

	/** As {@link OnCmwqEnabledCondition} reads it. */
	private static boolean enabled(String value) {
		if (value == null || "true".equalsIgnoreCase(value.trim())) {
			return true;
		}
		if ("false".equalsIgnoreCase(value.trim())) {
			return false;
		}
		throw new InvalidCmwqPropertyException(ENABLED, value,
				"use true (the default) or false to turn the workqueues off");
	}

	/**
	 * Each switch as the environment sets it.
	 * @param environment the environment
	 * @return per property, whether it is on
	 */
	static Map<String, Boolean> read(Environment environment) {
		Map<String, Boolean> values = new LinkedHashMap<>();
		SWITCHES.forEach((property, on) -> values.put(property, on.test(environment.getProperty(property))));
		return values;
	}

	/**
	 * Fails when the environment turns a switch another way than the build did. Called by the code ahead-of-time
	 * processing generates, as the application context is initialized.
	 * @param environment the run-time environment
	 * @param buildTime per property, whether it was on at build time
	 * @throws InvalidCmwqPropertyException naming the first property that contradicts the build
	 */
	public static void check(Environment environment, Map<String, Boolean> buildTime) {
		Map<String, Boolean> now = read(environment);
		List<String> contradicting = new ArrayList<>();
		for (String property : SWITCHES.keySet()) {
			if (!now.get(property).equals(buildTime.get(property))) {
				contradicting.add(property);
			}
			if (property.equals(ENABLED) && (!contradicting.isEmpty() || !now.get(ENABLED))) {
				break; // the first switch: turned another way, or off at both times, it decides alone
			}
		}
		if (contradicting.isEmpty()) {
			return;
		}
		String property = contradicting.get(0);
		String reason = "the application was processed ahead of time (AOT) with it " + state(property, buildTime)
				+ ", which this value would change; conditions are evaluated at build time, so process the "
				+ "application again with this value, or drop it";
		if (contradicting.size() > 1) {
			reason += " (so do " + String.join(", ", contradicting.subList(1, contradicting.size())) + ")";
		}
		String value = environment.getProperty(property);
		throw new InvalidCmwqPropertyException(property, (value != null) ? value : "(not set)", reason);
	}

	private static String state(String property, Map<String, Boolean> values) {
		if (property.equals(CmwqAsyncAutoConfiguration.DEFAULT_WORKQUEUE)) {
			return values.get(property) ? "set" : "unset";
		}
		return values.get(property) ? "true" : "false";
	}

	/**
	 * Records the switches at build time, and has the generated code check them at start-up.
	 */
	static class AotProcessor implements BeanFactoryInitializationAotProcessor {

		@Override
		public BeanFactoryInitializationAotContribution processAheadOfTime(ConfigurableListableBeanFactory beanFactory) {
			Map<String, Boolean> buildTime = read(
					beanFactory.getBean(ConfigurableApplicationContext.ENVIRONMENT_BEAN_NAME, Environment.class));
			return (generationContext, code) -> {
				CodeBlock.Builder values = CodeBlock.builder();
				buildTime.forEach((property, on) -> values.add((values.isEmpty() ? "" : ", ") + "$S, $L", property, on));
				GeneratedMethod method = code.getMethods()
					.add("checkCmwqBuildTimeSwitches", (builder) -> builder
						.addJavadoc("Fails start-up when a cmwq switch fixed at build time has another value now.")
						.addModifiers(Modifier.PRIVATE)
						.addParameter(Environment.class, "environment")
						.addStatement("$T.check(environment, $T.of($L))", BuildTimeSwitches.class, Map.class,
								values.build()));
				code.addInitializer(method.toMethodReference());
			};
		}

	}

}
