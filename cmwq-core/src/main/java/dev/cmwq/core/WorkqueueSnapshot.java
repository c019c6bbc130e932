package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;

/**
 * A workqueue at one moment.
 *
 * @param name the queue's name
 * @param flags the flags it was made with (the same set as {@link Workqueue#flags()})
 * @param maxActive its limit of items in flight
 * @param ordered whether it is ordered
 * @param capacity its bound on pending items, {@link Workqueue#UNBOUNDED} if it has none (the same as
 * {@link Workqueue#capacity()})
 * @param overflow what a queueing does when the queue is full (the same as {@link Workqueue#overflow()}; it never
 * applies to an unbounded queue)
 * @param overflowTimeout how long a {@link Overflow#BLOCK} queueing waits for room (the same as
 * {@link Workqueue#overflowTimeout()})
 * @param active items of the queue running now
 * @param pending items queued and not started yet, held back ones included (delayed items still waiting for their
 * timer are not)
 * @param stats cumulative statistics
 */
public record WorkqueueSnapshot(String name, Set<WorkqueueFlag> flags, int maxActive, boolean ordered, int capacity,
		Overflow overflow, Duration overflowTimeout, int active, int pending, WorkqueueStats stats) {

	/**
	 * Whether the queue bounds its pending items.
	 * @return false if its capacity is {@link Workqueue#UNBOUNDED}
	 */
	public boolean bounded() {
		return this.capacity != Workqueue.UNBOUNDED;
	}

}
