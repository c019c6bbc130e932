package dev.cmwq.spring;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;

/**
 * Combines the application's {@link TaskDecorator} beans the way Spring Boot does for its own task executor: one
 * bean is used as it is, several are chained in their {@code @Order} by a {@link CompositeTaskDecorator} (the first
 * wraps the item, the next wraps that, and so on).
 */
public final class TaskDecorators {

	private TaskDecorators() {
	}

	/**
	 * The decorator to apply to every item.
	 * @param decorators the application's decorators
	 * @return the decorator, or null if there is none
	 */
	static TaskDecorator compose(ObjectProvider<TaskDecorator> decorators) {
		List<TaskDecorator> ordered = decorators.orderedStream().toList();
		if (ordered.size() == 1) {
			return ordered.get(0);
		}
		return ordered.isEmpty() ? null : new CompositeTaskDecorator(ordered);
	}

	/**
	 * The decorator to apply to the items of one workqueue: the application's decorators around the
	 * {@link WorkqueueTaskDecorator}s.
	 * @param workqueue the workqueue's name
	 * @param decorators the application's decorators
	 * @param workqueueDecorators the workqueue decorators
	 * @return the decorator, or null if there is none
	 */
	public static TaskDecorator forWorkqueue(String workqueue, ObjectProvider<TaskDecorator> decorators,
			ObjectProvider<WorkqueueTaskDecorator> workqueueDecorators) {
		TaskDecorator application = compose(decorators);
		List<WorkqueueTaskDecorator> inner = workqueueDecorators.orderedStream().toList();
		if (inner.isEmpty()) {
			return application;
		}
		TaskDecorator own = (task) -> {
			Runnable decorated = task;
			for (WorkqueueTaskDecorator decorator : inner) {
				decorated = decorator.decorate(workqueue, decorated);
			}
			return decorated;
		};
		return (application != null) ? new CompositeTaskDecorator(List.of(own, application)) : own;
	}

}
