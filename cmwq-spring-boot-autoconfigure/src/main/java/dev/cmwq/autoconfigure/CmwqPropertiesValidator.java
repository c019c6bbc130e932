package dev.cmwq.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;

/**
 * Checks {@link CmwqProperties} before the workqueue system is built, so that a bad value fails start-up with an
 * {@link InvalidCmwqPropertyException} naming the property's path rather than with the engine's message, which only
 * knows the queue.
 */
final class CmwqPropertiesValidator {

	private static final String PREFIX = "cmwq.";

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");

	/** A map key that needs no brackets in a property path (as written; Spring Boot keeps a map key's case). */
	private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

	/**
	 * The most CPUs {@code cmwq.cpus} may simulate: the kernel's largest {@code NR_CPUS}. Each CPU costs two worker
	 * pools up front, so a huge value would exhaust the heap at start-up rather than fail with a message.
	 */
	static final int MAX_CPUS = WorkqueueSystem.MAX_CPUS;

	/** The longest duration the engine can use: it counts time in nanoseconds, in a {@code long}. */
	static final Duration MAX_DURATION = Duration.ofNanos(Long.MAX_VALUE);

	/** The scalar properties under {@code cmwq.} (cmwq.enabled is checked by {@link OnCmwqEnabledCondition}). */
	private static final List<String> SCALARS = List.of("cpus", "idle-timeout", "cpu-intensive-threshold",
			"watchdog-threshold", "max-workers-per-pool", "shutdown-timeout", "system-workqueues");

	/** The properties of one workqueue, in the uniform form of {@link ConfigurationPropertyName}. */
	private static final Set<String> WORKQUEUE_PROPERTIES = Set.of("flags", "maxactive", "ordered");

	private static final ConfigurationPropertyName WORKQUEUES = ConfigurationPropertyName.of("cmwq.workqueues");

	private final Environment environment;

	/** Finds a value as it was written, to show it in messages; null without an environment. */
	private final Binder binder;

	CmwqPropertiesValidator(Environment environment) {
		this.environment = environment;
		this.binder = (environment != null) ? Binder.get(environment) : null;
	}

	/**
	 * Validates what binding to {@link CmwqProperties} would not report, or not clearly: an empty value, which
	 * binds a duration to its default as if it were not set; a property of a workqueue that does not exist (such as
	 * {@code max-actve}), which binding ignores; a workqueue given a value rather than properties. Runs before the
	 * properties are bound.
	 * @throws InvalidCmwqPropertyException for the first bad value
	 */
	void validateWritten() {
		if (this.environment == null) {
			return;
		}
		for (String property : SCALARS) {
			String value = this.binder.bind(path(property), Bindable.of(String.class)).orElse(null);
			if (value != null && value.isBlank()) {
				throw invalid(property, value, "the value is empty; set one, or remove the property to use the "
						+ "default");
			}
		}
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.filter(WORKQUEUES::isAncestorOf).forEach((name) -> validateWritten(source, name));
			}
		}
	}

	private void validateWritten(ConfigurationPropertySource source, ConfigurationPropertyName name) {
		int queue = WORKQUEUES.getNumberOfElements();
		ConfigurationProperty property = source.getConfigurationProperty(name);
		Object value = (property != null) ? property.getValue() : "";
		if (name.getNumberOfElements() == queue + 1) {
			throw new InvalidCmwqPropertyException(name.toString(), value, "a workqueue takes properties, not a "
					+ "value: set its flags, max-active or ordered (max-active: 0 declares it with the defaults)");
		}
		if (!WORKQUEUE_PROPERTIES.contains(name.getElement(queue + 1, Form.UNIFORM))) {
			throw new InvalidCmwqPropertyException(name.toString(), value, "unknown workqueue property '"
					+ name.getElement(queue + 1, Form.ORIGINAL) + "': use flags, max-active or ordered");
		}
	}

	/**
	 * Validates every property.
	 * @param properties the bound properties
	 * @throws InvalidCmwqPropertyException for the first bad value
	 */
	void validate(CmwqProperties properties) {
		if (properties.getCpus() < 0 || properties.getCpus() > MAX_CPUS) {
			throw invalid("cpus", properties.getCpus(),
					"use 0 for the number of available processors, or 1.." + MAX_CPUS);
		}
		positive("idle-timeout", properties.getIdleTimeout());
		notNegative("cpu-intensive-threshold", properties.getCpuIntensiveThreshold(), "0 disables the detection");
		notNegative("watchdog-threshold", properties.getWatchdogThreshold(), "0 disables the watchdog");
		notNegative("shutdown-timeout", properties.getShutdownTimeout(), "0 does not wait");
		if (properties.getMaxWorkersPerPool() < 1) {
			throw invalid("max-workers-per-pool", properties.getMaxWorkersPerPool(), "use 1 or more");
		}
		int cpus = (properties.getCpus() != 0) ? properties.getCpus() : Runtime.getRuntime().availableProcessors();
		for (Map.Entry<String, CmwqProperties.Workqueue> entry : properties.getWorkqueues().entrySet()) {
			validate(entry.getKey(), entry.getValue(), cpus, properties.isSystemWorkqueues());
		}
	}

	private void validate(String name, CmwqProperties.Workqueue queue, int cpus, boolean systemWorkqueues) {
		String path = "workqueues." + key(name);
		if (!NAME.matcher(name).matches()) {
			throw invalid(path, name, "a workqueue name is 1 to 32 characters of letters, digits, '_', '.' and '-'");
		}
		if (systemWorkqueues && WorkqueueSystem.SYSTEM_WORKQUEUES.contains(name)) {
			throw invalid(path, name, "duplicate workqueue name: a system workqueue has this name; choose another "
					+ "name, or set cmwq.system-workqueues=false");
		}
		for (WorkqueueFlag flag : queue.getFlags()) {
			if (flag == null) {
				throw invalid(path + ".flags", "", "valid flags are unbound, highpri, cpu-intensive, freezable, "
						+ "mem-reclaim");
			}
		}
		int maxActive = queue.getMaxActive();
		if (queue.isOrdered()) {
			if (maxActive != 0 && maxActive != 1) {
				throw invalid(path + ".max-active", maxActive,
						"an ordered workqueue runs one item at a time; leave max-active unset, or use 1");
			}
			return;
		}
		boolean unbound = queue.getFlags().contains(WorkqueueFlag.UNBOUND);
		int limit = unbound ? Math.max(WorkqueueSystem.MAX_ACTIVE, 4 * cpus) : WorkqueueSystem.MAX_ACTIVE;
		if (maxActive < 0 || maxActive > limit) {
			throw invalid(path + ".max-active", maxActive, "use 0 for the default "
					+ WorkqueueSystem.DEFAULT_MAX_ACTIVE + ", or 1.." + limit + " for " + (unbound ? "an unbound" : "a bound")
					+ " workqueue");
		}
	}

	/** The map key as written in a property path: in brackets if it has characters such as '.' or '/'. */
	static String key(String name) {
		return PLAIN_KEY.matcher(name).matches() ? name : "[" + name + "]";
	}

	/** The full path of a property under {@code cmwq.}. */
	static String path(String relative) {
		return PREFIX + relative;
	}

	private void positive(String property, Duration value) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw invalid(property, value, "use a positive duration, such as 300s");
		}
		notTooLong(property, value);
	}

	private void notNegative(String property, Duration value, String zero) {
		if (value == null || value.isNegative()) {
			throw invalid(property, value, "use a duration of zero or more (" + zero + ")");
		}
		notTooLong(property, value);
	}

	private void notTooLong(String property, Duration value) {
		if (value.compareTo(MAX_DURATION) > 0) {
			throw invalid(property, value, "too long: use at most " + MAX_DURATION.toDays() + "d (about 292 years)");
		}
	}

	private InvalidCmwqPropertyException invalid(String relative, Object value, String reason) {
		String path = path(relative);
		return new InvalidCmwqPropertyException(path, written(path, value), reason);
	}

	/** The value as written in the configuration (such as {@code -1s} rather than {@code PT-1S}), if found. */
	private Object written(String path, Object bound) {
		if (this.binder == null || !ConfigurationPropertyName.isValid(path)) {
			return bound;
		}
		try {
			return this.binder.bind(path, Bindable.of(String.class)).map(Object.class::cast).orElse(bound);
		}
		catch (RuntimeException ex) {
			return bound;
		}
	}

}
