package dev.cmwq.spring.aop;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.annotation.WorkErrorHandler;

import org.springframework.aop.framework.AopInfrastructureBean;
import org.springframework.aop.framework.autoproxy.AbstractBeanFactoryAwareAdvisingPostProcessor;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.core.task.TaskDecorator;
import org.springframework.util.function.SingletonSupplier;

/**
 * Proxies beans with {@link QueueWork @QueueWork} methods, on the model of Spring's
 * {@code AsyncAnnotationBeanPostProcessor}: calls of those methods are queued as work items. Each bean's
 * {@code @QueueWork} methods are checked as it is proxied, and their workqueues once all singletons exist, so that
 * a bad return type, delay, CPU or workqueue name fails start-up with a message naming the method.
 */
public class QueueWorkBeanPostProcessor extends AbstractBeanFactoryAwareAdvisingPostProcessor
		implements SmartInitializingSingleton {

	private final Function<String, TaskDecorator> taskDecorator;

	/** The decorator of each workqueue, resolved at its first call. */
	private final Map<String, Optional<TaskDecorator>> taskDecorators = new ConcurrentHashMap<>();

	private final Supplier<WorkErrorHandler> errorHandler;

	private QueueWorkMethods methods;

	/**
	 * Creates the post-processor.
	 * @param taskDecorator the decorator that wraps every invocation queued on the given workqueue (resolved at
	 * the workqueue's first call; may give null)
	 * @param errorHandler the handler of {@code void} methods' failures (resolved at the first call)
	 */
	public QueueWorkBeanPostProcessor(Function<String, TaskDecorator> taskDecorator,
			Supplier<WorkErrorHandler> errorHandler) {
		this.taskDecorator = taskDecorator;
		this.errorHandler = SingletonSupplier.of(errorHandler);
		setBeforeExistingAdvisors(true);
		setProxyTargetClass(true);
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		super.setBeanFactory(beanFactory);
		this.methods = new QueueWorkMethods(beanFactory, this.errorHandler);
		this.advisor = new QueueWorkAdvisor(new QueueWorkInterceptor(this.methods, beanFactory,
				(workqueue) -> this.taskDecorators
					.computeIfAbsent(workqueue, (name) -> Optional.ofNullable(this.taskDecorator.apply(name)))
					.orElse(null)));
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (this.methods != null && !(bean instanceof AopInfrastructureBean)) {
			this.methods.inspect(AopUtils.getTargetClass(bean));
		}
		return super.postProcessAfterInitialization(bean, beanName);
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.methods.resolveAll();
	}

}
