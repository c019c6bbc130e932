package dev.cmwq.sample.audit;

import java.time.Instant;

/**
 * One line of the audit trail.
 * @param sequence its position: the trail is written in the order events were recorded
 * @param at when it was written
 * @param event what happened
 */
public record AuditEntry(long sequence, Instant at, String event) {
}
