package dev.cmwq.autoconfigure;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
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

	/** Finds a value as it was written, to show it in messages; null without an environment. */
	private final Binder binder;

	CmwqPropertiesValidator(Environment environment) {
		this.binder = (environment != null) ? Binder.get(environment) : null;
	}

	/**
	 * Validates every property.
	 * @param properties the bound properties
	 * @throws InvalidCmwqPropertyException for the first bad value
	 */
	void validate(CmwqProperties properties) {
		if (properties.getCpus() < 0) {
			throw invalid("cpus", properties.getCpus(), "use 0 for the number of available processors, or more");
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
	}

	private void notNegative(String property, Duration value, String zero) {
		if (value == null || value.isNegative()) {
			throw invalid(property, value, "use a duration of zero or more (" + zero + ")");
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
