package dev.cmwq.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import dev.cmwq.core.Overflow;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueLimits;
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

	/** A map key that needs no brackets in a property path (as written; Spring Boot keeps a map key's case). */
	private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z0-9_-]+");

	/** The scalar properties under {@code cmwq.} (cmwq.enabled is checked by {@link OnCmwqEnabledCondition}). */
	private static final List<String> SCALARS = List.of("cpus", "idle-timeout", "cpu-intensive-threshold",
			"watchdog-threshold", "detector-interval", "max-workers-per-pool", "shutdown-timeout", "system-workqueues");

	/** The properties of one workqueue, in the uniform form of {@link ConfigurationPropertyName}. */
	private static final Set<String> WORKQUEUE_PROPERTIES = Set.of("flags", "maxactive", "ordered", "queuecapacity",
			"overflow", "overflowtimeout", "durable");

	private static final String WORKQUEUE_PROPERTY_NAMES = "flags, max-active, ordered, queue-capacity, overflow, "
			+ "overflow-timeout or durable";

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
	 * {@code max-actve}), which binding ignores; a workqueue given a value rather than properties (an empty value,
	 * as YAML writes {@code thumbnails: {}} or {@code thumbnails:}, declares it with the defaults). Runs before the
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
			if (value == null || value.toString().isEmpty()) {
				return; // "thumbnails: {}" or "thumbnails:" declares the workqueue with the defaults
			}
			throw new InvalidCmwqPropertyException(name.toString(), value, "a workqueue takes properties, not a "
					+ "value: set its " + WORKQUEUE_PROPERTY_NAMES + ", or declare it with the defaults as {}");
		}
		if (!WORKQUEUE_PROPERTIES.contains(name.getElement(queue + 1, Form.UNIFORM))) {
			throw new InvalidCmwqPropertyException(name.toString(), value, "unknown workqueue property '"
					+ name.getElement(queue + 1, Form.ORIGINAL) + "': use " + WORKQUEUE_PROPERTY_NAMES);
		}
	}

	/**
	 * Validates every property.
	 * @param properties the bound properties
	 * @throws InvalidCmwqPropertyException for the first bad value
	 */
	void validate(CmwqProperties properties) {
		if (!WorkqueueLimits.isValidCpus(properties.getCpus())) {
			throw invalid("cpus", properties.getCpus(), "use " + WorkqueueLimits.CPUS_RULE);
		}
		duration("idle-timeout", properties.getIdleTimeout(), null);
		duration("cpu-intensive-threshold", properties.getCpuIntensiveThreshold(), "0 disables the detection");
		duration("watchdog-threshold", properties.getWatchdogThreshold(), "0 disables the watchdog");
		duration("detector-interval", properties.getDetectorInterval(), null);
		duration("shutdown-timeout", properties.getShutdownTimeout(), "0 does not wait");
		if (!WorkqueueLimits.isValidMaxWorkersPerPool(properties.getMaxWorkersPerPool())) {
			throw invalid("max-workers-per-pool", properties.getMaxWorkersPerPool(),
					"use " + WorkqueueLimits.MAX_WORKERS_PER_POOL_RULE);
		}
		int cpus = WorkqueueLimits.resolveCpus(properties.getCpus());
		for (Map.Entry<String, CmwqProperties.Workqueue> entry : properties.getWorkqueues().entrySet()) {
			validate(entry.getKey(), entry.getValue(), cpus, properties.isSystemWorkqueues());
		}
	}

	private void validate(String name, CmwqProperties.Workqueue queue, int cpus, boolean systemWorkqueues) {
		String path = "workqueues." + key(name);
		if (!WorkqueueLimits.isValidName(name)) {
			throw invalid(path, name, "a workqueue name is " + WorkqueueLimits.NAME_RULE);
		}
		if (systemWorkqueues && WorkqueueSystem.SYSTEM_WORKQUEUES.contains(name)) {
			throw invalid(path, name, "duplicate workqueue name: a system workqueue has this name; choose another "
					+ "name, or set cmwq.system-workqueues=false");
		}
		for (WorkqueueFlag flag : queue.getFlags()) {
			if (flag == null) {
				throw invalid(path + ".flags", "", "an empty flag; valid flags are " + WorkqueueFlags.VALID);
			}
		}
		validateCapacity(path, queue);
		int maxActive = queue.getMaxActive();
		if (queue.isOrdered()) {
			if (maxActive != 0 && maxActive != 1) {
				throw invalid(path + ".max-active", maxActive,
						"an ordered workqueue runs one item at a time; leave max-active unset, or use 1");
			}
			return;
		}
		boolean unbound = queue.getFlags().contains(WorkqueueFlag.UNBOUND);
		if (!WorkqueueLimits.isValidMaxActive(maxActive, unbound, cpus)) {
			throw invalid(path + ".max-active", maxActive, WorkqueueLimits.maxActiveRule(unbound, cpus));
		}
	}

	private void validateCapacity(String path, CmwqProperties.Workqueue queue) {
		Integer capacity = queue.getQueueCapacity();
		if (capacity != null && !WorkqueueLimits.isValidCapacity(capacity)) {
			throw invalid(path + ".queue-capacity", capacity, WorkqueueLimits.CAPACITY_RULE);
		}
		Overflow overflow = queue.getOverflow();
		if (overflow == null) {
			throw invalid(path + ".overflow", "", "use reject, caller-runs or block");
		}
		if (!WorkqueueLimits.isValidOverflow(overflow, queue.isOrdered(),
				queue.getFlags().contains(WorkqueueFlag.FREEZABLE))) {
			throw invalid(path + ".overflow", overflow.propertyName(), WorkqueueLimits.CALLER_RUNS_RULE);
		}
		duration(path + ".overflow-timeout", queue.getOverflowTimeout(), "0 rejects at once");
	}

	/** The map key as written in a property path: in brackets if it has characters such as '.' or '/'. */
	static String key(String name) {
		return PLAIN_KEY.matcher(name).matches() ? name : "[" + name + "]";
	}

	/** The full path of a property under {@code cmwq.}. */
	static String path(String relative) {
		return PREFIX + relative;
	}

	/** A duration the engine can use; {@code zero} says what 0 means, null if 0 is not valid. */
	private void duration(String property, Duration value, String zero) {
		if (!WorkqueueLimits.isValidDuration(value, zero != null)) {
			throw invalid(property, value,
					WorkqueueLimits.durationRule(zero != null) + ((zero != null) ? " (" + zero + ")" : ""));
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
