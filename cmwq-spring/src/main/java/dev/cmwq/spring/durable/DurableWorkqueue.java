package dev.cmwq.spring.durable;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;

import dev.cmwq.core.DelayedWork;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.spring.ForwardingWorkqueue;

/**
 * The bean of a durable workqueue: everything a {@link Workqueue} does except taking plain items. A
 * {@code Runnable} or {@link Work} is code, which cannot be stored, so {@code execute}, {@code queue} and their
 * variants are refused with a {@link RejectedExecutionException} that says so: work reaches a durable workqueue
 * only through {@code @QueueWork} methods, whose calls are stored. (So {@code @Async} on a durable workqueue is
 * refused too.)
 */
public final class DurableWorkqueue extends ForwardingWorkqueue {

	/**
	 * Wraps a workqueue's bean.
	 * @param delegate the bean
	 */
	public DurableWorkqueue(Workqueue delegate) {
		super(delegate);
	}

	private RejectedExecutionException refused(String operation) {
		return new RejectedExecutionException(operation + " on workqueue '" + name() + "' is refused: the workqueue "
				+ "is durable, its items are stored to survive a crash and to run on any instance, and a Runnable is "
				+ "code, which cannot be stored; queue durable work through a void @QueueWork(\"" + name()
				+ "\") method whose arguments JSON can carry, or use a workqueue that is not durable");
	}

	@Override
	public void execute(Runnable command) {
		throw refused("execute(Runnable)");
	}

	@Override
	public boolean queue(Work work) {
		throw refused("queue(Work)");
	}

	@Override
	public boolean queueOn(int cpu, Work work) {
		throw refused("queueOn(int, Work)");
	}

	@Override
	public boolean queueDelayed(DelayedWork work, Duration delay) {
		throw refused("queueDelayed(DelayedWork, Duration)");
	}

	@Override
	public boolean queueDelayedOn(int cpu, DelayedWork work, Duration delay) {
		throw refused("queueDelayedOn(int, DelayedWork, Duration)");
	}

	@Override
	public boolean modDelayed(DelayedWork work, Duration delay) {
		throw refused("modDelayed(DelayedWork, Duration)");
	}

	@Override
	public boolean runInline(Work work) {
		throw refused("runInline(Work)");
	}
















}
