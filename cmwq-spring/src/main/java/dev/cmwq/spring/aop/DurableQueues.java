package dev.cmwq.spring.aop;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInvocation;

/**
 * Where {@code @QueueWork} calls on durable workqueues go instead of straight onto the workqueue: an optional bean
 * (see {@code dev.cmwq.spring.durable}) that stores each call before it returns and runs it later on the workqueue
 * of the same name, on this instance or another. Without such a bean every workqueue is in memory only.
 */
public interface DurableQueues {

	/**
	 * Whether a workqueue's items are stored.
	 * @param workqueue the workqueue's name
	 * @return true if calls queued there are stored
	 */
	boolean isDurable(String workqueue);

	/**
	 * Checks, at start-up, a {@code @QueueWork} method that queues on a durable workqueue.
	 * @param method the method as declared on the bean's class
	 * @param workqueue its durable workqueue
	 * @param cpu the CPU it asks for, or -1
	 * @return what is wrong with it, completing "@QueueWork method m ...", or null if it can be stored
	 */
	String check(Method method, String workqueue, int cpu);

	/**
	 * Takes one call of a {@code @QueueWork} method on a durable workqueue: stores it, or, for the call by which a
	 * stored item runs, proceeds with it.
	 * @param call the call
	 * @return what the caller gets: null, as durable methods return {@code void}
	 * @throws Throwable what storing the call, or the method run, throws
	 */
	Object queue(Call call) throws Throwable;

	/**
	 * One call of a {@code @QueueWork} method on a durable workqueue.
	 * @param invocation the intercepted call
	 * @param method the method as declared on the bean's class
	 * @param workqueue the workqueue's name
	 * @param delay how long after it is stored it may run, or null
	 * @param key gives the call's key ({@code @QueueWork(key)}) when asked; null if the method has none
	 */
	record Call(MethodInvocation invocation, Method method, String workqueue, Duration delay, Supplier<Object> key) {
	}

}
