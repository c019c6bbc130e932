/**
 * Blocking hints: what Spring applications block on (JDBC, {@code RestClient} / {@code RestTemplate}) announces
 * itself with {@link dev.cmwq.core.Blocking#begin()} when it runs in a work item, and Reactor's {@code block()}
 * (so {@code WebClient}) with {@link dev.cmwq.core.Blocking#expect()}, so that concurrency management starts the
 * pool's next item at once instead of waiting for the block detector.
 */
package dev.cmwq.spring.blocking;
