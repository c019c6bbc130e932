package dev.cmwq.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.cmwq.core.VirtualThreadMode;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueSystem;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code spring.threads.virtual.enabled=true} on JDK 21+ (the build runs this class on JDK 25, by its tag): every
 * queue's items run on virtual threads, in the mode {@code cmwq.virtual-threads.mode} picks, said in one INFO line;
 * context propagation (MDC) reaches them.
 */
@Tag("jdk21")
@ExtendWith(OutputCaptureExtension.class)
class VirtualThreadsTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(TaskExecutionAutoConfiguration.class, CmwqAutoConfiguration.class))
		.withPropertyValues("spring.threads.virtual.enabled=true", "cmwq.workqueues.thumbnails.max-active=4");

	@BeforeAll
	static void jdk21() {
		assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
	}

	@BeforeEach
	void registerMdcAccessor() {
		ContextRegistry.getInstance().registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
	}

	@AfterEach
	void removeMdcAccessor() {
		ContextRegistry.getInstance().removeThreadLocalAccessor(Slf4jThreadLocalAccessor.KEY);
		MDC.clear();
	}

	@Test
	void itemsRunOnVirtualThreadsWithTheJdkSchedulerByDefault(CapturedOutput output) {
		this.runner.run((context) -> {
			assertThat(context.getBean(WorkqueueSystem.class).virtualThreadMode()).isEqualTo(VirtualThreadMode.SCHEDULER);
			assertThat(threadOfAnItem(context.getBean("thumbnails", Workqueue.class))).startsWith("virtual cmwq-");
			assertThat(threadOfAnItem(context.getBean("events_unbound", Workqueue.class))).startsWith("virtual cmwq-");
		});
		assertThat(output).contains("cmwq: items run on virtual threads, mode scheduler");
	}

	@Test
	void theModePropertyChoosesManagedOrOff(CapturedOutput output) {
		this.runner.withPropertyValues("cmwq.virtual-threads.mode=managed").run((context) -> {
			assertThat(context.getBean(WorkqueueSystem.class).virtualThreadMode()).isEqualTo(VirtualThreadMode.MANAGED);
			assertThat(threadOfAnItem(context.getBean("thumbnails", Workqueue.class))).startsWith("virtual cmwq-");
		});
		assertThat(output).contains("cmwq: items run on virtual threads, mode managed");
		this.runner.withPropertyValues("cmwq.virtual-threads.mode=off").run((context) -> {
			assertThat(context.getBean(WorkqueueSystem.class).virtualThreadMode()).isEqualTo(VirtualThreadMode.OFF);
			assertThat(threadOfAnItem(context.getBean("thumbnails", Workqueue.class))).startsWith("platform cmwq-");
		});
		assertThat(output).contains("cmwq: workers are platform threads (cmwq.virtual-threads.mode=off)");
	}

	@Test
	void withPropagateContextMdcReachesItemsOnVirtualThreads() {
		this.runner.withPropertyValues("spring.task.execution.propagate-context=true").run((context) -> {
			MDC.put("requestId", "r-21");
			try {
				CompletableFuture<String> seen = new CompletableFuture<>();
				context.getBean("thumbnails", Workqueue.class)
					.execute(() -> seen.complete(isVirtual() + " " + MDC.get("requestId")));
				assertThat(seen.get(30, TimeUnit.SECONDS)).isEqualTo("true r-21");
			}
			finally {
				MDC.remove("requestId");
			}
			CompletableFuture<String> after = new CompletableFuture<>();
			context.getBean("thumbnails", Workqueue.class).execute(() -> after.complete(MDC.get("requestId")));
			assertThat(after.get(30, TimeUnit.SECONDS)).isNull(); // nothing left behind on the worker
		});
	}

	private static String threadOfAnItem(Workqueue wq) throws Exception {
		CompletableFuture<String> seen = new CompletableFuture<>();
		wq.execute(() -> seen.complete((isVirtual() ? "virtual " : "platform ") + Thread.currentThread().getName()));
		return seen.get(30, TimeUnit.SECONDS);
	}

	private static boolean isVirtual() {
		try {
			return (boolean) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread());
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
