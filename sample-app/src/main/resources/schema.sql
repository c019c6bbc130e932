-- The audit trail (AuditTrail), in the embedded H2 database Spring Boot starts for the sample.
CREATE TABLE IF NOT EXISTS audit_entry (
  seq         BIGINT AUTO_INCREMENT PRIMARY KEY,
  recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
  event       VARCHAR(1000) NOT NULL
);
