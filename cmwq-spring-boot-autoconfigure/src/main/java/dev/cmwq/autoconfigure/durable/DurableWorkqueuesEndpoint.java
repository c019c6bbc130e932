package dev.cmwq.autoconfigure.durable;

import java.util.List;

import dev.cmwq.spring.durable.DurableQueueStatistics;
import dev.cmwq.spring.durable.JdbcDurableQueues;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * The {@code durableworkqueues} actuator endpoint ({@code GET /actuator/durableworkqueues}): each durable workqueue's
 * stored backlog and dead letters (all instances), the live claims of each instance, and what this instance holds
 * and has done with its items. The table is counted at each request.
 */
@Endpoint(id = "durableworkqueues", defaultAccess = Access.READ_ONLY)
public class DurableWorkqueuesEndpoint {

	private final JdbcDurableQueues queues;

	/**
	 * Creates the endpoint.
	 * @param queues the durable workqueues
	 */
	public DurableWorkqueuesEndpoint(JdbcDurableQueues queues) {
		this.queues = queues;
	}

	/**
	 * Every durable workqueue.
	 * @return this instance's id and the workqueues
	 */
	@ReadOperation
	public DurableWorkqueuesDescriptor durableWorkqueues() {
		return new DurableWorkqueuesDescriptor(this.queues.instanceId(), this.queues.statistics(true));
	}

	/**
	 * The endpoint's answer.
	 * @param instance the id this instance claims items under
	 * @param workqueues each durable workqueue
	 */
	public record DurableWorkqueuesDescriptor(String instance, List<DurableQueueStatistics> workqueues)
			implements OperationResponseBody {
	}

}
