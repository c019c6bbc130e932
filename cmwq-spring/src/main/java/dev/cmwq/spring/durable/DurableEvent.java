package dev.cmwq.spring.durable;

import java.util.Locale;

/**
 * What happens to durable items on an instance, counted per workqueue (the {@code event} tag of the
 * {@code cmwq.durable.items} counter).
 */
public enum DurableEvent {

	/** A call was stored. */
	STORED,

	/** A call was not stored because a call with its key was pending already. */
	COALESCED,

	/** A row stored or released by an instance, or held by one whose lease ran out, was claimed from the table. */
	CLAIMED,

	/** A run ended and its row was removed. */
	COMPLETED,

	/** A run failed and the item is to be tried again. */
	RETRIED,

	/** An item failed as many times as it may and became a dead letter. */
	DEAD,

	/** A claim was given up for another instance: at shutdown, or when the workqueue refused the item. */
	RELEASED,

	/** The instance had lost its claim when it came to start or remove an item: another instance took it over. */
	LOST;

	/**
	 * The event's name in metrics and JSON.
	 * @return such as {@code completed}
	 */
	public String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

}
