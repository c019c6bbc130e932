/**
 * The {@code workqueues} actuator endpoint and its auto-configuration.
 */
package dev.cmwq.autoconfigure.actuate;
