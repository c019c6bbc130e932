package dev.cmwq.autoconfigure.dashboard;

import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * Puts the dashboard's files into a native image (its page, script, styles and copy of Chart.js), and lets
 * {@link CsrfTokens} read Spring Security's CSRF token where Spring Security is present.
 */
class CmwqDashboardRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		hints.resources()
			.registerPattern("META-INF/cmwq-dashboard/*")
			.registerPattern("META-INF/cmwq-dashboard/lib/chart.js/*");
		hints.reflection()
			.registerTypeIfPresent(classLoader, CsrfTokens.CSRF_TOKEN, MemberCategory.INVOKE_PUBLIC_METHODS);
	}

}
