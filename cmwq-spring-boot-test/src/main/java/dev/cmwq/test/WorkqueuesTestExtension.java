package dev.cmwq.test;

import java.time.Duration;
import java.util.stream.Collectors;

import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContext;
import org.springframework.test.context.junit.jupiter.SpringExtension;

/**
 * After each test of a Spring test class, waits until the application's workqueues are idle, for
 * {@code cmwq.test.await-idle} (set by {@link AutoConfigureWorkqueues#awaitIdle()}), and fails the test, naming
 * the busy workqueues, if they are not.
 */
public class WorkqueuesTestExtension implements AfterEachCallback {

	@Override
	public void afterEach(ExtensionContext extensionContext) {
		awaitIdle(SpringExtension.getApplicationContext(extensionContext));
	}

	static void awaitIdle(ApplicationContext context) {
		Duration timeout = Binder.get(context.getEnvironment())
			.bind("cmwq.test.await-idle", Duration.class)
			.orElse(Duration.ofSeconds(10));
		WorkqueueSystem system = context.getBeanProvider(WorkqueueSystem.class).getIfAvailable();
		if (system == null || timeout.isZero() || system.awaitIdle(timeout)) {
			return;
		}
		String busy = system.snapshot()
			.workqueues()
			.stream()
			.filter((queue) -> queue.pending() > 0 || queue.active() > 0)
			.map((queue) -> queue.name() + " (" + queue.active() + " active, " + queue.pending() + " pending)")
			.collect(Collectors.joining(", "));
		throw new AssertionError("The workqueues were not idle " + timeout.toMillis() + " ms after the test"
				+ (busy.isEmpty() ? " (delayed or held items)" : ": " + busy));
	}

}
