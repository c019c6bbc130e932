package dev.cmwq.sample.load;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The load switch.
 * @param onAtStart switch the load on when the application starts
 * @param tick how often a burst of work is queued
 * @param maxDuration the load switches itself off after this long
 */
@ConfigurationProperties("sample.load")
public record LoadProperties(boolean onAtStart, Duration tick, Duration maxDuration) {

	public LoadProperties {
		tick = (tick != null) ? tick : Duration.ofMillis(200);
		maxDuration = (maxDuration != null) ? maxDuration : Duration.ofMinutes(15);
	}

}
