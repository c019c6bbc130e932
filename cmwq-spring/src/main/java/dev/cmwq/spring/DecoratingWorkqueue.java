package dev.cmwq.spring;

import java.time.Duration;
import java.util.Set;

import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Overflow;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSnapshot;

import org.springframework.core.task.TaskDecorator;

/**
 * The {@link Workqueue} bean when the application has {@link TaskDecorator} beans: {@link #execute(Runnable)} (what
 * {@code @Async} and other {@code Executor} users call) decorates each task on the caller's thread, as Spring Boot's
 * own task executor does. {@link Work} items are queued as they are, because a work item's identity is its pending
 * bit; everything else goes to the engine's queue.
 */
public final class DecoratingWorkqueue implements Workqueue {

	private final Workqueue delegate;

	private final TaskDecorator decorator;

	public DecoratingWorkqueue(Workqueue delegate, TaskDecorator decorator) {
		this.delegate = delegate;
		this.decorator = decorator;
	}

	/**
	 * The engine's queue behind this view.
	 * @return the queue
	 */
	Workqueue delegate() {
		return this.delegate;
	}

	@Override
	public void execute(Runnable command) {
		this.delegate.execute(this.decorator.decorate(command));
	}

	@Override
	public String name() {
		return this.delegate.name();
	}

	@Override
	public Set<WorkqueueFlag> flags() {
		return this.delegate.flags();
	}

	@Override
	public int maxActive() {
		return this.delegate.maxActive();
	}

	@Override
	public boolean isOrdered() {
		return this.delegate.isOrdered();
	}

	@Override
	public boolean queue(Work work) {
		return this.delegate.queue(work);
	}

	@Override
	public boolean queueOn(int cpu, Work work) {
		return this.delegate.queueOn(cpu, work);
	}

	@Override
	public boolean queueDelayed(DelayedWork work, Duration delay) {
		return this.delegate.queueDelayed(work, delay);
	}

	@Override
	public boolean queueDelayedOn(int cpu, DelayedWork work, Duration delay) {
		return this.delegate.queueDelayedOn(cpu, work, delay);
	}

	@Override
	public boolean modDelayed(DelayedWork work, Duration delay) {
		return this.delegate.modDelayed(work, delay);
	}

	@Override
	public void flush() {
		this.delegate.flush();
	}

	@Override
	public boolean flush(Duration timeout) {
		return this.delegate.flush(timeout);
	}

	@Override
	public void drain() {
		this.delegate.drain();
	}

	@Override
	public void destroy() {
		this.delegate.destroy();
	}

	@Override
	public void setMaxActive(int maxActive) {
		this.delegate.setMaxActive(maxActive);
	}

	@Override
	public void setCapacity(int capacity, Overflow overflow, Duration overflowTimeout) {
		this.delegate.setCapacity(capacity, overflow, overflowTimeout);
	}

	@Override
	public int capacity() {
		return this.delegate.capacity();
	}

	@Override
	public Overflow overflow() {
		return this.delegate.overflow();
	}

	@Override
	public Duration overflowTimeout() {
		return this.delegate.overflowTimeout();
	}

	@Override
	public WorkqueueSnapshot snapshot() {
		return this.delegate.snapshot();
	}

	@Override
	public String toString() {
		return this.delegate.toString();
	}

}
