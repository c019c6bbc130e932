package dev.cmwq.autoconfigure;

import dev.cmwq.core.VirtualThreadMode;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The start-up line that says which threads run the items, on every JDK; before JDK 21
 * {@code spring.threads.virtual.enabled=true} keeps platform threads and says why.
 */
@ExtendWith(OutputCaptureExtension.class)
class VirtualThreadsSettingTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(CmwqAutoConfiguration.class));

	@Test
	void withoutSpringsVirtualThreadsWorkersArePlatformThreads(CapturedOutput output) {
		this.runner.withPropertyValues("cmwq.virtual-threads.mode=managed").run((context) -> {
			assertThat(context.getBean(WorkqueueSystem.class).virtualThreadMode()).isEqualTo(VirtualThreadMode.OFF);
		});
		assertThat(output).contains("cmwq: workers are platform threads (spring.threads.virtual.enabled is not set)");
	}

	@Test
	void anUnknownModeFailsNamingTheProperty() {
		this.runner.withPropertyValues("cmwq.virtual-threads.mode=fast").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidCmwqPropertyException.class)
				.hasMessageContaining("cmwq.virtual-threads.mode")
				.hasMessageContaining("fast");
		});
	}

	@Test
	void beforeJdk21TheSwitchKeepsPlatformThreadsAndSaysWhy(CapturedOutput output) {
		assumeTrue(Runtime.version().feature() < 21, "this JVM has virtual threads");
		this.runner.withPropertyValues("spring.threads.virtual.enabled=true").run((context) -> {
			assertThat(context.getBean(WorkqueueSystem.class).virtualThreadMode()).isEqualTo(VirtualThreadMode.OFF);
		});
		assertThat(output).contains("spring.threads.virtual.enabled=true, but JDK " + Runtime.version().feature()
				+ " has no virtual threads");
	}

}
