/**
 * cmwq for Spring Framework applications, without Boot: workqueue beans that are Spring task executors and apply
 * the application's task decorators ({@link dev.cmwq.spring.SpringWorkqueue},
 * {@link dev.cmwq.spring.WorkqueueTaskDecorator}), work items whose futures complete from the engine's one answer
 * ({@link dev.cmwq.spring.FutureWork}), and the lifecycle that drains the workqueues on shutdown
 * ({@link dev.cmwq.spring.WorkqueueSystemLifecycle}). Sub-packages: {@code aop} ({@code @QueueWork} and its
 * ahead-of-time hints), {@code async}
 * ({@code @Async} on workqueues), {@code blocking} (blocking hints), {@code durable} (durable workqueues on
 * Spring JDBC), {@code metrics} (a Micrometer binder) and
 * {@code observation} (Micrometer observations of items). Nothing here depends on Spring Boot.
 */
package dev.cmwq.spring;
