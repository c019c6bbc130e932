package dev.cmwq.autoconfigure;

import dev.cmwq.core.WorkqueueSystem;

/**
 * Adjusts the {@link WorkqueueSystem} the auto-configuration builds, like Spring Boot's
 * {@code ThreadPoolTaskExecutorCustomizer}: every such bean is called, in {@code @Order}, with the builder once the
 * {@code cmwq.*} properties are applied, so it reaches every setting, including those without a property (thread
 * factory, mayday and detector intervals). The workqueue beans follow the properties: a customizer that turns the
 * system workqueues off must set {@code cmwq.system-workqueues=false} instead.
 */
@FunctionalInterface
public interface WorkqueueSystemCustomizer {

	/**
	 * Customizes the builder.
	 * @param builder the builder, with the properties applied
	 */
	void customize(WorkqueueSystem.Builder builder);

}
