package dev.cmwq.spring.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.cmwq.annotation.QueueWork;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.Aware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.Lifecycle;
import org.springframework.context.Phased;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The one rule of which methods {@link QueueWork} covers, used by the advice (per call), by the start-up checks and by
 * the ahead-of-time hints (per class): a method's own annotation, else its class's for a public method. A class-level
 * annotation leaves out what is not the class's work: methods of {@code Object}, methods of the container callback
 * interfaces (aware setters, init and destroy callbacks, lifecycle, ordering), and methods the class inherits from
 * the JDK or Spring without implementing them ({@code Consumer.andThen}, {@code ApplicationListener}'s defaults). A
 * bridge method (a generic interface's method called on its implementation) is the method it bridges to.
 */
final class QueueWorkAnnotations {

	private static final List<Class<?>> CALLBACKS = List.of(Aware.class, InitializingBean.class,
			DisposableBean.class, AutoCloseable.class, SmartInitializingSingleton.class, Lifecycle.class,
			Phased.class, Ordered.class, FactoryBean.class);

	private QueueWorkAnnotations() {
	}

	/**
	 * The annotation that applies to {@code method} when called on an instance of {@code targetClass}.
	 * @param method the method, possibly declared by an interface or superclass
	 * @param targetClass the target's class, or null
	 * @return the annotation, or null if the method is not queued
	 */
	static QueueWork find(Method method, Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass); // bridges resolved
		QueueWork annotation = AnnotatedElementUtils.findMergedAnnotation(specific, QueueWork.class);
		if (annotation == null && specific != method) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(method, QueueWork.class);
		}
		if (annotation != null) {
			return annotation;
		}
		if (!Modifier.isPublic(specific.getModifiers()) || Modifier.isStatic(specific.getModifiers())
				|| isPlatformType(specific.getDeclaringClass())
				|| isCallback(specific, (targetClass != null) ? targetClass : specific.getDeclaringClass())) {
			return null;
		}
		annotation = AnnotatedElementUtils.findMergedAnnotation(specific.getDeclaringClass(), QueueWork.class);
		if (annotation == null && targetClass != null) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, QueueWork.class);
		}
		return annotation;
	}

	/**
	 * The methods a {@code @QueueWork} covers on an instance of {@code targetClass}, as the methods the advice invokes
	 * (the class's own or inherited implementations, bridges resolved), each with the annotation that applies.
	 * @param targetClass the target's class
	 * @return the methods in declaration order, empty if none
	 */
	static Map<Method, QueueWork> methods(Class<?> targetClass) {
		Map<Method, QueueWork> methods = new LinkedHashMap<>();
		if (AnnotationUtils.isCandidateClass(targetClass, QueueWork.class)) {
			for (Method method : ReflectionUtils.getUniqueDeclaredMethods(targetClass,
					ReflectionUtils.USER_DECLARED_METHODS)) {
				QueueWork annotation = find(method, targetClass);
				if (annotation != null) {
					methods.put(method, annotation);
				}
			}
		}
		return methods;
	}

	private static boolean isCallback(Method method, Class<?> targetClass) {
		if (ReflectionUtils.isObjectMethod(method)) {
			return true;
		}
		for (Class<?> type : ClassUtils.getAllInterfacesForClassAsSet(targetClass)) {
			if (isCallbackType(type) && ClassUtils.hasMethod(type, method.getName(), method.getParameterTypes())) {
				return true;
			}
		}
		return false;
	}

	/** One of the callbacks, or a framework or JDK interface extending one (BeanFactoryAware, Closeable). */
	private static boolean isCallbackType(Class<?> type) {
		if (CALLBACKS.contains(type)) {
			return true;
		}
		if (!isPlatformType(type)) {
			return false;
		}
		for (Class<?> callback : CALLBACKS) {
			if (callback.isAssignableFrom(type)) {
				return true;
			}
		}
		return false;
	}

	private static boolean isPlatformType(Class<?> type) {
		return type.getName().startsWith("java.") || type.getName().startsWith("org.springframework.");
	}

}
