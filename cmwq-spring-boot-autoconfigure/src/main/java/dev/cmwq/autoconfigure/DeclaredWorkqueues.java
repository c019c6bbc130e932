package dev.cmwq.autoconfigure;

import java.util.Map;

import dev.cmwq.core.WorkqueueSystem;

/**
 * Allocates the workqueues declared under {@code cmwq.workqueues}: ordered ones with
 * {@code allocOrderedWorkqueue}, the others with {@code allocWorkqueue}.
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
				if (queue.isOrdered()) {
					system.allocOrderedWorkqueue(name, queue.getFlags());
				}
				else {
					system.allocWorkqueue(name, queue.getFlags(), queue.getMaxActive());
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
