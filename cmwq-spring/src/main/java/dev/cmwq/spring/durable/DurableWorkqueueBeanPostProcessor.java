package dev.cmwq.spring.durable;

import java.lang.reflect.Method;
import java.util.Set;

import dev.cmwq.core.Workqueue;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.scheduling.annotation.Async;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Keeps plain items off durable workqueues: the bean of each durable workqueue becomes a {@link DurableWorkqueue},
 * which refuses them when they come, and a bean with an {@code @Async} method that names a durable workqueue fails
 * start-up, naming the method: a {@code Runnable} cannot be stored.
 */
public class DurableWorkqueueBeanPostProcessor implements BeanPostProcessor, BeanFactoryAware {

	private final Set<String> durableWorkqueues;

	private BeanFactory beanFactory;

	/**
	 * Creates the post-processor.
	 * @param durableWorkqueues the names of the durable workqueues
	 */
	public DurableWorkqueueBeanPostProcessor(Set<String> durableWorkqueues) {
		this.durableWorkqueues = Set.copyOf(durableWorkqueues);
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof Workqueue workqueue) {
			return (!(bean instanceof DurableWorkqueue) && this.durableWorkqueues.contains(workqueue.name()))
					? new DurableWorkqueue(workqueue) : bean;
		}
		checkAsyncMethods(AopUtils.getTargetClass(bean));
		return bean;
	}

	private void checkAsyncMethods(Class<?> type) {
		if (!AnnotationUtils.isCandidateClass(type, Async.class)) {
			return;
		}
		Async onClass = AnnotatedElementUtils.findMergedAnnotation(type, Async.class);
		ReflectionUtils.doWithMethods(type, (method) -> {
			Async async = AnnotatedElementUtils.findMergedAnnotation(method, Async.class);
			check(method, (async != null) ? async : onClass);
		}, ReflectionUtils.USER_DECLARED_METHODS);
	}

	private void check(Method method, Async async) {
		if (async == null) {
			return;
		}
		String executor = resolve(async.value());
		if (this.durableWorkqueues.contains(executor)) {
			throw new IllegalStateException("@Async(\"" + async.value() + "\") method "
					+ ClassUtils.getQualifiedMethodName(method) + " would run on workqueue '" + executor + "', which "
					+ "is durable: its items are stored to survive a crash and to run on any instance, and an @Async "
					+ "call is handed over as a Runnable, which cannot be stored; make it a void @QueueWork(\""
					+ executor + "\") method whose arguments JSON can carry, or use a workqueue that is not durable");
		}
	}

	private String resolve(String value) {
		if (this.beanFactory instanceof ConfigurableBeanFactory configurable) {
			String resolved = configurable.resolveEmbeddedValue(value);
			return (resolved != null) ? resolved : value;
		}
		return value;
	}

}
