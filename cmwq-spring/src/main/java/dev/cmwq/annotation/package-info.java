/**
 * The annotations and callbacks an application writes against: {@link dev.cmwq.annotation.QueueWork} and
 * {@link dev.cmwq.annotation.WorkErrorHandler}.
 */
package dev.cmwq.annotation;
