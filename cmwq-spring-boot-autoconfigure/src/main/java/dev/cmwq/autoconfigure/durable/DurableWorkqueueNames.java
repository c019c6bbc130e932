package dev.cmwq.autoconfigure.durable;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The workqueues declared durable ({@code cmwq.workqueues.<name>.durable: true}), read from the environment so that
 * conditions and post-processors can see them before the properties are bound.
 */
final class DurableWorkqueueNames {

	private DurableWorkqueueNames() {
	}

	/**
	 * The durable workqueues, in declaration order.
	 * @param environment the environment
	 * @return their names; empty if none (or if cmwq is disabled)
	 */
	static Set<String> of(Environment environment) {
		Binder binder = Binder.get(environment);
		Set<String> durable = new LinkedHashSet<>();
		if (!binder.bind("cmwq.enabled", Boolean.class).orElse(true)) {
			return durable;
		}
		Set<String> names = binder.bind("cmwq.workqueues", Bindable.mapOf(String.class, Object.class))
			.orElse(Map.of())
			.keySet();
		for (String name : names) {
			try {
				if (binder.bind("cmwq.workqueues[" + name + "].durable", Boolean.class).orElse(false)) {
					durable.add(name);
				}
			}
			catch (RuntimeException ex) {
				// an invalid name or value: the properties' validation reports it with its path
			}
		}
		return durable;
	}

	/**
	 * A workqueue's {@code durable} property.
	 * @param name the workqueue's name
	 * @return its path, such as {@code cmwq.workqueues.invoices.durable}
	 */
	static String property(String name) {
		return "cmwq.workqueues." + (name.matches("[A-Za-z0-9_-]+") ? name : "[" + name + "]") + ".durable";
	}

}
