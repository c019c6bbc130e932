package dev.cmwq.core;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Before JDK 21 the virtual modes are refused at build time, with the reason. */
class VirtualThreadModeJdk17Test {

	@Test
	void virtualModesNeedJdk21() {
		assumeTrue(Runtime.version().feature() < 21, "this JVM has virtual threads");
		assertThat(VirtualThreadMode.isSupported()).isFalse();
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> WorkqueueSystem.builder().virtualThreads(VirtualThreadMode.SCHEDULER).build())
			.withMessageContaining("JDK 21");
		assertThat(VirtualThreads.isVirtual(Thread.currentThread())).isFalse();
	}

}
