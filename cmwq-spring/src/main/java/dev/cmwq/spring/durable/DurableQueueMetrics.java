package dev.cmwq.spring.durable;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of durable workqueues, tagged {@code workqueue}:
 * <ul>
 * <li>{@code cmwq.durable.backlog} gauge: rows stored and not finished, on any instance (as last counted)</li>
 * <li>{@code cmwq.durable.dead} gauge: dead letters (as last counted)</li>
 * <li>{@code cmwq.durable.claimed} gauge: items this instance holds, started or not</li>
 * <li>{@code cmwq.durable.items} counter, tag {@code event} ({@link DurableEvent#tag()}): stored, coalesced,
 * claimed, completed, retried, dead, released, lost, on this instance</li>
 * </ul>
 * The table is counted every third of the lease, so the first two trail it by that much.
 */
public class DurableQueueMetrics implements MeterBinder {

	private final JdbcDurableQueues queues;

	/**
	 * Creates the binder.
	 * @param queues the durable workqueues
	 */
	public DurableQueueMetrics(JdbcDurableQueues queues) {
		this.queues = queues;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (LocalQueue queue : this.queues.localQueues()) {
			Gauge.builder("cmwq.durable.backlog", queue, (local) -> local.table.backlog())
				.tag("workqueue", queue.name)
				.description("Items of a durable workqueue stored and not finished, on any instance")
				.register(registry);
			Gauge.builder("cmwq.durable.dead", queue, (local) -> local.table.dead())
				.tag("workqueue", queue.name)
				.description("Dead letters of a durable workqueue: items that failed as often as they may")
				.register(registry);
			Gauge.builder("cmwq.durable.claimed", queue, LocalQueue::held)
				.tag("workqueue", queue.name)
				.description("Items of a durable workqueue this instance holds, started or not")
				.register(registry);
			for (DurableEvent event : DurableEvent.values()) {
				FunctionCounter.builder("cmwq.durable.items", queue, (local) -> local.count(event))
					.tags("workqueue", queue.name, "event", event.tag())
					.description("What happened to the items of a durable workqueue on this instance")
					.register(registry);
			}
		}
	}

}
