package dev.cmwq.test;

import java.util.List;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.CallerRunsWorkqueue;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.spring.SpringWorkqueue;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * Imported by {@link AutoConfigureWorkqueues}, after the cmwq auto-configurations it also imports (so that test
 * slices, such as {@code @WebMvcTest}, get them too): checks that the test has a {@link WorkqueueSystem}, and makes
 * the {@link Workqueue} beans named in {@code cmwq.test.inline} run their items on the queuing thread. Such a bean
 * is the real one over a {@link CallerRunsWorkqueue} view of its engine queue: the same decorators, pending bit,
 * statistics, listeners and failure handling; only the scheduling differs.
 */
@AutoConfiguration(after = CmwqAutoConfiguration.class)
public final class InlineWorkqueuesTestAutoConfiguration {

	private static final String INLINE = "cmwq.test.inline";

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static InlineWorkqueues inlineWorkqueues(Environment environment) {
		return new InlineWorkqueues(
				Binder.get(environment).bind(INLINE, Bindable.listOf(String.class)).orElse(List.of()));
	}

	@Bean
	static SmartInitializingSingleton workqueuesTestCheck(ObjectProvider<WorkqueueSystem> system,
			InlineWorkqueues inline) {
		return () -> inline.check(system.getIfAvailable());
	}

	/** Replaces the inline workqueues' beans. */
	static final class InlineWorkqueues implements BeanPostProcessor {

		private final List<String> names;

		InlineWorkqueues(List<String> names) {
			this.names = names;
		}

		@Override
		public Object postProcessAfterInitialization(Object bean, String beanName) {
			if (!(bean instanceof Workqueue workqueue) || !this.names.contains(workqueue.name())) {
				return bean;
			}
			try {
				return (bean instanceof SpringWorkqueue decorating)
						? decorating.withDelegate(CallerRunsWorkqueue::of) : CallerRunsWorkqueue.of(workqueue);
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalStateException(INLINE + " names workqueue '" + workqueue.name() + "', whose bean '"
						+ beanName + "' is not the starter's and cannot run its items inline", ex);
			}
		}

		/** Fails the test's context, loudly, where the test would otherwise run queued work differently. */
		void check(WorkqueueSystem system) {
			if (system == null) {
				throw new IllegalStateException("@AutoConfigureWorkqueues found no WorkqueueSystem bean: @QueueWork "
						+ "methods would run on the test's thread and @Async ones elsewhere. Is cmwq.enabled=false, or "
						+ "is the cmwq auto-configuration excluded?");
			}
			List<String> existing = system.workqueues().stream().map(Workqueue::name).toList();
			List<String> missing = this.names.stream().filter((name) -> !existing.contains(name)).toList();
			if (!missing.isEmpty()) {
				throw new IllegalStateException("@AutoConfigureWorkqueues(inline) names " + missing
						+ ", which do not exist; the workqueues are " + existing);
			}
		}

	}

}
