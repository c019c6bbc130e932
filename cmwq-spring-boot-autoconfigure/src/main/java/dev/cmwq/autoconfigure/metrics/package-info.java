/**
 * Micrometer metrics of the workqueue system ({@code cmwq.*}) and their auto-configuration.
 */
package dev.cmwq.autoconfigure.metrics;
