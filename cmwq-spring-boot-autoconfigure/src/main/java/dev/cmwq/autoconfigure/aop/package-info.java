/**
 * The failure analyzer that turns an invalid {@code @QueueWork} method into a readable start-up failure.
 */
package dev.cmwq.autoconfigure.aop;
