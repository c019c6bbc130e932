package dev.cmwq.autoconfigure;

import java.util.Map;

import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;

/**
 * Allocates the workqueues declared under {@code cmwq.workqueues}: ordered ones with
 * {@code allocOrderedWorkqueue}, the others with {@code allocWorkqueue}; then sets the capacity of those that have
 * one, before any item can be queued.
 */
final class DeclaredWorkqueues {

	private DeclaredWorkqueues() {
	}

	/**
	 * Allocates every declared workqueue, in declaration order.
	 * @param system the system
	 * @param properties the validated properties
	 * @throws InvalidCmwqPropertyException if the engine refuses a workqueue
	 */
	static void allocate(WorkqueueSystem system, CmwqProperties properties) {
		for (Map.Entry<String, CmwqProperties.Workqueue> entry : properties.getWorkqueues().entrySet()) {
			String name = entry.getKey();
			CmwqProperties.Workqueue queue = entry.getValue();
			try {
				Workqueue wq = queue.isOrdered() ? system.allocOrderedWorkqueue(name, queue.getFlags())
						: system.allocWorkqueue(name, queue.getFlags(), queue.getMaxActive());
				if (queue.getQueueCapacity() != null) {
					wq.setCapacity(queue.getQueueCapacity(), queue.getOverflow(), queue.getOverflowTimeout());
				}
			}
			catch (IllegalArgumentException ex) {
				// The validator checks the same rules (WorkqueueLimits) with the properties' cpus and system
				// workqueues; this keeps the property path should a WorkqueueSystemCustomizer have changed those.
				throw new InvalidCmwqPropertyException(
						CmwqPropertiesValidator.path("workqueues." + CmwqPropertiesValidator.key(name)), name,
						ex.getMessage());
			}
		}
	}

}
