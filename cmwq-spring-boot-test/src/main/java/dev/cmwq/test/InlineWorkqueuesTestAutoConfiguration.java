package dev.cmwq.test;

import java.util.List;

import dev.cmwq.core.Workqueue;

import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * Imported by {@link AutoConfigureWorkqueues}: replaces the {@link Workqueue} beans named in
 * {@code cmwq.test.inline} by {@link InlineWorkqueue}s.
 */
@AutoConfiguration(afterName = "dev.cmwq.autoconfigure.CmwqAutoConfiguration")
public final class InlineWorkqueuesTestAutoConfiguration {

	@Bean
	@Role(BeanDefinition.ROLE_INFRASTRUCTURE)
	static BeanPostProcessor inlineWorkqueuesBeanPostProcessor(Environment environment) {
		List<String> inline = Binder.get(environment)
			.bind("cmwq.test.inline", Bindable.listOf(String.class))
			.orElse(List.of());
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof Workqueue workqueue && inline.contains(workqueue.name())) {
					return new InlineWorkqueue(workqueue);
				}
				return bean;
			}
		};
	}

}
