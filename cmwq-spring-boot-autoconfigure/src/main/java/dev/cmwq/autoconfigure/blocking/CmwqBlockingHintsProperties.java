package dev.cmwq.autoconfigure.blocking;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code cmwq.blocking-hints.*}.
 */
@ConfigurationProperties("cmwq.blocking-hints")
public class CmwqBlockingHintsProperties {

	/**
	 * Whether JDBC calls, RestClient / RestTemplate requests and Reactor's block() (WebClient) made in work items
	 * announce that they block, so that the pool starts its next item at once instead of waiting for the block
	 * detector.
	 */
	private boolean enabled = true;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

}
