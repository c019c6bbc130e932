package dev.cmwq.spring.observation;

import java.lang.reflect.Method;

import dev.cmwq.core.Work;
import dev.cmwq.spring.WorkqueueTaskDecorator;
import dev.cmwq.spring.aop.QueueWorkItem;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.core.Ordered;

/**
 * Makes each work item an observation: the current observation of the queueing thread is captured as its parent,
 * and the item's observation is started, in scope and stopped on the worker, around the task (so the wait shows as
 * the gap between the parent's queueing and the item's start; the context carries it too). A {@code @QueueWork}
 * invocation's method is captured too ({@link QueueWorkItem}), for {@code code.function} and {@code code.namespace}.
 * Runs inside the application's task decorators and the context propagation, so that the context they restore is in
 * place. It sees the failures the engine counts: what the task throws, and what it records as handled
 * ({@link Work#failedHandled}: the failures of {@code @QueueWork} and {@code @Async} methods, handed to their
 * futures or handlers).
 */
public final class ObservingWorkqueueTaskDecorator implements WorkqueueTaskDecorator, Ordered {

	private static final WorkObservationConvention DEFAULT_CONVENTION = new DefaultWorkObservationConvention();

	private final ObservationRegistry registry;

	private final WorkObservationConvention convention;

	public ObservingWorkqueueTaskDecorator(ObservationRegistry registry, WorkObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	@Override
	public Runnable decorate(String workqueue, Runnable task) {
		if (this.registry.isNoop()) {
			return task;
		}
		Observation parent = this.registry.getCurrentObservation();
		QueueWorkItem invocation = QueueWorkItem.beingDecorated();
		Class<?> targetClass = (invocation != null) ? invocation.targetClass() : null;
		Method method = (invocation != null) ? invocation.method() : null;
		long queuedAt = System.nanoTime();
		return () -> {
			WorkObservationContext context = new WorkObservationContext(workqueue, System.nanoTime() - queuedAt,
					targetClass, method);
			Observation observation = Observation
				.createNotStarted(this.convention, DEFAULT_CONVENTION, () -> context, this.registry)
				.parentObservation(parent)
				.start();
			try (Observation.Scope scope = observation.openScope()) {
				task.run();
				Work item = Work.currentWork();
				Throwable handled = (item != null) ? item.handledFailure() : null;
				if (handled != null) { // the task handed its failure to a future or a handler, and returned
					observation.error(handled);
				}
				else {
					context.setComplete(true);
				}
			}
			catch (Throwable ex) {
				observation.error(ex);
				throw ex;
			}
			finally {
				observation.stop();
			}
		};
	}

	@Override
	public int getOrder() {
		return 0;
	}

}
