package dev.cmwq.spring.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.core.Workqueue;

import org.springframework.expression.Expression;
import org.springframework.util.ClassUtils;

/**
 * A {@code @QueueWork} method as checked at start-up: its workqueue, delay, CPU and key expression, and the
 * invocations of it that are pending under a key.
 */
final class QueueWorkMethod {

	/** I: the method as declared on the target class. */
	final Method method;

	/**
	 * I: the method as the proxy calls it (the one it is looked up by), which a call with no advice after ours
	 * invokes, as the end of the advice chain would.
	 */
	final Method invoked;

	/** I: the workqueue's name, placeholders resolved. */
	final String workqueueName;

	/** I: the delay, or null. */
	final Duration delay;

	/** I: the CPU, or -1. */
	final int cpu;

	/** I: the parsed key expression, or null. */
	final Expression key;

	/** I: whether the method returns void (failures go to the WorkErrorHandler). */
	final boolean returnsVoid;

	/** I: the handler of a void method's failures (a supplier that resolves it once, at the first call). */
	final Supplier<WorkErrorHandler> errorHandler;

	/**
	 * Invocations queued under a key that have not started yet: the per-key pending bit. An entry is added by the
	 * caller that queues it and removed by the invocation as it starts (or when it is cancelled or refused).
	 */
	final ConcurrentMap<PendingKey, QueueWorkTask> pending = new ConcurrentHashMap<>();

	/** The workqueue, once resolved. */
	private volatile Workqueue workqueue;

	QueueWorkMethod(Method method, Method invoked, String workqueueName, Duration delay, int cpu, Expression key,
			Supplier<WorkErrorHandler> errorHandler) {
		this.method = method;
		this.invoked = invoked;
		this.workqueueName = workqueueName;
		this.delay = delay;
		this.cpu = cpu;
		this.key = key;
		this.returnsVoid = method.getReturnType() == void.class;
		this.errorHandler = errorHandler;
	}

	/**
	 * Whether a return type can carry a queued invocation's outcome.
	 * @param returnType the method's return type
	 * @return true for {@code void}, {@link Future} and {@link CompletableFuture}
	 */
	static boolean isSupportedReturnType(Class<?> returnType) {
		return returnType == void.class || returnType == Future.class || returnType == CompletableFuture.class;
	}

	/**
	 * What the caller gets back.
	 * @param future the invocation's future
	 * @return null for void methods, else the future
	 */
	Object result(CompletableFuture<Object> future) {
		return this.returnsVoid ? null : future;
	}

	Workqueue workqueue() {
		return this.workqueue;
	}

	void resolved(Workqueue workqueue) {
		this.workqueue = workqueue;
	}

	/**
	 * The method's name for messages, such as {@code com.example.Images.render(long)}.
	 * @return the description
	 */
	String describe() {
		return describe(this.method);
	}

	/**
	 * A method's name for messages, such as {@code com.example.Images.render(long)}.
	 * @param method the method
	 * @return the description
	 */
	static String describe(Method method) {
		StringBuilder text = new StringBuilder(ClassUtils.getQualifiedMethodName(method)).append('(');
		Class<?>[] types = method.getParameterTypes();
		for (int i = 0; i < types.length; i++) {
			text.append((i > 0) ? ", " : "").append(types[i].getSimpleName());
		}
		return text.append(')').toString();
	}

	@Override
	public String toString() {
		return describe();
	}

	/**
	 * A key of a pending invocation: the target object (by identity) and the key's value.
	 */
	static final class PendingKey {

		private final Object target;

		private final Object value;

		PendingKey(Object target, Object value) {
			this.target = target;
			this.value = value;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof PendingKey that && this.target == that.target && this.value.equals(that.value);
		}

		@Override
		public int hashCode() {
			return 31 * System.identityHashCode(this.target) + this.value.hashCode();
		}

	}

}
