/**
 * {@link dev.cmwq.annotation.QueueWork @QueueWork}: the advisor and interceptor that turn a call into a work item
 * on the named workqueue ({@link dev.cmwq.spring.aop.QueueWorkInterceptor}, {@link dev.cmwq.spring.aop.QueueWorkTask},
 * {@link dev.cmwq.spring.aop.QueueWorkCall}),
 * the one finder of the methods it covers ({@link dev.cmwq.spring.aop.QueueWorkAnnotations}), the start-up checks of
 * annotated methods ({@link dev.cmwq.spring.aop.QueueWorkMethods}), the ahead-of-time hints for the methods it covers
 * ({@link dev.cmwq.spring.aop.QueueWorkBeanRegistrationAotProcessor}), the default
 * {@link dev.cmwq.annotation.WorkErrorHandler}, and the extension point durable workqueues plug into
 * ({@link dev.cmwq.spring.aop.DurableQueues}).
 */
package dev.cmwq.spring.aop;
