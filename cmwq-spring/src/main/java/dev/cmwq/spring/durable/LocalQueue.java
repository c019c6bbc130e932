package dev.cmwq.spring.durable;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.cmwq.core.Workqueue;

/**
 * One durable workqueue as this instance sees it: the engine's workqueue its items run on, the items it holds, and
 * its counts. Every change of an item's state goes through here, so that {@link #unstarted()} and the counters
 * follow. Event counts only ever grow, and only {@link #happened} changes them.
 *
 * <p>Invariant: {@code unstarted} is the number of items in {@link #held} in state QUEUED.
 */
final class LocalQueue {

	/** I: the workqueue's name. */
	final String name;

	/** I: the engine's workqueue the items run on. */
	final Workqueue workqueue;

	/** Items this instance holds (claimed and QUEUED or RUNNING), by id. */
	private final ConcurrentMap<Long, DurableItem> held = new ConcurrentHashMap<>();

	private final AtomicInteger unstarted = new AtomicInteger();

	/** Set when rows may wait unclaimed in the table: a start that leaves room asks for a claim. */
	volatile boolean backlogInTable;

	/** What the table held at the last count; set by the scheduler. */
	volatile DurableStore.TableCounts table = DurableStore.TableCounts.NONE;

	private final LongAdder[] events = new LongAdder[DurableEvent.values().length];

	LocalQueue(String name, Workqueue workqueue) {
		this.name = name;
		this.workqueue = workqueue;
		for (int i = 0; i < this.events.length; i++) {
			this.events[i] = new LongAdder();
		}
	}

	/** Counts an event. */
	void happened(DurableEvent event) {
		this.events[event.ordinal()].increment();
	}

	/** How many times an event has happened here. */
	long count(DurableEvent event) {
		return this.events[event.ordinal()].sum();
	}

	/**
	 * Holds a new item, QUEUED.
	 * @return false if the instance holds it already (it claimed its own row again after its lease ran out)
	 */
	boolean hold(DurableItem item) {
		assert item.state() == DurableItem.QUEUED;
		if (this.held.putIfAbsent(item.id, item) != null) {
			return false;
		}
		this.unstarted.incrementAndGet();
		return true;
	}

	/** A worker starts the item: QUEUED to RUNNING; false if it was released first. */
	boolean start(DurableItem item) {
		if (!item.move(DurableItem.QUEUED, DurableItem.RUNNING)) {
			return false;
		}
		this.unstarted.decrementAndGet();
		return true;
	}

	/** The item is to run again here: RUNNING to QUEUED. */
	void requeue(DurableItem item) {
		boolean moved = item.move(DurableItem.RUNNING, DurableItem.QUEUED);
		assert moved : item;
		this.unstarted.incrementAndGet();
	}

	/** The item will not be started here: QUEUED to RELEASED; false if a worker started it first. */
	boolean release(DurableItem item) {
		if (!item.move(DurableItem.QUEUED, DurableItem.RELEASED)) {
			return false;
		}
		this.unstarted.decrementAndGet();
		this.held.remove(item.id, item);
		return true;
	}

	/** The item's time here is over: RUNNING to DONE. */
	void finish(DurableItem item) {
		boolean moved = item.move(DurableItem.RUNNING, DurableItem.DONE);
		assert moved : item;
		this.held.remove(item.id, item);
	}

	/** Releases every item not started yet; for shutdown. */
	List<DurableItem> releaseUnstarted() {
		List<DurableItem> released = new ArrayList<>();
		for (DurableItem item : this.held.values()) {
			if (release(item)) {
				released.add(item);
			}
		}
		return released;
	}

	/** How many items it holds, started or not. */
	int held() {
		return this.held.size();
	}

	/** How many items it holds that have not started. */
	int unstarted() {
		return this.unstarted.get();
	}

}
