/**
 * Auto-configuration of {@code @Async} on workqueues ({@code cmwq.async.default-workqueue}); the integration itself
 * is in {@code dev.cmwq.spring.async}.
 */
package dev.cmwq.autoconfigure.async;
