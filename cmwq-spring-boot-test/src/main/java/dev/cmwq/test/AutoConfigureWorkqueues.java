package dev.cmwq.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.context.PropertyMapping;

/**
 * For Spring Boot tests of applications that queue work: after each test, waits until no workqueue has anything
 * pending, delayed, held or running ({@code WorkqueueSystem.awaitIdle}), so that work one test queued cannot leak
 * into the next, and fails the test if they do not settle in time. Optionally runs chosen workqueues inline, on the
 * calling thread, so that a unit test sees the effect of a queued call as soon as the call returns.
 *
 * <p>It imports the cmwq auto-configurations (the workqueue system and its beans, {@code @QueueWork}, {@code @Async}
 * on workqueues, observations and blocking hints), so that test slices such as {@code @WebMvcTest} queue work as the
 * application does; a test whose context still has no {@code WorkqueueSystem} (with {@code cmwq.enabled=false})
 * fails to start rather than run {@code @QueueWork} methods on the test's thread.
 *
 * <pre>{@code
 * @SpringBootTest
 * @AutoConfigureWorkqueues(inline = "audit")
 * class CheckoutTests { ... }
 * }</pre>
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(WorkqueuesTestExtension.class)
@ImportAutoConfiguration
@PropertyMapping("cmwq.test")
public @interface AutoConfigureWorkqueues {

	/**
	 * How long to wait after each test for the workqueues to become idle; {@code 0} does not wait.
	 * @return a duration such as {@code 10s}
	 */
	String awaitIdle() default "10s";

	/**
	 * Workqueues whose items run inline, on the thread that queues them, when queued through their beans (so
	 * {@code @QueueWork} and {@code @Async("name")} calls on them return once the method has run). Only the
	 * scheduling differs: the bean's task decorators and observations apply, the pending bit holds, and each run is
	 * counted, timed and its failure handled as the workqueue does (never thrown at the caller); delays are skipped
	 * and limits, order and freezing hold nothing back. A name that is not a workqueue fails the test's start.
	 * @return workqueue names
	 */
	String[] inline() default {};

}
