/**
 * Auto-configuration of the blocking hints ({@code cmwq.blocking-hints.enabled}) for JDBC, Spring's HTTP clients
 * and Reactor, each when its library is present; the hints themselves are in {@code dev.cmwq.spring.blocking}.
 */
package dev.cmwq.autoconfigure.blocking;
