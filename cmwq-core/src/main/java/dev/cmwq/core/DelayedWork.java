package dev.cmwq.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ScheduledFuture;

/**
 * A work item that can be queued after a delay, like the kernel's {@code delayed_work}. While its timer runs the
 * item is pending: queueing it again returns false, {@link #cancel()} stops the timer, and
 * {@link Workqueue#modDelayed(DelayedWork, java.time.Duration)} moves it.
 *
 * <p>Who gets a pending instance out of the timer is decided by one CAS on {@link #arming}, not by
 * {@link ScheduledFuture#cancel}: a future's cancel also succeeds while its task is already running, which would
 * let a canceller and the firing timer both believe they own the item. Each arming has its own generation, so a
 * late timer of an earlier arming cannot take a later one (generations are compared for equality and repeat only
 * after 2^31 armings of the item).
 */
public class DelayedWork extends Work {

	private static final VarHandle ARMING;

	private static final VarHandle TIMER;

	/** The bit of {@link #arming} set while the arming's timer holds the item. */
	private static final int ARMED = 1;

	static {
		try {
			ARMING = MethodHandles.lookup().findVarHandle(DelayedWork.class, "arming", int.class);
			TIMER = MethodHandles.lookup().findVarHandle(DelayedWork.class, "timer", ArmedTimer.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/**
	 * The latest arming: its generation (armings so far, modulo 2^31) shifted left by one, plus {@link #ARMED} while
	 * its timer holds the item. Set by the PENDING holder as it arms ({@link #arm(int)}); the ARMED bit is cleared only
	 * by a CAS. P, C.
	 */
	private volatile int arming;

	/**
	 * The latest arming's timer, to drop it early when the item is taken out of it (a best effort; see the class
	 * comment). Set by the arming's PENDING holder once the timer exists, which may be after the item was taken out
	 * of it ({@link #armed}). V
	 */
	private volatile ArmedTimer timer;

	/** A timer with the arming it fires. */
	private record ArmedTimer(int arming, ScheduledFuture<?> future) {
	}

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
		return (this.arming & ARMED) != 0;
	}

	/**
	 * The next arming, for the PENDING holder to enter in its queue's armed set before it publishes it with
	 * {@link #arm(int)}. P
	 */
	int nextArming() {
		int previous = this.arming;
		assert (previous & ARMED) == 0 : this + " armed twice";
		return (previous | ARMED) + 2; // the next generation, ARMED
	}

	/** The PENDING holder starts arming {@code armed} ({@link #nextArming()}), which its timer gives {@link #fire}. P */
	void arm(int armed) {
		assert armed == nextArming();
		this.arming = armed;
	}

	/**
	 * The timer of arming {@code armed} exists: kept, so that whoever takes the item out of it drops it. If the item
	 * was taken out meanwhile, or is taken out now, the taker may have missed the timer: then it is dropped here, or
	 * it would stay in the timer's queue until its delay ends (a modDelayed's steal between {@code arm()} and this
	 * call used to leave it there, and the stale timer overwrote the next arming's). The taker clears ARMED, then
	 * reads {@link #timer}; this sets {@code timer}, then reads {@link #arming}: one of the two sees the other.
	 */
	void armed(int armed, ScheduledFuture<?> timer) {
		ArmedTimer seen = this.timer;
		if (this.arming != armed || !TIMER.compareAndSet(this, seen, new ArmedTimer(armed, timer))
				|| this.arming != armed) {
			timer.cancel(false); // only this arming's timer, which fire() would find nothing for
		}
	}

	/** The timer of arming {@code armed} fired: true if the item is still its to link. */
	boolean fire(int armed) {
		return ARMING.compareAndSet(this, armed, armed & ~ARMED);
	}

	@Override
	boolean tryStealFromTimer() {
		int armed = this.arming;
		if ((armed & ARMED) == 0 || !ARMING.compareAndSet(this, armed, armed & ~ARMED)) {
			return false;
		}
		ArmedTimer t = this.timer;
		if (t != null && t.arming == armed) {
			t.future.cancel(false); // only to drop the task early; if it already runs, fire() will find nothing
		}
		this.queuedOn.armed.remove(this, armed); // set before the timer was armed, and not changed while pending
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
