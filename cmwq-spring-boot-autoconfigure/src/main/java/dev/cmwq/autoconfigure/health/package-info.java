/**
 * The {@code workqueues} health contributor and its auto-configuration.
 */
package dev.cmwq.autoconfigure.health;
