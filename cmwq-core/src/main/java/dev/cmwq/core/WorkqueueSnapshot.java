package dev.cmwq.core;

import java.util.List;

/**
 * A workqueue at one moment.
 *
 * @param name the queue's name
 * @param flags its flags as written in configuration, e.g. {@code cpu-intensive}
 * @param maxActive its limit of items in flight
 * @param ordered whether it is ordered
 * @param active items of the queue running now
 * @param pending items queued and not started yet, held back ones included (delayed items still waiting for their
 * timer are not)
 * @param stats cumulative statistics
 */
public record WorkqueueSnapshot(String name, List<String> flags, int maxActive, boolean ordered, int active,
		int pending, WorkqueueStats stats) {
}
