package dev.cmwq.spring.aop;

import java.lang.reflect.Method;

import dev.cmwq.annotation.QueueWork;
import org.aopalliance.aop.Advice;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.annotation.AnnotationUtils;

/**
 * Advises the methods that {@code @QueueWork} applies to, on the method or on its class, with the
 * {@link QueueWorkInterceptor}.
 */
final class QueueWorkAdvisor extends AbstractPointcutAdvisor {

	private final transient QueueWorkInterceptor interceptor;

	private final transient Pointcut pointcut = new StaticMethodMatcherPointcut() {

		{
			setClassFilter((type) -> AnnotationUtils.isCandidateClass(type, QueueWork.class));
		}

		@Override
		public boolean matches(Method method, Class<?> targetClass) {
			return QueueWorkAnnotations.find(method, targetClass) != null;
		}

	};

	QueueWorkAdvisor(QueueWorkInterceptor interceptor) {
		this.interceptor = interceptor;
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.interceptor;
	}

}
