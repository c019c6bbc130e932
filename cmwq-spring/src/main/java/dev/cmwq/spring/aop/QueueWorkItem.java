package dev.cmwq.spring.aop;

import java.lang.reflect.Method;

import org.springframework.core.task.TaskDecorator;
import org.springframework.util.ClassUtils;

/**
 * The {@code @QueueWork} invocation the task decorators are wrapping, seen from the calling thread while they do:
 * lets a {@link dev.cmwq.spring.WorkqueueTaskDecorator} name an item after its method, as the {@code cmwq.work}
 * observation does with {@code code.function} and {@code code.namespace} (the keys of Spring's {@code @Scheduled}
 * observations). Decorators run on the calling thread, synchronously, so the answer is set only around that call.
 *
 * @param targetClass the class of the bean whose method it is (its user class, not a proxy's)
 * @param method the method
 */
public record QueueWorkItem(Class<?> targetClass, Method method) {

	private static final ThreadLocal<QueueWorkItem> beingDecorated = new ThreadLocal<>();

	/**
	 * The invocation whose task the calling thread's decorators are wrapping.
	 * @return the invocation, or null when the item being decorated is not a {@code @QueueWork} invocation
	 */
	public static QueueWorkItem beingDecorated() {
		return beingDecorated.get();
	}

	/**
	 * Decorates the task of an invocation, with the invocation visible to the decorators.
	 * @param method the {@code @QueueWork} method
	 * @param target the bean whose method it is, or null
	 * @param decorator the decorator
	 * @param task the task
	 * @return the decorated task
	 */
	static Runnable decorate(Method method, Object target, TaskDecorator decorator, Runnable task) {
		Class<?> targetClass = (target != null) ? ClassUtils.getUserClass(target) : method.getDeclaringClass();
		QueueWorkItem outer = beingDecorated.get();
		beingDecorated.set(new QueueWorkItem(targetClass, method));
		try {
			return decorator.decorate(task);
		}
		finally {
			if (outer != null) {
				beingDecorated.set(outer);
			}
			else {
				beingDecorated.remove();
			}
		}
	}

}
