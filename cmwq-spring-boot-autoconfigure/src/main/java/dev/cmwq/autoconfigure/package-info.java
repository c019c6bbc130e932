/**
 * Spring Boot auto-configuration of cmwq: the {@code cmwq.*} properties and their validation, the
 * {@code WorkqueueSystem} and one bean per declared workqueue, and {@code @QueueWork}. Everything here only
 * configures what {@code cmwq-core} and {@code cmwq-spring} provide.
 */
package dev.cmwq.autoconfigure;
