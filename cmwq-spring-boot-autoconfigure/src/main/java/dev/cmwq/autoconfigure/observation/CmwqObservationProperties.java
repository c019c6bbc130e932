package dev.cmwq.autoconfigure.observation;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code cmwq.observations.*}.
 */
@ConfigurationProperties("cmwq.observations")
public class CmwqObservationProperties {

	/**
	 * Whether each work item queued through the starter's beans (Workqueue.execute, @Async, @QueueWork) is a
	 * Micrometer observation 'cmwq.work', a child of the queueing code's observation, when an ObservationRegistry
	 * exists. Either way the queueing code's context (trace, MDC) reaches the item. Fixed at build time under AOT.
	 */
	private boolean enabled = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

}
