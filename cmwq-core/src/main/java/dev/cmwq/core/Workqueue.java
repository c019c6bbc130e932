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

	/** The {@link #capacity()} of a queue that does not bound its pending items (the default). */
	int UNBOUNDED = WorkqueueLimits.UNBOUNDED_CAPACITY;

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
	 * shutting down, or if it is full and its {@link #overflow()} policy refuses the item
	 */
	boolean queue(Work work);

	/**
	 * Queues the item on the given CPU's pool, like {@code queue_work_on}. For an unbound queue the CPU is ignored.
	 * @param cpu a logical CPU, online or not
	 * @param work the item
	 * @return false if it was already pending
	 * @throws IllegalArgumentException if the CPU does not exist
	 * @throws java.util.concurrent.RejectedExecutionException as {@link #queue(Work)}
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
	 * @throws java.util.concurrent.RejectedExecutionException as {@link #queue(Work)}; a full
	 * {@link Overflow#CALLER_RUNS} queue rejects an item with a delay, which its caller cannot run
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
	 * @throws java.util.concurrent.RejectedExecutionException as {@link #queueDelayed}, only for an idle item: moving
	 * a pending one is never refused
	 */
	boolean modDelayed(DelayedWork work, Duration delay);

	/**
	 * Waits until every item queued before this call has finished, like {@code flush_workqueue}. Items queued
	 * meanwhile are not waited for, nor are items run by their callers ({@link Overflow#CALLER_RUNS}). The wait
	 * counts as blocking for concurrency management. Flushing another queue from an item is fine.
	 * @throws IllegalStateException naming the queue and the operation if called from one of this queue's own items,
	 * which it would wait for: for itself (nothing has changed then)
	 */
	void flush();

	/**
	 * Like {@link #flush()}, but gives up after {@code timeout}.
	 * @param timeout how long to wait at most
	 * @return true if everything queued before the call finished in time
	 * @throws IllegalStateException if called from one of this queue's own items (see {@link #flush()})
	 */
	boolean flush(Duration timeout);

	/**
	 * Flushes until the queue is empty, like {@code drain_workqueue}. Meanwhile only the queue's own items may
	 * queue more of its items; other callers get a {@link java.util.concurrent.RejectedExecutionException}.
	 * @throws IllegalStateException if called from one of this queue's own items (see {@link #flush()}); the queue
	 * is not draining then
	 */
	void drain();

	/**
	 * Drains the queue, then removes it from its system, like {@code destroy_workqueue}. Queueing afterwards
	 * throws {@link java.util.concurrent.RejectedExecutionException}.
	 * @throws IllegalStateException if called from one of this queue's own items (see {@link #flush()})
	 */
	void destroy();

	/**
	 * Changes the queue's limit of items in flight, like {@code workqueue_set_max_active}.
	 * @param maxActive 0 for the default 256, else within the queue's range
	 * @throws IllegalArgumentException naming the queue and the value when out of range, or for an ordered queue
	 */
	void setMaxActive(int maxActive);

	/**
	 * Bounds the queue's pending items and says what a queueing that finds it full does (Spring's executors call this
	 * the queue capacity and the rejection policy; the kernel has no such bound). An item is <em>pending</em> here
	 * from the queueing call that accepts it until it starts or is cancelled: waiting for its delay timer, waiting
	 * for a worker, or held back by max-active or by a freeze. Running items do not count (max-active bounds them).
	 * Queueing an item that is already pending returns false and never counts, whatever the policy. Items pending
	 * when a bound is set do not count against it; {@link #modDelayed} moving an item pending on another queue here
	 * takes a place without waiting, even when full. Whatever is refused throws {@link
	 * java.util.concurrent.RejectedExecutionException} naming the queue and its capacity and is counted in {@link
	 * WorkqueueStats#rejected()}; nothing accepted is dropped. A caller that holds a lock an item needs must not use
	 * {@link Overflow#BLOCK}.
	 * @param capacity the most pending items, 1 or more; {@link #UNBOUNDED} (the default) for no bound
	 * @param overflow what a queueing does when the queue is full
	 * @param overflowTimeout how long a {@link Overflow#BLOCK} queueing waits for room before it is rejected (zero
	 * rejects at once); not used by the other policies
	 * @throws IllegalArgumentException naming the queue and the bad value: a capacity below 1, a bad timeout, or
	 * {@link Overflow#CALLER_RUNS} on an ordered or freezable queue
	 */
	void setCapacity(int capacity, Overflow overflow, Duration overflowTimeout);

	/**
	 * The most pending items the queue accepts.
	 * @return the capacity, {@link #UNBOUNDED} if it has none
	 */
	int capacity();

	/**
	 * What a queueing that finds the queue full does.
	 * @return the policy, {@link Overflow#REJECT} by default
	 */
	Overflow overflow();

	/**
	 * How long a {@link Overflow#BLOCK} queueing waits for room.
	 * @return the timeout, {@link WorkqueueLimits#DEFAULT_OVERFLOW_TIMEOUT} by default
	 */
	Duration overflowTimeout();

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
