package dev.cmwq.core;

import java.util.concurrent.ScheduledFuture;

/**
 * A work item that can be queued after a delay, like the kernel's {@code delayed_work}. While its timer runs the
 * item is pending: queueing it again returns false, {@link #cancel()} stops the timer, and
 * {@link Workqueue#modDelayed(DelayedWork, java.time.Duration)} moves it.
 */
public class DelayedWork extends Work {

	/**
	 * The armed timer, or null. Written by the PENDING holder when arming, and by whoever stops or fires it.
	 */
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
		ScheduledFuture<?> t = this.timer;
		return t != null && !t.isDone();
	}

	void armed(ScheduledFuture<?> timer) {
		this.timer = timer;
	}

	@Override
	boolean tryStealFromTimer() {
		ScheduledFuture<?> t = this.timer;
		if (t != null && t.cancel(false)) {
			this.timer = null;
			DefaultWorkqueue wq = this.queuedOn;
			if (wq != null) {
				wq.armed.remove(this);
			}
			resolve();
			return true;
		}
		return false;
	}

}
