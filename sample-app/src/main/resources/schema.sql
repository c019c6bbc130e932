-- The audit trail (AuditTrail), in the sample's embedded H2 database. Runs at every start: it only adds what is missing.
CREATE TABLE IF NOT EXISTS audit_entry (
  seq         BIGINT AUTO_INCREMENT PRIMARY KEY,
  recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
  event       VARCHAR(1000) NOT NULL
);
