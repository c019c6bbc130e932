package dev.cmwq.spring.aop;

import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.spring.SpringWorkqueue;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.expression.BeanFactoryResolver;
import org.springframework.context.expression.MethodBasedEvaluationContext;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.ParameterNameDiscoverer;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.TaskRejectedException;

/**
 * Queues each call of a {@code @QueueWork} method as a work item on its workqueue and returns at once: {@code null}
 * for {@code void} methods, else a {@link java.util.concurrent.CompletableFuture} of the method's outcome. With a
 * key, a call made while an invocation with an equal key is pending returns that invocation's future instead. A
 * refusal of the workqueue reaches the caller as Spring's {@link org.springframework.core.task.TaskRejectedException}.
 * Calls on a durable workqueue go to the {@link DurableQueues} bean, which stores them.
 */
final class QueueWorkInterceptor implements MethodInterceptor {

	private static final ParameterNameDiscoverer PARAMETER_NAMES = new DefaultParameterNameDiscoverer();

	private final QueueWorkMethods methods;

	private final BeanFactory beanFactory;

	private final Function<String, TaskDecorator> taskDecorator;

	QueueWorkInterceptor(QueueWorkMethods methods, BeanFactory beanFactory,
			Function<String, TaskDecorator> taskDecorator) {
		this.methods = methods;
		this.beanFactory = beanFactory;
		this.taskDecorator = taskDecorator;
	}

	@Override
	public Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		QueueWorkMethod method = this.methods.get(invocation.getMethod(), targetClass);
		if (method == null) {
			return invocation.proceed();
		}
		// checked against its workqueue once, here too: a lazily created bean's methods were not checked at start-up
		Workqueue resolved = this.methods.workqueue(method);
		DurableQueues durable = this.methods.durable(method.workqueueName);
		if (durable != null) {
			return durable.queue(new DurableQueues.Call(invocation, method.method, method.workqueueName, method.delay,
					(method.key != null) ? () -> evaluateKey(method, invocation, target) : null));
		}
		SpringWorkqueue workqueue = SpringWorkqueue.of(resolved);
		Object keyValue = (method.key != null) ? evaluateKey(method, invocation, target) : null;
		QueueWorkMethod.PendingKey pendingKey = (keyValue != null) ? new QueueWorkMethod.PendingKey(target, keyValue)
				: null;
		method.errorHandler.get(); // resolved at the first call, on the caller's thread (not on a worker at shutdown)
		TaskDecorator decorator = this.taskDecorator.apply(method.workqueueName);
		TaskDecorator itemDecorator = (decorator != null)
				? (task) -> QueueWorkItem.decorate(method.method, target, decorator, task) : null;
		QueueWorkCall call = QueueWorkCall.of(method, invocation);
		if (pendingKey == null && method.returnsVoid) { // nothing to hand back, no later call to join it
			queueCall(method, workqueue, (itemDecorator != null) ? itemDecorator.decorate(call) : call);
			return null;
		}
		QueueWorkTask task = (pendingKey != null) ? new QueueWorkTask.Keyed(call, pendingKey, itemDecorator)
				: new QueueWorkTask(call, itemDecorator);
		if (pendingKey != null) {
			QueueWorkTask pending = method.pending.putIfAbsent(pendingKey, task);
			if (pending != null) {
				return method.result(pending.future());
			}
		}
		try {
			queue(method, workqueue, task);
		}
		catch (RuntimeException | Error ex) { // not accepted: the engine will not answer it
			task.refused(ex);
			throw ex;
		}
		return method.result(task.future());
	}

	private Object evaluateKey(QueueWorkMethod method, MethodInvocation invocation, Object target) {
		MethodBasedEvaluationContext context = new MethodBasedEvaluationContext(target, method.method,
				invocation.getArguments(), PARAMETER_NAMES);
		context.setBeanResolver(new BeanFactoryResolver(this.beanFactory));
		return method.key.getValue(context);
	}

	/**
	 * Queues the task of a {@code void} call without a key. Nobody can name its item, so without a delay or a CPU it
	 * is queued as {@code execute} queues a task (the engine may hold it back with no {@link Work} until it starts),
	 * on the queue behind the bean: the bean's {@code execute} would decorate the decorated task again.
	 */
	private static void queueCall(QueueWorkMethod method, SpringWorkqueue workqueue, Runnable task) {
		if (method.delay != null || method.cpu >= 0) {
			queue(method, workqueue, new DelayedWork(task));
			return;
		}
		try {
			workqueue.delegate().execute(task);
		}
		catch (TaskRejectedException ex) {
			throw ex;
		}
		catch (RejectedExecutionException ex) { // Spring's contract for a refusal, as the bean's other methods
			throw new TaskRejectedException(ex.getMessage(), ex);
		}
	}

	/** Queues the invocation's work item (a fresh one: always accepted unless the workqueue refuses it). */
	private static void queue(QueueWorkMethod method, SpringWorkqueue workqueue, DelayedWork task) {
		if (method.delay != null) {
			if (method.cpu >= 0) {
				workqueue.queueDelayedOn(method.cpu, task, method.delay);
			}
			else {
				workqueue.queueDelayed(task, method.delay);
			}
		}
		else if (method.cpu >= 0) {
			workqueue.queueOn(method.cpu, task);
		}
		else {
			workqueue.queue(task);
		}
	}

}
