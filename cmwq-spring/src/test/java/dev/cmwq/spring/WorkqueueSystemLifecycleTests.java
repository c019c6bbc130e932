package dev.cmwq.spring;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WorkqueueSystemLifecycleTests {

	@Test
	void theDrainEndsShortOfThePhaseTimeoutAndNeverAfterTheShutdownTimeout() {
		assertThat(drainTimeout("30s", "30s")).isEqualTo(Duration.ofSeconds(29));
		assertThat(drainTimeout("5s", "30s")).isEqualTo(Duration.ofSeconds(5));
		assertThat(drainTimeout("30s", "5s")).isEqualTo(Duration.ofMillis(4500));
		assertThat(drainTimeout("0s", "30s")).isZero();
	}

	private static Duration drainTimeout(String shutdownTimeout, String phaseTimeout) {
		return new WorkqueueSystemLifecycle(null, Duration.parse("PT" + shutdownTimeout),
				Duration.parse("PT" + phaseTimeout))
			.drainTimeout();
	}

}
