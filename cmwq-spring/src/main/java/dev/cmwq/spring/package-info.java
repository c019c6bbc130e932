/**
 * cmwq for Spring Framework applications, without Boot: workqueue beans that apply the application's task
 * decorators ({@link dev.cmwq.spring.DecoratingWorkqueue}, {@link dev.cmwq.spring.WorkqueueTaskDecorator}), the
 * lifecycle that drains the workqueues on shutdown ({@link dev.cmwq.spring.WorkqueueSystemLifecycle}), and the
 * ahead-of-time hints for {@code @QueueWork} beans. Sub-packages: {@code aop} ({@code @QueueWork}), {@code async}
 * ({@code @Async} on workqueues), {@code blocking} (blocking hints), {@code durable} (durable workqueues on Spring
 * JDBC), {@code metrics} (a Micrometer binder) and {@code observation} (Micrometer observations of items). Nothing
 * here depends on Spring Boot.
 */
package dev.cmwq.spring;
