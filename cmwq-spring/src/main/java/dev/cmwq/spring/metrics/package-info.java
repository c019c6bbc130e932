/**
 * A Micrometer binder for the metrics of a workqueue system ({@code cmwq.*}):
 * {@link dev.cmwq.spring.metrics.WorkqueueMetrics}.
 */
package dev.cmwq.spring.metrics;
