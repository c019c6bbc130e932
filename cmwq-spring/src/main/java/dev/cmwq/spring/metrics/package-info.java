/**
 * Micrometer binders: the metrics of a workqueue system ({@code cmwq.*}),
 * {@link dev.cmwq.spring.metrics.WorkqueueMetrics}, and a workqueue used as an executor with the {@code executor.*}
 * meters Micrometer gives executors, {@link dev.cmwq.spring.metrics.WorkqueueExecutorMetrics}.
 */
package dev.cmwq.spring.metrics;
