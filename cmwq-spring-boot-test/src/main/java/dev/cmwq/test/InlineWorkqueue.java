package dev.cmwq.test;

import java.time.Duration;
import java.util.Set;

import dev.cmwq.spring.aop.QueueWorkFailureHandler;
import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Overflow;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSnapshot;

/**
 * A workqueue bean that runs every item at once on the thread that queues it, for unit tests. A failure is handled
 * as the starter's failure handler does (logged, unless it has been reported to a future or the
 * {@code WorkErrorHandler} already) and does not reach the caller. Everything else is the real workqueue's.
 */
final class InlineWorkqueue implements Workqueue {

	private static final QueueWorkFailureHandler failureHandler = new QueueWorkFailureHandler();

	private final Workqueue workqueue;

	InlineWorkqueue(Workqueue workqueue) {
		this.workqueue = workqueue;
	}

	private boolean run(Work work) {
		try {
			work.task().run();
		}
		catch (Throwable ex) {
			failureHandler.handle(this, work, ex);
		}
		return true;
	}

	@Override
	public void execute(Runnable command) {
		run(new Work(command));
	}

	@Override
	public boolean queue(Work work) {
		return run(work);
	}

	@Override
	public boolean queueOn(int cpu, Work work) {
		return run(work);
	}

	@Override
	public boolean queueDelayed(DelayedWork work, Duration delay) {
		return run(work);
	}

	@Override
	public boolean queueDelayedOn(int cpu, DelayedWork work, Duration delay) {
		return run(work);
	}

	@Override
	public boolean modDelayed(DelayedWork work, Duration delay) {
		return run(work);
	}

	@Override
	public void flush() {
	}

	@Override
	public boolean flush(Duration timeout) {
		return true;
	}

	@Override
	public void drain() {
	}

	@Override
	public void destroy() {
	}

	@Override
	public String name() {
		return this.workqueue.name();
	}

	@Override
	public Set<WorkqueueFlag> flags() {
		return this.workqueue.flags();
	}

	@Override
	public int maxActive() {
		return this.workqueue.maxActive();
	}

	@Override
	public boolean isOrdered() {
		return this.workqueue.isOrdered();
	}

	@Override
	public void setMaxActive(int maxActive) {
		this.workqueue.setMaxActive(maxActive);
	}

	@Override
	public void setCapacity(int capacity, Overflow overflow, Duration overflowTimeout) {
		this.workqueue.setCapacity(capacity, overflow, overflowTimeout);
	}

	@Override
	public int capacity() {
		return this.workqueue.capacity();
	}

	@Override
	public Overflow overflow() {
		return this.workqueue.overflow();
	}

	@Override
	public Duration overflowTimeout() {
		return this.workqueue.overflowTimeout();
	}

	@Override
	public WorkqueueSnapshot snapshot() {
		return this.workqueue.snapshot();
	}

	@Override
	public String toString() {
		return this.workqueue + " (inline)";
	}

}
