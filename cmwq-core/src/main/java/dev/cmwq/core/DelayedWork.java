package dev.cmwq.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ScheduledFuture;

/**
 * A work item that can be queued after a delay, like the kernel's {@code delayed_work}. While its timer runs the
 * item is pending: queueing it again returns false, {@link #cancel()} stops the timer, and
 * {@link Workqueue#modDelayed(DelayedWork, java.time.Duration)} moves it.
 *
 * <p>Who gets a pending instance out of the timer is decided by one CAS on {@link #armedGeneration}, not by
 * {@link ScheduledFuture#cancel}: a future's cancel also succeeds while its task is already running, which would
 * let a canceller and the firing timer both believe they own the item. Each arming has its own generation, so a
 * late timer of an earlier arming can never take a later one.
 */
public class DelayedWork extends Work {

	private static final VarHandle ARMED;

	static {
		try {
			ARMED = MethodHandles.lookup().findVarHandle(DelayedWork.class, "armedGeneration", long.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/** The generation of the arming whose timer holds the item, or 0 when no timer does. C. */
	private volatile long armedGeneration;

	/** Armings so far. P. */
	private long generations;

	/** The latest arming's timer, to cancel it (a best effort; see the class comment). P, V. */
	private volatile ScheduledFuture<?> timer;

	/**
	 * Creates a delayed work item, like {@code INIT_DELAYED_WORK}.
	 * @param task what the item runs
	 */
	public DelayedWork(Runnable task) {
		super(task);
	}

	/**
	 * Whether the item's timer is armed and has not fired yet.
	 * @return true while waiting for its delay
	 */
	public boolean isDelayed() {
		return this.armedGeneration != 0;
	}

	/** The PENDING holder starts an arming; returns its generation, for {@link #fire(long)}. */
	long arm() {
		long generation = ++this.generations;
		this.armedGeneration = generation;
		return generation;
	}

	void armed(ScheduledFuture<?> timer) {
		this.timer = timer;
	}

	/** The timer of arming {@code generation} fired: true if the item is still its to link. */
	boolean fire(long generation) {
		return ARMED.compareAndSet(this, generation, 0L);
	}

	@Override
	boolean tryStealFromTimer() {
		long generation = this.armedGeneration;
		if (generation == 0 || !ARMED.compareAndSet(this, generation, 0L)) {
			return false;
		}
		ScheduledFuture<?> t = this.timer;
		if (t != null) {
			t.cancel(false); // only to drop the task early; if it already runs, fire() will find nothing
		}
		this.queuedOn.armed.remove(this); // set before the timer was armed, and not changed while pending
		return true;
	}

	/**
	 * Shutdown: if the item's timer has not fired, takes the item out of it and answers its request
	 * {@link Outcome#ABANDONED} (the ARMED CAS decides against the timer and cancellers).
	 */
	void abandonArmed() {
		if (tryStealFromTimer()) {
			abandon(this.queuedOn, true);
		}
	}

}
