package dev.cmwq.test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.cmwq.autoconfigure.CmwqAutoConfiguration;
import dev.cmwq.core.Work;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link WorkqueuesTestExtension} fails a test whose work does not settle in time, naming the busy workqueue.
 */
class WorkqueuesTestExtensionTests {

	@Test
	void failsNamingTheBusyWorkqueueWhenItemsDoNotFinishInTime() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class))
			.withPropertyValues("cmwq.cpus=1", "cmwq.test.await-idle=200ms", "cmwq.workqueues.slow.max-active=0")
			.run((context) -> {
				CountDownLatch started = new CountDownLatch(1);
				CountDownLatch release = new CountDownLatch(1);
				context.getBean(WorkqueueSystem.class).workqueue("slow").orElseThrow().queue(new Work(() -> {
					started.countDown();
					try {
						release.await(60, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}));
				assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
				assertThatExceptionOfType(AssertionError.class)
					.isThrownBy(() -> WorkqueuesTestExtension.awaitIdle(context))
					.withMessageContaining("not idle 200 ms after the test")
					.withMessageContaining("slow (1 active, 0 pending)");
				release.countDown();
				WorkqueuesTestExtension.awaitIdle(context); // idle now: passes
			});
	}

}
