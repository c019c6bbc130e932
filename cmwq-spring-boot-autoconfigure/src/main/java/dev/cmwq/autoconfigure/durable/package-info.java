/**
 * Auto-configuration of durable workqueues ({@code cmwq.workqueues.<name>.durable: true}, {@code cmwq.durable.*}):
 * the table's initialization, the {@code dev.cmwq.spring.durable.JdbcDurableQueues} on the application's
 * {@code DataSource}, their metrics and the {@code durableworkqueues} actuator endpoint, and the start-up failure
 * when they cannot be set up.
 */
package dev.cmwq.autoconfigure.durable;
