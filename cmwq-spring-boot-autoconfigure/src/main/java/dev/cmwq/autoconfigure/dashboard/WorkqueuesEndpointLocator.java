package dev.cmwq.autoconfigure.dashboard;

import java.util.function.Supplier;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoint;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.actuate.endpoint.web.WebEndpointHttpMethod;
import org.springframework.boot.actuate.endpoint.web.WebOperation;

/**
 * Finds the {@code workqueues} endpoint among the web endpoints actuator exposes, and tells whether its write
 * operations exist ({@code management.endpoint.workqueues.access: unrestricted}).
 *
 * <p>Actuator leaves out the operations that the endpoint's access does not allow, so a {@code POST} operation
 * among the exposed ones means that freeze, thaw and CPU hotplug can be asked for (whether the caller is allowed
 * to is for the application's security to say: the page asks for credentials when it is answered 401).
 */
final class WorkqueuesEndpointLocator {

	static final EndpointId WORKQUEUES = EndpointId.of("workqueues");

	private final Supplier<PathMappedEndpoints> endpoints;

	/**
	 * @param endpoints the exposed web endpoints; the supplier may return {@code null} when actuator exposes none
	 * over HTTP
	 */
	WorkqueuesEndpointLocator(Supplier<PathMappedEndpoints> endpoints) {
		this.endpoints = endpoints;
	}

	/**
	 * Where the endpoint is and what it allows.
	 * @return the location, {@link Location#UNAVAILABLE} if the endpoint is not exposed over HTTP
	 */
	Location locate() {
		PathMappedEndpoints all = this.endpoints.get();
		PathMappedEndpoint endpoint = (all != null) ? all.getEndpoint(WORKQUEUES) : null;
		if (endpoint == null) {
			return Location.UNAVAILABLE;
		}
		return new Location(all.getPath(WORKQUEUES), writable(endpoint));
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
	 * if it is not exposed over HTTP
	 * @param writable whether its write operations exist
	 */
	record Location(String path, boolean writable) {

		static final Location UNAVAILABLE = new Location(null, false);

		boolean available() {
			return this.path != null;
		}

	}

}
