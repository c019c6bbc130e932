package dev.cmwq.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method as a work item on a workqueue instead of on the caller's thread, the way
 * {@code @Async} runs it on an executor. On a class, it applies to all the class's public methods; an annotation on
 * a method takes precedence over the class's.
 *
 * <pre>{@code
 * @QueueWork("thumbnails")
 * void render(long imageId) { ... }
 *
 * @QueueWork(value = "search-index", key = "#productId")
 * CompletableFuture<Void> reindex(long productId) { ... }
 * }</pre>
 *
 * <p>The method must return {@code void}, {@link java.util.concurrent.Future} or
 * {@link java.util.concurrent.CompletableFuture}; any other return type, or a workqueue that does not exist, fails
 * start-up naming the method. A {@code Future} returned by the method body (for example
 * {@code CompletableFuture.completedFuture(value)}) is unwrapped into the future the caller got. When the body
 * throws, that future completes exceptionally; for a {@code void} method the failure goes to the
 * {@link WorkErrorHandler} bean. Either way the item counts as failed in the workqueue's statistics.
 *
 * <p>Like every Spring AOP proxy, calls from the object to itself ({@code this.render(..)}) are not intercepted.
 *
 * @see WorkErrorHandler
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface QueueWork {

	/**
	 * The name of the workqueue: one declared under {@code cmwq.workqueues}, a system workqueue ({@code events},
	 * {@code events_highpri}, {@code events_long}, {@code events_unbound}, {@code events_freezable}) or a
	 * {@code Workqueue} bean of that name. Placeholders such as {@code ${app.queue}} are resolved.
	 * @return the workqueue's name
	 */
	String value() default "events";

	/**
	 * How long to wait before the item is queued, like {@code queue_delayed_work}: a duration such as {@code 2s},
	 * {@code 500ms} or {@code PT2S}, or a number of milliseconds. Placeholders are resolved. Empty for no delay.
	 * Delayed items still waiting when the application shuts down are cancelled; their futures complete with a
	 * {@link java.util.concurrent.CancellationException}.
	 * @return the delay
	 */
	String delay() default "";

	/**
	 * The logical CPU whose pool runs the item, like {@code queue_work_on}; -1 for the caller's. Ignored by unbound
	 * workqueues. A CPU the system does not have fails start-up.
	 * @return the CPU, or -1
	 */
	int cpu() default -1;

	/**
	 * A SpEL expression over the method's arguments ({@code #productId}, or by position {@code #p0} or {@code #a0};
	 * {@code #root} is the target bean and {@code @name} another bean) that identifies the work. While an invocation of this method with an equal key is pending (queued and not started),
	 * another call does not queue a second run: it returns the pending invocation's future, like queueing a work
	 * item whose pending bit is set. Once the invocation starts running, the next call queues a new one. Keys are
	 * per method and target bean: calls of different methods never share an invocation. A {@code null} key does not
	 * coalesce. Empty for no coalescing.
	 * @return the key expression
	 */
	String key() default "";

}
