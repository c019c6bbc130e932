package dev.cmwq.spring.aop;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;

import dev.cmwq.annotation.QueueWork;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.Aware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.FactoryBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.Lifecycle;
import org.springframework.context.Phased;
import org.springframework.core.BridgeMethodResolver;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the {@link QueueWork} that applies to a method: the method's own, else its class's for a public method. A
 * class-level annotation leaves out methods of {@code Object} and of the container callback interfaces (aware
 * setters, init and destroy callbacks, lifecycle, ordering), which are not the class's work.
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
		Method specific = BridgeMethodResolver.findBridgedMethod(AopUtils.getMostSpecificMethod(method, targetClass));
		QueueWork annotation = AnnotatedElementUtils.findMergedAnnotation(specific, QueueWork.class);
		if (annotation == null && specific != method) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(method, QueueWork.class);
		}
		if (annotation != null) {
			return annotation;
		}
		if (!Modifier.isPublic(specific.getModifiers()) || Modifier.isStatic(specific.getModifiers())
				|| isCallback(specific, (targetClass != null) ? targetClass : specific.getDeclaringClass())) {
			return null;
		}
		annotation = AnnotatedElementUtils.findMergedAnnotation(specific.getDeclaringClass(), QueueWork.class);
		if (annotation == null && targetClass != null) {
			annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, QueueWork.class);
		}
		return annotation;
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
		String name = type.getName();
		if (!name.startsWith("org.springframework.") && !name.startsWith("java.")) {
			return false;
		}
		for (Class<?> callback : CALLBACKS) {
			if (callback.isAssignableFrom(type)) {
				return true;
			}
		}
		return false;
	}

}
