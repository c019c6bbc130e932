/**
 * The workqueue dashboard: a single page that charts the {@code workqueues} actuator endpoint, and its
 * auto-configuration ({@code cmwq.dashboard.enabled=true}, servlet web applications only).
 */
package dev.cmwq.autoconfigure.dashboard;
