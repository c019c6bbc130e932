package dev.cmwq.autoconfigure.dashboard;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the workqueue dashboard, under {@code cmwq.dashboard}.
 */
@ConfigurationProperties("cmwq.dashboard")
public class CmwqDashboardProperties {

	/**
	 * Whether to serve the dashboard page (it reads, and may act on, the workqueues actuator endpoint).
	 */
	private boolean enabled;

	/**
	 * Where the page is served, e.g. /cmwq: the page is at /cmwq/ and its files below it.
	 */
	private String path = "/cmwq";

	/**
	 * How often the page reads the workqueues endpoint.
	 */
	private Duration refreshInterval = Duration.ofSeconds(1);

	/**
	 * How much history the page's charts keep.
	 */
	private Duration history = Duration.ofMinutes(5);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

	public Duration getRefreshInterval() {
		return this.refreshInterval;
	}

	public void setRefreshInterval(Duration refreshInterval) {
		this.refreshInterval = refreshInterval;
	}

	public Duration getHistory() {
		return this.history;
	}

	public void setHistory(Duration history) {
		this.history = history;
	}

	/**
	 * The path without a trailing slash, starting with one; {@code /cmwq} for blank or {@code /} values.
	 * @return the normalised path
	 */
	String normalizedPath() {
		String value = (this.path != null) ? this.path.trim() : "";
		while (value.endsWith("/")) {
			value = value.substring(0, value.length() - 1);
		}
		if (value.isEmpty()) {
			return "/cmwq";
		}
		return value.startsWith("/") ? value : "/" + value;
	}

}
