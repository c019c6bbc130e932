package dev.cmwq.spring.durable;

import java.util.Set;

import dev.cmwq.core.Workqueue;

import org.springframework.beans.factory.config.BeanPostProcessor;

/**
 * Makes the bean of each durable workqueue a {@link DurableWorkqueue}, which refuses plain items: whoever injects
 * it (or names it in {@code @Async}) learns at the first item that a {@code Runnable} cannot be stored.
 */
public class DurableWorkqueueBeanPostProcessor implements BeanPostProcessor {

	private final Set<String> durableWorkqueues;

	/**
	 * Creates the post-processor.
	 * @param durableWorkqueues the names of the durable workqueues
	 */
	public DurableWorkqueueBeanPostProcessor(Set<String> durableWorkqueues) {
		this.durableWorkqueues = Set.copyOf(durableWorkqueues);
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof Workqueue workqueue && !(bean instanceof DurableWorkqueue)
				&& this.durableWorkqueues.contains(workqueue.name())) {
			return new DurableWorkqueue(workqueue);
		}
		return bean;
	}

}
