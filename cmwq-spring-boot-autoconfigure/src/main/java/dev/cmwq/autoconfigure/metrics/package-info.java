/**
 * Auto-configuration of the {@code cmwq.*} Micrometer metrics, and of the {@code executor.*} meters of a workqueue
 * that is the application's task executor; the binders are in {@code dev.cmwq.spring.metrics}.
 */
package dev.cmwq.autoconfigure.metrics;
