/**
 * {@code @Async} on workqueues: failures of {@code @Async("name")} methods count as failed items
 * ({@link dev.cmwq.autoconfigure.async.AsyncWorkItem}, {@link dev.cmwq.autoconfigure.async.AsyncFailureInterceptor}),
 * and {@code cmwq.async.default-workqueue} makes a workqueue the application's task executor
 * ({@link dev.cmwq.autoconfigure.async.WorkqueueTaskExecutor}).
 */
package dev.cmwq.autoconfigure.async;
