package dev.cmwq.core;

import java.util.Locale;

/**
 * Attributes of a {@link Workqueue}, after the kernel's {@code WQ_*} flags.
 */
public enum WorkqueueFlag {

	/** Served by the unbound pools: no concurrency management, items start as soon as {@code maxActive} allows. */
	UNBOUND,

	/** Served by the highpri pools, whose items are not held back by the normal pools' running items. */
	HIGHPRI,

	/** Items never count as running, so they never hold back other items of their pool. */
	CPU_INTENSIVE,

	/** Takes part in {@link WorkqueueSystem#freeze()}: starts nothing new while frozen. */
	FREEZABLE,

	/** Owns a rescuer thread that runs its items when a pool cannot get a worker. */
	MEM_RECLAIM;

	/**
	 * The flag as written in configuration and JSON: lower case with dashes, e.g. {@code cpu-intensive}.
	 * @return the property-style name
	 */
	public String propertyName() {
		return name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * Parses a flag written as in configuration ({@code cpu-intensive}) or as the constant ({@code CPU_INTENSIVE}).
	 * @param text the flag's name
	 * @return the flag
	 * @throws IllegalArgumentException naming the text and the valid flags when it is not one
	 */
	public static WorkqueueFlag fromPropertyName(String text) {
		String normalized = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
		for (WorkqueueFlag flag : values()) {
			if (flag.name().equals(normalized)) {
				return flag;
			}
		}
		throw new IllegalArgumentException("Unknown workqueue flag '" + text
				+ "'; valid flags are unbound, highpri, cpu-intensive, freezable, mem-reclaim");
	}

}
