package dev.cmwq.spring.durable;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import dev.cmwq.core.Work;

/**
 * One stored call this instance holds: claimed in the table and queued on its workqueue here.
 *
 * <h2>States</h2>
 * <pre>
 *   QUEUED  --a worker takes it-------------------&gt; RUNNING
 *   QUEUED  --shutdown releases it----------------&gt; RELEASED  its work item is cancelled; should a worker take it
 *                                                             anyway, it does nothing
 *   QUEUED  --the workqueue refuses it------------&gt; RELEASED  its claim is given up for any instance to take
 *   RUNNING --failed, to be tried again here------&gt; QUEUED    queued again after the retry delay
 *   RUNNING --ran, failed for good, lost its claim,
 *             or failed while shutting down--------&gt; DONE
 * </pre>
 * QUEUED to RUNNING and QUEUED to RELEASED race (a worker, shutdown); a compare-and-set decides. Only the worker
 * running an item moves it out of RUNNING. {@link LocalQueue} makes every move, so that its counts follow.
 */
final class DurableItem implements Runnable {

	static final int QUEUED = 0;

	static final int RUNNING = 1;

	static final int RELEASED = 2;

	static final int DONE = 3;

	/** I: the row's id. */
	final long id;

	/** I: its workqueue here. */
	final LocalQueue queue;

	/** I: the bean whose method runs it. */
	final String bean;

	/** I: the method's signature. */
	final String method;

	/** I: the stored arguments. */
	final String arguments;

	/** W: how many times it has been started (by any instance); changed by the worker running it. */
	int attempts;

	/** W: when it may start; changed by the worker running it when it is to be tried again. */
	Instant notBefore;

	/** The work item that runs it now; set before each queueing. */
	volatile Work work;

	private final JdbcDurableQueues owner;

	private final AtomicInteger state = new AtomicInteger(QUEUED);

	DurableItem(JdbcDurableQueues owner, LocalQueue queue, long id, String bean, String method, String arguments,
			int attempts, Instant notBefore) {
		this.owner = owner;
		this.queue = queue;
		this.id = id;
		this.bean = bean;
		this.method = method;
		this.arguments = arguments;
		this.attempts = attempts;
		this.notBefore = notBefore;
	}

	@Override
	public void run() {
		this.owner.run(this);
	}

	int state() {
		return this.state.get();
	}

	/** For {@link LocalQueue}: moves from one state to another if it is in the first. */
	boolean move(int from, int to) {
		return this.state.compareAndSet(from, to);
	}

	@Override
	public String toString() {
		return "durable item " + this.id + " on " + this.queue.name + ": " + this.bean + "." + this.method;
	}

}
