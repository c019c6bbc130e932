/**
 * Auto-configuration of the context propagation into work items and of the {@code cmwq.work} observations
 * ({@code cmwq.observations.enabled}); the types are in {@code dev.cmwq.spring.observation}.
 */
package dev.cmwq.autoconfigure.observation;
