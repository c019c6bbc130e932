package dev.cmwq.core;

import java.util.Set;

/**
 * A workqueue at one moment.
 *
 * @param name the queue's name
 * @param flags the flags it was made with (the same set as {@link Workqueue#flags()})
 * @param maxActive its limit of items in flight
 * @param ordered whether it is ordered
 * @param active items of the queue running now
 * @param pending items queued and not started yet, held back ones included (delayed items still waiting for their
 * timer are not)
 * @param stats cumulative statistics
 */
public record WorkqueueSnapshot(String name, Set<WorkqueueFlag> flags, int maxActive, boolean ordered, int active,
		int pending, WorkqueueStats stats) {
}
