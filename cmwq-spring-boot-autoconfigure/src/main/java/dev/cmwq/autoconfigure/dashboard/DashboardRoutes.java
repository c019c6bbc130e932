package dev.cmwq.autoconfigure.dashboard;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The dashboard's own requests: the page itself and {@code config.json}, which tells the page where the
 * {@code workqueues} endpoint is and whether its write operations exist, and where the {@code durableworkqueues}
 * endpoint is, if it is exposed. The page's scripts, styles and the chart
 * library are static resources (see {@link CmwqDashboardAutoConfiguration}).
 *
 * <table>
 * <caption>Requests (with the default path {@code /cmwq})</caption>
 * <tr><td>{@code GET /cmwq}</td><td>redirect to {@code /cmwq/}</td></tr>
 * <tr><td>{@code GET /cmwq/}, {@code /cmwq/index.html}</td><td>the page</td></tr>
 * <tr><td>{@code GET /cmwq/config.json}</td><td>{@code {"endpoint": "/actuator/workqueues", "available": true,
 * "message": null, "write": true, "durableEndpoint": "/actuator/durableworkqueues", "refreshMillis": 1000,
 * "historySeconds": 300, "chartLibrary": true, "csrf": {"header": "X-CSRF-TOKEN", "token": "..."}}}; unavailable:
 * {@code "endpoint": null, "available": false} and a {@code message} saying why and what to do (the endpoint is not
 * exposed over HTTP, or lives on a separate management port); {@code "durableEndpoint": null} where the
 * {@code durableworkqueues} endpoint is not exposed over HTTP (or the application has no durable workqueues);
 * {@code "csrf": null} where Spring Security gives the request no CSRF token ({@link CsrfTokens}).
 * Like a page that renders the token into a form, it is read by the page only: another site's page cannot read a
 * response of this origin.</td></tr>
 * </table>
 */
final class DashboardRoutes {

	private final String path;

	private final Resource page;

	private final WorkqueuesEndpointLocator locator;

	private final CmwqDashboardProperties properties;

	private final boolean chartLibrary;

	DashboardRoutes(CmwqDashboardProperties properties, Resource page, WorkqueuesEndpointLocator locator,
			boolean chartLibrary) {
		this.path = properties.normalizedPath();
		this.page = page;
		this.locator = locator;
		this.properties = properties;
		this.chartLibrary = chartLibrary;
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.GET(this.path, this::redirectToPage)
			.GET(this.path + "/", this::page)
			.GET(this.path + "/index.html", this::page)
			.GET(this.path + "/config.json", this::config)
			.build();
	}

	private ServerResponse redirectToPage(ServerRequest request) {
		String contextPath = request.servletRequest().getContextPath();
		return ServerResponse.status(302).location(URI.create(contextPath + this.path + "/")).build();
	}

	private ServerResponse page(ServerRequest request) {
		return ServerResponse.ok()
			.contentType(MediaType.TEXT_HTML)
			.cacheControl(CacheControl.noCache())
			.body(this.page);
	}

	private ServerResponse config(ServerRequest request) {
		WorkqueuesEndpointLocator.Location location = this.locator.locate();
		String contextPath = request.servletRequest().getContextPath();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("endpoint", location.available() ? contextPath + location.path() : null);
		body.put("available", location.available());
		body.put("message", location.message());
		body.put("write", location.writable());
		body.put("durableEndpoint", (location.durablePath() != null) ? contextPath + location.durablePath() : null);
		body.put("refreshMillis", Math.max(100, this.properties.getRefreshInterval().toMillis()));
		body.put("historySeconds", Math.max(10, this.properties.getHistory().toSeconds()));
		body.put("chartLibrary", this.chartLibrary);
		body.put("csrf", CsrfTokens.of(request.servletRequest()));
		return ServerResponse.ok()
			.contentType(MediaType.APPLICATION_JSON)
			.cacheControl(CacheControl.noStore())
			.body(body);
	}

}
