package dev.cmwq.core;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A named domain of work items with shared attributes, served by the shared worker pools of its
 * {@link WorkqueueSystem} (the kernel's {@code workqueue_struct}). Made by
 * {@link WorkqueueSystem#allocWorkqueue(String, Set, int)}.
 */
public interface Workqueue extends Executor {

	/**
	 * The queue's unique name.
	 * @return the name
	 */
	String name();

	/**
	 * The flags the queue was made with.
	 * @return an unmodifiable set
	 */
	Set<WorkqueueFlag> flags();

	/**
	 * How many items may be in flight per pool (bound) or in total (unbound).
	 * @return the current limit
	 */
	int maxActive();

	/**
	 * Whether the queue runs one item at a time in FIFO order.
	 * @return true for queues made by {@link WorkqueueSystem#allocOrderedWorkqueue}
	 */
	boolean isOrdered();

	/**
	 * Queues the item on the caller's CPU (a worker's own CPU, else a stable per-thread choice among online CPUs),
	 * like {@code queue_work}.
	 * @param work the item
	 * @return false if it was already pending (no second run is added)
	 * @throws java.util.concurrent.RejectedExecutionException if the queue is destroyed, draining, or the system is
	 * shutting down
	 */
	boolean queue(Work work);

	/**
	 * Queues the item on the given CPU's pool, like {@code queue_work_on}. For an unbound queue the CPU is ignored.
	 * @param cpu a logical CPU, online or not
	 * @param work the item
	 * @return false if it was already pending
	 * @throws IllegalArgumentException if the CPU does not exist
	 */
	boolean queueOn(int cpu, Work work);

	/**
	 * Runs the item at once on the calling thread as a request of this queue, instead of queueing it: for test
	 * doubles that run work inline, and callers that run what a queue will not take. The run is counted, reported
	 * and answered as a worker's run would be (statistics, failure handler, listeners, {@link Work#done}), and
	 * {@link Work#currentWork()} is the item while its task runs; it is not concurrency managed. While it runs the
	 * item is neither pending nor claimable: queueing it again, or {@code cancel()}, returns false, and
	 * {@code cancelSync()} waits for the run to end.
	 * @param work the item
	 * @return false if the item was pending or already running inline (nothing ran)
	 * @throws java.util.concurrent.RejectedExecutionException if the queue does not accept work
	 * @throws IllegalStateException if a previous run of the item is still going on a worker
	 */
	boolean runInline(Work work);

	/**
	 * Queues the item once {@code delay} has passed, like {@code queue_delayed_work}.
	 * @param work the item
	 * @param delay zero or positive
	 * @return false if it was already pending (its timer is left as it was)
	 */
	boolean queueDelayed(DelayedWork work, Duration delay);

	/**
	 * Queues the item on the given CPU once {@code delay} has passed, like {@code queue_delayed_work_on}.
	 * @param cpu a logical CPU, or -1 for the caller's
	 * @param work the item
	 * @param delay zero or positive
	 * @return false if it was already pending
	 */
	boolean queueDelayedOn(int cpu, DelayedWork work, Duration delay);

	/**
	 * Queues the item after {@code delay}, moving its timer if it was already pending, like {@code mod_delayed_work}.
	 * @param work the item
	 * @param delay zero or positive
	 * @return true if the item was pending and has been moved, false if it was idle and is now queued
	 */
	boolean modDelayed(DelayedWork work, Duration delay);

	/**
	 * Waits until every item queued before this call has finished, like {@code flush_workqueue}. Items queued
	 * meanwhile are not waited for. The wait counts as blocking for concurrency management.
	 */
	void flush();

	/**
	 * Like {@link #flush()}, but gives up after {@code timeout}.
	 * @param timeout how long to wait at most
	 * @return true if everything queued before the call finished in time
	 */
	boolean flush(Duration timeout);

	/**
	 * Flushes until the queue is empty, like {@code drain_workqueue}. Meanwhile only the queue's own items may
	 * queue more of its items; other callers get a {@link java.util.concurrent.RejectedExecutionException}.
	 */
	void drain();

	/**
	 * Drains the queue, then removes it from its system, like {@code destroy_workqueue}. Queueing afterwards
	 * throws {@link java.util.concurrent.RejectedExecutionException}.
	 */
	void destroy();

	/**
	 * Changes the queue's limit of items in flight, like {@code workqueue_set_max_active}.
	 * @param maxActive 0 for the default 256, else within the queue's range
	 * @throws IllegalArgumentException naming the queue and the value when out of range, or for an ordered queue
	 */
	void setMaxActive(int maxActive);

	/**
	 * Queues a fresh work item for {@code command}, like {@link #queue(Work)}.
	 * @param command what to run
	 * @throws java.util.concurrent.RejectedExecutionException if the queue does not accept work
	 */
	@Override
	void execute(Runnable command);

	/**
	 * An immutable view of this queue's state and statistics.
	 * @return the snapshot
	 */
	WorkqueueSnapshot snapshot();

}
