package dev.cmwq.autoconfigure.dashboard;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.util.ClassUtils;

/**
 * The CSRF token of the current request, for the page's {@code POST}s, where the application protects against CSRF
 * with Spring Security: its {@code CsrfFilter} puts a {@code CsrfToken} on every request it sees as the request
 * attribute named after that type (and as {@code _csrf}), whatever repository keeps the token (the session, by
 * default, or a cookie). This reads it without a dependency on Spring Security: the dashboard must not need it.
 *
 * <p>Asking for the token makes Spring Security create it (and, with the default repository, a session to keep it).
 * The value is the one the application's {@code CsrfTokenRequestHandler} gives out (masked per request by the default
 * {@code XorCsrfTokenRequestAttributeHandler}), which the same handler accepts in the token's header.
 */
final class CsrfTokens {

	/** Spring Security's {@code CsrfToken} type, and the name of the request attribute that holds it. */
	static final String CSRF_TOKEN = "org.springframework.security.web.csrf.CsrfToken";

	private static final Log logger = LogFactory.getLog(CsrfTokens.class);

	private CsrfTokens() {
	}

	/**
	 * The request's CSRF token, as the page sends it.
	 * @param request the request
	 * @return {@code {"header": "X-CSRF-TOKEN", "token": "..."}}, or null where the request has none (no CSRF
	 * protection, or none for this path)
	 */
	static Map<String, String> of(HttpServletRequest request) {
		Object token = request.getAttribute(CSRF_TOKEN);
		if (token == null) {
			return null;
		}
		try {
			Class<?> type = ClassUtils.forName(CSRF_TOKEN, token.getClass().getClassLoader());
			Map<String, String> csrf = new LinkedHashMap<>();
			csrf.put("header", (String) invoke(type, "getHeaderName", token));
			csrf.put("token", (String) invoke(type, "getToken", token));
			return csrf;
		}
		catch (ReflectiveOperationException | LinkageError | RuntimeException ex) {
			logger.warn("cmwq dashboard: could not read the request's CSRF token; the page's actions will be refused "
					+ "where CSRF protection is on", ex);
			return null;
		}
	}

	private static Object invoke(Class<?> type, String method, Object target) throws ReflectiveOperationException {
		Method getter = type.getMethod(method);
		return getter.invoke(target);
	}

}
