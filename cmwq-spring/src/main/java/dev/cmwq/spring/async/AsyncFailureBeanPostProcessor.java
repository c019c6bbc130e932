package dev.cmwq.spring.async;

import org.springframework.aop.Advisor;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.scheduling.annotation.AsyncAnnotationAdvisor;

/**
 * Adds an {@link AsyncFailureInterceptor} to every bean that Spring's {@code AsyncAnnotationBeanPostProcessor} has
 * advised, right after its {@code @Async} advisor and with the same pointcut, so that it runs on the executing
 * thread, around the method and inside any other advice (transactions, say). Not ordered, so that it comes after
 * Spring's post-processor.
 */
public final class AsyncFailureBeanPostProcessor implements BeanPostProcessor {

	private final AsyncFailureInterceptor interceptor = new AsyncFailureInterceptor();

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof Advised advised && !advised.isFrozen()) {
			Advisor[] advisors = advised.getAdvisors();
			for (int i = 0; i < advisors.length; i++) {
				if (advisors[i] instanceof AsyncAnnotationAdvisor async) {
					advised.addAdvisor(i + 1, new DefaultPointcutAdvisor(async.getPointcut(), this.interceptor));
					break;
				}
			}
		}
		return bean;
	}

}
