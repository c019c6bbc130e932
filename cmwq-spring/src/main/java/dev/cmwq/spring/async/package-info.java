/**
 * {@code @Async} on workqueues: failures of {@code @Async("name")} methods count as failed items
 * ({@link dev.cmwq.spring.async.AsyncWorkItem}, {@link dev.cmwq.spring.async.AsyncFailureInterceptor}), and a
 * workqueue as the application's task executor ({@link dev.cmwq.spring.async.WorkqueueTaskExecutor}).
 */
package dev.cmwq.spring.async;
