/**
 * Auto-configuration of the {@code cmwq.*} Micrometer metrics; the binder is
 * {@code dev.cmwq.spring.metrics.WorkqueueMetrics}.
 */
package dev.cmwq.autoconfigure.metrics;
