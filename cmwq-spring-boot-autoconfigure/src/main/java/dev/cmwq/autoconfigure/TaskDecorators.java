package dev.cmwq.autoconfigure;

import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.CompositeTaskDecorator;

/**
 * Combines the application's {@link TaskDecorator} beans the way Spring Boot does for its own task executor: one
 * bean is used as it is, several are chained in their {@code @Order} by a {@link CompositeTaskDecorator} (the first
 * wraps the item, the next wraps that, and so on).
 */
final class TaskDecorators {

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

}
