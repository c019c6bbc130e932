package dev.cmwq.sample.audit;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import dev.cmwq.annotation.QueueWork;

import org.springframework.stereotype.Service;

/**
 * Writes the audit trail on the {@code audit} workqueue: an ordered queue (one item at a time, first in first out),
 * so entries keep the order in which they were recorded although callers do not wait for them.
 */
@Service
public class AuditTrail {

	private static final int KEPT = 500;

	private final Object lock = new Object();

	private long sequence;                                        // lock

	private final Deque<AuditEntry> entries = new ArrayDeque<>(); // lock: newest first

	/**
	 * Records an event.
	 * @param event what happened
	 */
	@QueueWork("audit")
	public void record(String event) {
		synchronized (this.lock) {
			this.entries.addFirst(new AuditEntry(++this.sequence, Instant.now(), event));
			if (this.entries.size() > KEPT) {
				this.entries.removeLast();
			}
		}
	}

	/**
	 * The latest entries.
	 * @param limit how many at most
	 * @return newest first
	 */
	public List<AuditEntry> latest(int limit) {
		synchronized (this.lock) {
			return new ArrayList<>(this.entries).subList(0, Math.min(limit, this.entries.size()));
		}
	}

}
