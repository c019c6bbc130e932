package dev.cmwq.spring.aop;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.cmwq.annotation.WorkErrorHandler;
import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.task.TaskDecorator;

/**
 * Queues each call of a {@code @QueueWork} method as a work item on its workqueue and returns at once: {@code null}
 * for {@code void} methods, else a {@link java.util.concurrent.CompletableFuture} of the method's outcome. With a
 * key, a call made while an invocation with an equal key is pending returns that invocation's future instead. Calls
 * on a durable workqueue go to the {@link DurableQueues} bean, which stores them.
 */
final class QueueWorkInterceptor implements MethodInterceptor {

	private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

	private final QueueWorkMethods methods;

	private final BeanFactory beanFactory;

	private final Function<String, TaskDecorator> taskDecorator;

	private final Supplier<WorkErrorHandler> errorHandler;

	/** Invocations queued and not started yet: those still here when the system has shut down never run. */
	private final Set<QueueWorkTask> unstarted = ConcurrentHashMap.newKeySet();

	QueueWorkInterceptor(QueueWorkMethods methods, BeanFactory beanFactory,
			Function<String, TaskDecorator> taskDecorator, Supplier<WorkErrorHandler> errorHandler) {
		this.methods = methods;
		this.beanFactory = beanFactory;
		this.taskDecorator = taskDecorator;
		this.errorHandler = errorHandler;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		QueueWorkMethod method = this.methods.get(invocation.getMethod(), targetClass);
		if (method == null) {
			return invocation.proceed();
		}
		Workqueue workqueue = this.methods.workqueue(method);
		DurableQueues durable = this.methods.durable(method.workqueueName);
		if (durable != null) {
			return durable.queue(new DurableQueues.Call(invocation, method.method, method.workqueueName, method.delay,
					(method.key != null) ? () -> evaluateKey(method, invocation, target) : null));
		}
		Object keyValue = (method.key != null) ? evaluateKey(method, invocation, target) : null;
		QueueWorkMethod.PendingKey pendingKey = (keyValue != null) ? new QueueWorkMethod.PendingKey(target, keyValue)
				: null;
		QueueWorkTask task = new QueueWorkTask(method, invocation, this.errorHandler.get(), pendingKey,
				this.unstarted);
		if (pendingKey != null) {
			QueueWorkTask pending = method.pending.putIfAbsent(pendingKey, task);
			if (pending != null) {
				return method.result(pending.future);
			}
		}
		try {
			task.decorate(this.taskDecorator.apply(method.workqueueName));
			task.queueing();
			queue(method, workqueue, task);
		}
		catch (RuntimeException | Error ex) {
			task.notPending();
			task.future.completeExceptionally(ex); // for callers that joined it meanwhile
			throw ex;
		}
		return method.result(task.future);
	}

	/**
	 * Completes the futures of invocations that were queued but never started with a
	 * {@link java.util.concurrent.CancellationException}; called once the workqueue system has shut down.
	 * @return how many there were
	 */
	int abandonUnstarted() {
		int abandoned = 0;
		for (QueueWorkTask task : this.unstarted) {
			task.abandoned();
			abandoned++;
		}
		return abandoned;
	}

	private Object evaluateKey(QueueWorkMethod method, MethodInvocation invocation, Object target) {
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(target, method.method,
				invocation.getArguments(), PARAMETER_NAMES);
		context.setBeanResolver(new BeanFactoryResolver(this.beanFactory));
		return method.key.getValue(context);
	}

	/** Queues the invocation's work item; the engine's RejectedExecutionException reaches the caller. */
	private static void queue(QueueWorkMethod method, Workqueue workqueue, QueueWorkTask task) {
		if (method.delay != null) {
			DelayedWork work = (DelayedWork) task.work(true);
			if (method.cpu >= 0) {
				workqueue.queueDelayedOn(method.cpu, work, method.delay);
			}
			else {
				workqueue.queueDelayed(work, method.delay);
			}
		}
		else {
			Work work = task.work(false);
			if (method.cpu >= 0) {
				workqueue.queueOn(method.cpu, work);
			}
			else {
				workqueue.queue(work);
			}
		}
	}

}
