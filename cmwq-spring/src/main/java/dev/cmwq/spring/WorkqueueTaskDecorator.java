package dev.cmwq.spring;

import org.springframework.core.task.TaskDecorator;

/**
 * Wraps the task of every item that the starter's beans queue: {@code execute} and {@code submit} on a
 * {@code Workqueue} bean (what {@code @Async("name")} calls) and {@code @QueueWork} invocations. Unlike a
 * {@link TaskDecorator} bean, which Spring Boot applies to its own task executor as well, it applies to workqueue
 * items only, and knows their workqueue. It runs inside the application's {@code TaskDecorator}s; several are applied in their {@code @Order},
 * the first innermost. The starter uses it for observations.
 */
@FunctionalInterface
public interface WorkqueueTaskDecorator {

	/**
	 * Wraps a task, on the thread that queues it.
	 * @param workqueue the name of the workqueue it is queued on
	 * @param task the task
	 * @return the task to run instead
	 */
	Runnable decorate(String workqueue, Runnable task);

}
