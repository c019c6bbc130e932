package dev.cmwq.spring.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import dev.cmwq.annotation.QueueWork;
import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.format.datetime.standard.DurationFormatterUtils;
import org.springframework.core.MethodClassKey;
import org.springframework.expression.Expression;
import org.springframework.expression.ParseException;
import org.springframework.expression.spel.standard.SpelExpressionParser;
import org.springframework.util.StringUtils;

/**
 * The {@code @QueueWork} methods of the application's beans, checked as each bean is proxied (return type, delay,
 * CPU, key) and once all singletons exist (workqueue, CPU range), so that mistakes fail start-up naming the method.
 */
final class QueueWorkMethods {

	private static final SpelExpressionParser PARSER = new SpelExpressionParser();

	private final BeanFactory beanFactory;

	/** The handler of {@code void} methods' failures, resolved at the first call. */
	private final Supplier<WorkErrorHandler> errorHandler;

	private final Map<MethodClassKey, QueueWorkMethod> methods = new ConcurrentHashMap<>();

	private final Map<Class<?>, Boolean> inspected = new ConcurrentHashMap<>();

	/** The {@link DurableQueues} bean, if there is one; looked up at the first need. */
	private volatile Optional<DurableQueues> durableQueues;

	QueueWorkMethods(BeanFactory beanFactory, Supplier<WorkErrorHandler> errorHandler) {
		this.beanFactory = beanFactory;
		this.errorHandler = errorHandler;
	}

	/**
	 * Checks every {@code @QueueWork} method of a class.
	 * @param targetClass the bean's class
	 * @throws InvalidQueueWorkMethodException naming the first method that cannot be queued
	 */
	void inspect(Class<?> targetClass) {
		if (this.inspected.containsKey(targetClass)) {
			return;
		}
		QueueWorkAnnotations.methods(targetClass)
			.forEach((method, annotation) -> this.methods.computeIfAbsent(new MethodClassKey(method, targetClass),
					(key) -> create(method, targetClass, annotation)));
		this.inspected.put(targetClass, Boolean.TRUE);
	}

	/**
	 * The checked method that a call of {@code method} on a {@code targetClass} instance queues.
	 * @param method the method called
	 * @param targetClass the target's class
	 * @return the method, or null if it is not queued
	 */
	QueueWorkMethod get(Method method, Class<?> targetClass) {
		MethodClassKey cacheKey = new MethodClassKey(method, targetClass);
		QueueWorkMethod found = this.methods.get(cacheKey);
		if (found != null) {
			return found;
		}
		QueueWork annotation = QueueWorkAnnotations.find(method, targetClass);
		if (annotation == null) {
			return null;
		}
		return this.methods.computeIfAbsent(cacheKey, (key) -> create(method, targetClass, annotation));
	}

	private QueueWorkMethod create(Method method, Class<?> targetClass, QueueWork annotation) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		String where = QueueWorkMethod.describe(specific);
		if (!QueueWorkMethod.isSupportedReturnType(specific.getReturnType())) {
			throw new InvalidQueueWorkMethodException(where, "returns " + specific.getGenericReturnType().getTypeName()
					+ "; a @QueueWork method must return void, Future or CompletableFuture", null);
		}
		String workqueue = resolve(annotation.value());
		if (!StringUtils.hasText(workqueue)) {
			throw new InvalidQueueWorkMethodException(where, "names no workqueue", null);
		}
		Duration delay = parseDelay(where, resolve(annotation.delay()));
		if (annotation.cpu() < -1) {
			throw new InvalidQueueWorkMethodException(where, "asks for cpu " + annotation.cpu()
					+ "; use -1 for the caller's CPU, or a CPU from 0", null);
		}
		Expression key = null;
		if (StringUtils.hasText(annotation.key())) {
			try {
				key = PARSER.parseExpression(annotation.key());
			}
			catch (ParseException ex) {
				throw new InvalidQueueWorkMethodException(where,
						"has an invalid key expression '" + annotation.key() + "': " + ex.getMessage(), ex);
			}
		}
		return new QueueWorkMethod(specific, method, workqueue, delay, annotation.cpu(), key, this.errorHandler);
	}

	private static Duration parseDelay(String where, String text) {
		if (!StringUtils.hasText(text)) {
			return null;
		}
		Duration delay;
		try {
			delay = DurationFormatterUtils.detectAndParse(text.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidQueueWorkMethodException(where,
					"has an invalid delay '" + text + "'; use a duration such as 2s, 500ms or PT2S", ex);
		}
		if (delay.isNegative()) {
			throw new InvalidQueueWorkMethodException(where, "has a negative delay '" + text + "'", null);
		}
		return delay;
	}

	private String resolve(String value) {
		if (this.beanFactory instanceof ConfigurableBeanFactory configurable && value != null) {
			String resolved = configurable.resolveEmbeddedValue(value);
			return (resolved != null) ? resolved : value;
		}
		return value;
	}

	/**
	 * Resolves the workqueue of every method seen so far.
	 * @throws InvalidQueueWorkMethodException naming the first method whose workqueue does not exist
	 */
	void resolveAll() {
		for (QueueWorkMethod method : new ArrayList<>(this.methods.values())) {
			workqueue(method);
		}
	}

	/**
	 * The workqueue a method queues on: the {@code Workqueue} bean of that name, else the system's workqueue.
	 * @param method the method
	 * @return the workqueue
	 * @throws InvalidQueueWorkMethodException if there is no such workqueue, or no such CPU
	 */
	Workqueue workqueue(QueueWorkMethod method) {
		Workqueue workqueue = method.workqueue();
		if (workqueue != null) {
			return workqueue;
		}
		String name = method.workqueueName;
		WorkqueueSystem system = this.beanFactory.getBeanProvider(WorkqueueSystem.class).getIfAvailable();
		if (this.beanFactory.containsBean(name) && this.beanFactory.isTypeMatch(name, Workqueue.class)) {
			workqueue = this.beanFactory.getBean(name, Workqueue.class);
		}
		else if (system != null) {
			workqueue = system.workqueue(name).orElse(null);
		}
		if (workqueue == null) {
			throw new InvalidQueueWorkMethodException(method.describe(), "names workqueue '" + name
					+ "', which does not exist; declare it under cmwq.workqueues, or use one of " + existing(system),
					null);
		}
		if (system != null && method.cpu >= system.cpus()) {
			throw new InvalidQueueWorkMethodException(method.describe(), "asks for cpu " + method.cpu
					+ ", but the workqueue system has " + system.cpus() + " CPUs (0.." + (system.cpus() - 1) + ")",
					null);
		}
		DurableQueues durable = durable(name);
		String problem = (durable != null) ? durable.check(method.method, name, method.cpu) : null;
		if (problem != null) {
			throw new InvalidQueueWorkMethodException(method.describe(), problem, null);
		}
		method.resolved(workqueue);
		return workqueue;
	}

	/**
	 * What takes the calls queued on a workqueue if it is durable.
	 * @param workqueue the workqueue's name
	 * @return the {@link DurableQueues} bean if the workqueue is durable, else null
	 */
	DurableQueues durable(String workqueue) {
		Optional<DurableQueues> found = this.durableQueues;
		if (found == null) {
			found = Optional.ofNullable(this.beanFactory.getBeanProvider(DurableQueues.class).getIfAvailable());
			this.durableQueues = found;
		}
		return found.filter((durable) -> durable.isDurable(workqueue)).orElse(null);
	}

	private static List<String> existing(WorkqueueSystem system) {
		List<String> names = new ArrayList<>();
		if (system != null) {
			system.workqueues().forEach((queue) -> names.add(queue.name()));
		}
		return names;
	}

}
