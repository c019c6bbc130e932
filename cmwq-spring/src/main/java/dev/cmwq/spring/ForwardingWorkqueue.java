package dev.cmwq.spring;

import java.time.Duration;
import java.util.Set;

import dev.cmwq.core.Overflow;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSnapshot;

/**
 * A workqueue that forwards everything but queueing to the engine's queue behind it: its identity, limits,
 * capacity, flush, drain, destroy and snapshot. Subclasses decide how items are queued.
 */
public abstract class ForwardingWorkqueue implements Workqueue {

	/** I: the engine's queue (or another view of it). */
	protected final Workqueue delegate;

	/**
	 * Creates the view.
	 * @param delegate the queue behind it
	 */
	protected ForwardingWorkqueue(Workqueue delegate) {
		this.delegate = delegate;
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
	public WorkqueueSnapshot snapshot() {
		return this.delegate.snapshot();
	}

	@Override
	public String toString() {
		return this.delegate.toString();
	}

}
