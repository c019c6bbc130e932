package dev.cmwq.autoconfigure.dashboard;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * Puts the dashboard's files into a native image: its page, script and styles, and the Chart.js WebJar's
 * {@code dist/} folder and version file, which {@link ChartLibrary} looks up.
 */
class CmwqDashboardRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		hints.resources()
			.registerPattern("META-INF/cmwq-dashboard/*")
			.registerPattern("META-INF/maven/org.webjars.npm/chart.js/pom.properties")
			.registerPattern("META-INF/resources/webjars/chart.js/*/dist/*");
	}

}
