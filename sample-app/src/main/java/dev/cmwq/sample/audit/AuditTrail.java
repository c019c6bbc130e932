package dev.cmwq.sample.audit;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

import dev.cmwq.annotation.QueueWork;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Writes the audit trail on the {@code audit} workqueue: an ordered queue (one item at a time, first in first out),
 * so entries keep the order in which they were recorded although callers do not wait for them. The trail is a table
 * of the embedded H2 database; cmwq's blocking hints make each JDBC call a blocking section, so while an entry is
 * written the pool runs other queues' items without waiting for the block detector.
 */
@Service
public class AuditTrail {

	private static final int KEPT = 500;

	private final JdbcClient jdbc;

	public AuditTrail(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/**
	 * Records an event.
	 * @param event what happened
	 */
	@QueueWork("audit")
	public void record(String event) {
		this.jdbc.sql("INSERT INTO audit_entry (recorded_at, event) VALUES (?, ?)")
			.params(OffsetDateTime.now(ZoneOffset.UTC), event)
			.update();
		this.jdbc.sql("DELETE FROM audit_entry WHERE seq <= (SELECT MAX(seq) FROM audit_entry) - ?")
			.param(KEPT)
			.update();
	}

	/**
	 * The latest entries.
	 * @param limit how many at most
	 * @return newest first
	 */
	public List<AuditEntry> latest(int limit) {
		return this.jdbc.sql("SELECT seq, recorded_at, event FROM audit_entry ORDER BY seq DESC LIMIT ?")
			.param(limit)
			.query((row, n) -> new AuditEntry(row.getLong(1), row.getObject(2, OffsetDateTime.class).toInstant(),
					row.getString(3)))
			.list();
	}

}
