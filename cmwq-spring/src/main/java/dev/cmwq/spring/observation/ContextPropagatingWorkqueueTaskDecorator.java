package dev.cmwq.spring.observation;

import dev.cmwq.spring.WorkqueueTaskDecorator;
import io.micrometer.context.ContextSnapshotFactory;

import org.springframework.core.Ordered;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;

/**
 * Carries the queueing thread's context into each work item with Spring's {@link ContextPropagatingTaskDecorator}
 * (Micrometer's {@code ContextSnapshot}): the current observation, and with it the tracer's span and the MDC fields
 * the tracer keeps, plus whatever other {@code ThreadLocalAccessor}s are registered. It does not depend on the
 * item's observation: with the {@code cmwq.work} observation off, an item still runs in its caller's trace. The
 * outermost of the {@link WorkqueueTaskDecorator}s, so that the caller's context is in place when the item's
 * observation starts (and becomes its parent).
 */
public final class ContextPropagatingWorkqueueTaskDecorator implements WorkqueueTaskDecorator, Ordered {

	private final TaskDecorator propagating;

	/**
	 * Propagates what the global {@code ContextRegistry}'s accessors give.
	 */
	public ContextPropagatingWorkqueueTaskDecorator() {
		this(ContextSnapshotFactory.builder().build());
	}

	/**
	 * Propagates what the snapshot factory captures.
	 * @param snapshotFactory the factory
	 */
	public ContextPropagatingWorkqueueTaskDecorator(ContextSnapshotFactory snapshotFactory) {
		this.propagating = new ContextPropagatingTaskDecorator(snapshotFactory);
	}

	@Override
	public Runnable decorate(String workqueue, Runnable task) {
		return this.propagating.decorate(task);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
