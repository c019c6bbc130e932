/**
 * {@code @Async} on workqueues: failures of {@code @Async("name")} methods count as failed items, and reach Spring's
 * {@code AsyncUncaughtExceptionHandler} or the caller's future as Spring's contract says
 * ({@link dev.cmwq.spring.async.AsyncFailureInterceptor}); a workqueue as the application's task executor
 * ({@link dev.cmwq.spring.async.WorkqueueTaskExecutor}). The futures come from
 * {@link dev.cmwq.spring.SpringWorkqueue}, the workqueue beans.
 */
package dev.cmwq.spring.async;
