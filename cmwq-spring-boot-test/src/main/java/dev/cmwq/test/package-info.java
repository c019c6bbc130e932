/**
 * Test support for applications that use cmwq: {@link dev.cmwq.test.AutoConfigureWorkqueues}.
 */
package dev.cmwq.test;
