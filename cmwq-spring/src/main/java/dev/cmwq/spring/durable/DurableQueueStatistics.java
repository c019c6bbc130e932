package dev.cmwq.spring.durable;

import java.util.Map;

/**
 * One durable workqueue as an operator sees it: the table (all instances) and this instance.
 *
 * @param workqueue the workqueue's name
 * @param backlog rows waiting or running, on any instance (from the table's last count)
 * @param dead dead letters: rows that failed as many times as they may (from the table's last count)
 * @param claims live claims per instance (from the table's last count)
 * @param held items this instance holds, started or not
 * @param unstarted items this instance holds and has not started
 * @param events how often each {@link DurableEvent} happened here, by {@link DurableEvent#tag()}
 */
public record DurableQueueStatistics(String workqueue, long backlog, long dead, Map<String, Long> claims, int held,
		int unstarted, Map<String, Long> events) {
}
