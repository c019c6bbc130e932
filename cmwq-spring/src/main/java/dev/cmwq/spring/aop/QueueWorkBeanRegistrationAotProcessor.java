package dev.cmwq.spring.aop;

import java.lang.reflect.Method;
import java.util.Map;

import dev.cmwq.annotation.QueueWork;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.util.ClassUtils;

/**
 * Registers what a native image needs to run a bean's {@link QueueWork @QueueWork} methods: the methods themselves,
 * which the interceptor invokes reflectively on the worker (their parameter names serve key expressions), and, for
 * methods with a {@code key}, the public methods and fields of their parameter types, which the SpEL expression may
 * read ({@code #order.id}). The methods are those the advice covers, found by {@link QueueWorkAnnotations}.
 */
class QueueWorkBeanRegistrationAotProcessor implements BeanRegistrationAotProcessor {

	@Override
	public BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Map<Method, QueueWork> methods = QueueWorkAnnotations
			.methods(ClassUtils.getUserClass(registeredBean.getBeanClass()));
		if (methods.isEmpty()) {
			return null;
		}
		return (generationContext, code) -> {
			ReflectionHints reflection = generationContext.getRuntimeHints().reflection();
			methods.forEach((method, annotation) -> {
				reflection.registerMethod(method, ExecutableMode.INVOKE);
				if (!annotation.key().isEmpty()) {
					for (Class<?> type : method.getParameterTypes()) {
						if (!type.isPrimitive() && !type.getName().startsWith("java.")) {
							reflection.registerType(type, MemberCategory.INVOKE_PUBLIC_METHODS,
									MemberCategory.ACCESS_PUBLIC_FIELDS);
						}
					}
				}
			});
		};
	}

}
