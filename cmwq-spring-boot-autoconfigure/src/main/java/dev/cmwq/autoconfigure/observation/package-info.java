/**
 * Auto-configuration of the {@code cmwq.work} observations ({@code cmwq.observations.enabled}); the observation
 * types are in {@code dev.cmwq.spring.observation}.
 */
package dev.cmwq.autoconfigure.observation;
