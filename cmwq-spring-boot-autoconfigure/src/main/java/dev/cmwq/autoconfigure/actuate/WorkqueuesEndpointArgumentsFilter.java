package dev.cmwq.autoconfigure.actuate;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.json.JsonParserFactory;

/**
 * Keeps the {@code workqueues} endpoint's arguments where its paths put them. Spring Boot's web endpoints take an
 * operation's arguments from the path, then from the JSON body of a POST, then from the query string, each
 * overriding the one before: {@code POST /actuator/workqueues/thaw?action=freeze} would freeze, and
 * {@code POST .../disks/0/online} with {@code {"resource":"cpus","cpu":"1","action":"offline"}} would take CPU 1
 * offline, past any rule that looks at the path. This filter answers such requests with 400 and a JSON
 * {@code {"error": "..."}} before they reach the endpoint. A JSON body that is not an object is passed on (the
 * endpoint's handler rejects it); one above 64 KB is refused, as the operations take no body. A POST whose
 * Content-Type has a wildcard ({@code *}/{@code *}, {@code application/*}) is refused with 415: Spring MVC would
 * fail on it with an exception, answered 500.
 */
class WorkqueuesEndpointArgumentsFilter implements Filter {

	/** The endpoint's selector parameters, which the path alone may set. */
	static final Set<String> SELECTORS = Set.of("name", "action", "resource", "cpu");

	static final int MAX_BODY = 64 * 1024;

	private final Supplier<String> endpointPath;

	/**
	 * Creates the filter.
	 * @param endpointPath the endpoint's path under the dispatcher servlet, such as {@code /actuator/workqueues}, or
	 * null while unknown
	 */
	WorkqueuesEndpointArgumentsFilter(Supplier<String> endpointPath) {
		this.endpointPath = endpointPath;
	}

	@Override
	public void doFilter(ServletRequest servletRequest, ServletResponse servletResponse, FilterChain chain)
			throws IOException, ServletException {
		if (!(servletRequest instanceof HttpServletRequest request)
				|| !(servletResponse instanceof HttpServletResponse response) || !isEndpoint(request)) {
			chain.doFilter(servletRequest, servletResponse);
			return;
		}
		String query = request.getQueryString();
		if (query != null) {
			for (String pair : query.split("&")) {
				String name = java.net.URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8);
				if (SELECTORS.contains(name)) {
					reject(response, HttpServletResponse.SC_BAD_REQUEST, "Query parameter '" + name
							+ "' is not allowed: the workqueues endpoint takes its arguments from the path only");
					return;
				}
			}
		}
		String contentType = request.getContentType();
		if ("POST".equals(request.getMethod()) && isWildcard(contentType)) {
			// Spring MVC would fail with IllegalArgumentException, answered 500, while reading the body
			reject(response, HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE,
					"A Content-Type with a wildcard is not supported: the workqueues operations take no body");
			return;
		}
		if (!"POST".equals(request.getMethod()) || contentType == null || !contentType.contains("json")) {
			chain.doFilter(request, response);
			return;
		}
		byte[] body = request.getInputStream().readNBytes(MAX_BODY + 1);
		if (body.length > MAX_BODY) {
			reject(response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
					"Request body too large: the workqueues operations take no body");
			return;
		}
		String named = selectorIn(body);
		if (named != null) {
			reject(response, HttpServletResponse.SC_BAD_REQUEST, "Body field '" + named
					+ "' is not allowed: the workqueues endpoint takes its arguments from the path only");
			return;
		}
		chain.doFilter(new CachedBodyRequest(request, body), response);
	}

	/** Whether the media type is {@code *}/..., .../{@code *} or .../{@code *+suffix}, which a request cannot have. */
	static boolean isWildcard(String contentType) {
		if (contentType == null) {
			return false;
		}
		String mediaType = contentType.split(";", 2)[0].trim();
		int slash = mediaType.indexOf('/');
		String type = (slash >= 0) ? mediaType.substring(0, slash).trim() : mediaType;
		String subtype = (slash >= 0) ? mediaType.substring(slash + 1).trim() : "";
		return type.equals("*") || subtype.equals("*") || subtype.startsWith("*+");
	}

	private boolean isEndpoint(HttpServletRequest request) {
		String endpoint = this.endpointPath.get();
		if (endpoint == null) {
			return false;
		}
		// decoded and normalized by the container, unlike the request URI
		String path = request.getServletPath() + ((request.getPathInfo() != null) ? request.getPathInfo() : "");
		return path.endsWith(endpoint) || path.contains(endpoint + "/");
	}

	/** The first selector the body sets, if it is a JSON object. */
	private static String selectorIn(byte[] body) {
		String json = new String(body, StandardCharsets.UTF_8).trim();
		if (!json.startsWith("{")) {
			return null;
		}
		Map<String, Object> fields;
		try {
			fields = JsonParserFactory.getJsonParser().parseMap(json);
		}
		catch (RuntimeException ex) {
			return null; // malformed: the endpoint's handler answers 400
		}
		return fields.keySet().stream().filter(SELECTORS::contains).findFirst().orElse(null);
	}

	private static void reject(HttpServletResponse response, int status, String message) throws IOException {
		response.setStatus(status);
		response.setContentType("application/json");
		response.setCharacterEncoding(StandardCharsets.UTF_8.name());
		// the message holds only fixed text and a selector's name: nothing to escape
		response.getWriter().write("{\"error\":\"" + message + "\"}");
	}

	/** The request with its body read already, to be read again. */
	private static final class CachedBodyRequest extends HttpServletRequestWrapper {

		private final byte[] body;

		CachedBodyRequest(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(this.body);
			return new ServletInputStream() {

				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] b, int off, int len) {
					return in.read(b, off, len);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException();
				}

			};
		}

		@Override
		public java.io.BufferedReader getReader() {
			return new java.io.BufferedReader(
					new java.io.InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
		}

		@Override
		public int getContentLength() {
			return this.body.length;
		}

		@Override
		public long getContentLengthLong() {
			return this.body.length;
		}

	}

}
