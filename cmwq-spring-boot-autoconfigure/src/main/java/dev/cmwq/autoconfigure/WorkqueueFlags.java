package dev.cmwq.autoconfigure;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.cmwq.core.WorkqueueFlag;

import org.springframework.core.convert.converter.Converter;

/**
 * How configuration writes workqueue flags: lower case with dashes ({@code cpu-intensive}); public, so that JSON
 * can spell them the same way. Binding {@code cmwq.workqueues.<name>.flags} also accepts the constants' names
 * ({@code CPU_INTENSIVE}), in any case.
 */
public final class WorkqueueFlags {

	/** The valid flags as written, for messages: "unbound, highpri, cpu-intensive, freezable, mem-reclaim". */
	static final String VALID = Arrays.stream(WorkqueueFlag.values())
		.map(WorkqueueFlags::name)
		.collect(Collectors.joining(", "));

	private WorkqueueFlags() {
	}

	/**
	 * A flag as written in configuration and JSON.
	 * @param flag the flag
	 * @return its name, such as {@code cpu-intensive}
	 */
	public static String name(WorkqueueFlag flag) {
		return flag.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * Parses a flag written as in configuration or as the constant's name, in any case.
	 * @param text the text
	 * @return the flag
	 * @throws IllegalArgumentException naming the text and the valid flags when it is not one
	 */
	static WorkqueueFlag parse(String text) {
		String written = text.trim();
		for (WorkqueueFlag flag : WorkqueueFlag.values()) {
			if (name(flag).equalsIgnoreCase(written) || flag.name().equalsIgnoreCase(written)) {
				return flag;
			}
		}
		throw new IllegalArgumentException("unknown workqueue flag '" + text + "'; valid flags are " + VALID);
	}

	/** Binds flags with {@link #parse(String)}; an empty element stays null, for the validator to report. */
	static final class BindingConverter implements Converter<String, WorkqueueFlag> {

		@Override
		public WorkqueueFlag convert(String source) {
			return source.isBlank() ? null : parse(source);
		}

	}

}
