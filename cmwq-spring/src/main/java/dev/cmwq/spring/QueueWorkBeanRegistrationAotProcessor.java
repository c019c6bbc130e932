package dev.cmwq.spring;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import dev.cmwq.annotation.QueueWork;

import org.springframework.aot.hint.ExecutableMode;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.ReflectionHints;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Registers what a native image needs to run a bean's {@link QueueWork @QueueWork} methods: the methods themselves,
 * which the interceptor invokes reflectively on the worker (their parameter names serve key expressions), and, for
 * methods with a {@code key}, the public methods and fields of their parameter types, which the SpEL expression may
 * read ({@code #order.id}).
 */
class QueueWorkBeanRegistrationAotProcessor implements BeanRegistrationAotProcessor {

	@Override
	public BeanRegistrationAotContribution processAheadOfTime(RegisteredBean registeredBean) {
		Class<?> beanClass = ClassUtils.getUserClass(registeredBean.getBeanClass());
		List<Method> methods = queueWorkMethods(beanClass);
		if (methods.isEmpty()) {
			return null;
		}
		return (generationContext, code) -> {
			ReflectionHints reflection = generationContext.getRuntimeHints().reflection();
			for (Method method : methods) {
				reflection.registerMethod(method, ExecutableMode.INVOKE);
				if (!queueWork(method, beanClass).key().isEmpty()) {
					for (Class<?> type : method.getParameterTypes()) {
						if (!type.isPrimitive() && !type.getName().startsWith("java.")) {
							reflection.registerType(type, MemberCategory.INVOKE_PUBLIC_METHODS,
									MemberCategory.ACCESS_PUBLIC_FIELDS);
						}
					}
				}
			}
		};
	}

	/** The methods a {@code @QueueWork} applies to: annotated ones, and public ones of an annotated class. */
	private static List<Method> queueWorkMethods(Class<?> beanClass) {
		List<Method> methods = new ArrayList<>();
		for (Method method : ReflectionUtils.getUniqueDeclaredMethods(beanClass, ReflectionUtils.USER_DECLARED_METHODS)) {
			if (queueWork(method, beanClass) != null) {
				methods.add(method);
			}
		}
		return methods;
	}

	private static QueueWork queueWork(Method method, Class<?> beanClass) {
		QueueWork annotation = AnnotatedElementUtils.findMergedAnnotation(method, QueueWork.class);
		if (annotation != null || !Modifier.isPublic(method.getModifiers())
				|| Modifier.isStatic(method.getModifiers())) {
			return annotation;
		}
		return AnnotatedElementUtils.findMergedAnnotation(beanClass, QueueWork.class);
	}

}
