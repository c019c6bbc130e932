package dev.cmwq.autoconfigure.dashboard;

import java.util.function.Supplier;

import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.actuate.endpoint.web.WebEndpointHttpMethod;
import org.springframework.boot.actuate.endpoint.web.WebOperation;

/**
 * Finds the {@code workqueues} endpoint among the web endpoints actuator exposes on the application's port, and
 * tells whether its write operations exist ({@code management.endpoint.workqueues.access: unrestricted}); and the
 * {@code durableworkqueues} endpoint beside it, which exists only where the application has durable workqueues. On a
 * separate management port ({@code management.server.port}) the page cannot read it: the port is another origin,
 * and often not reachable from where the page is.
 *
 * <p>Actuator leaves out the operations that the endpoint's access does not allow, so a {@code POST} operation
 * among the exposed ones means that freeze, thaw and CPU hotplug can be asked for (whether the caller is allowed
 * to is for the application's security to say: the page asks for credentials when it is answered 401).
 */
final class WorkqueuesEndpointLocator {

	static final EndpointId WORKQUEUES = EndpointId.of("workqueues");

	/** By id, not by class: the durable endpoint's class needs cmwq-spring's durable support on the class path. */
	static final EndpointId DURABLE_WORKQUEUES = EndpointId.of("durableworkqueues");

	private static final String NOT_EXPOSED = "The workqueues actuator endpoint is not exposed over HTTP: add \"workqueues\" "
			+ "to management.endpoints.web.exposure.include.";

	private final Supplier<PathMappedEndpoints> endpoints;

	private final Location elsewhere;

	/**
	 * @param endpoints the exposed web endpoints; the supplier may return {@code null} when actuator exposes none
	 * over HTTP
	 * @param portType where actuator serves its endpoints
	 * @param managementPort {@code management.server.port} as written, for messages
	 */
	WorkqueuesEndpointLocator(Supplier<PathMappedEndpoints> endpoints, ManagementPortType portType,
			String managementPort) {
		this.endpoints = endpoints;
		this.elsewhere = switch (portType) {
			case SAME -> null;
			case DIFFERENT -> Location.unavailable("The workqueues endpoint is served on the management port "
					+ "(management.server.port=" + managementPort + "), which this page, on the application's port, "
					+ "cannot read. To use the dashboard, serve actuator on the application's port (leave "
					+ "management.server.port unset); the endpoint itself answers on the management port.");
			case DISABLED -> Location.unavailable("Actuator serves no HTTP endpoints (management.server.port="
					+ managementPort + "): the dashboard has nothing to read.");
		};
	}

	/**
	 * Why the page cannot read the endpoint whatever is exposed, such as a separate management port.
	 * @return the reason, or null if actuator serves its endpoints on the application's port
	 */
	String elsewhere() {
		return (this.elsewhere != null) ? this.elsewhere.message() : null;
	}

	/**
	 * Where the endpoint is and what it allows.
	 * @return the location; unavailable, with a message, if the page cannot read it
	 */
	Location locate() {
		if (this.elsewhere != null) {
			return this.elsewhere;
		}
		PathMappedEndpoints all = this.endpoints.get();
		PathMappedEndpoint endpoint = (all != null) ? all.getEndpoint(WORKQUEUES) : null;
		if (endpoint == null) {
			return Location.unavailable(NOT_EXPOSED);
		}
		String durable = (all.getEndpoint(DURABLE_WORKQUEUES) != null) ? all.getPath(DURABLE_WORKQUEUES) : null;
		return new Location(all.getPath(WORKQUEUES), writable(endpoint), durable, null);
	}

	private static boolean writable(PathMappedEndpoint endpoint) {
		if (!(endpoint instanceof ExposableWebEndpoint web)) {
			return false;
		}
		for (WebOperation operation : web.getOperations()) {
			if (operation.getRequestPredicate().getHttpMethod() == WebEndpointHttpMethod.POST) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The endpoint as the page sees it.
	 * @param path the endpoint's path below the servlet context, e.g. {@code /actuator/workqueues}; {@code null}
	 * if the page cannot read it
	 * @param writable whether its write operations exist
	 * @param durablePath the {@code durableworkqueues} endpoint's path below the servlet context; {@code null} if it
	 * is not exposed over HTTP (or there are no durable workqueues) or the page cannot read the {@code workqueues}
	 * endpoint
	 * @param message why the page cannot read it, and what to do; null if it can
	 */
	record Location(String path, boolean writable, String durablePath, String message) {

		static Location unavailable(String message) {
			return new Location(null, false, null, message);
		}

		boolean available() {
			return this.path != null;
		}

	}

}
