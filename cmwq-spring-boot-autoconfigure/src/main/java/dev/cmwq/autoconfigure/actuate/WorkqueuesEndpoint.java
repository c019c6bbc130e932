package dev.cmwq.autoconfigure.actuate;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.cmwq.core.CpuSnapshot;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.UnknownCpuException;
import dev.cmwq.core.WorkqueueSnapshot;
import dev.cmwq.core.WorkqueueSystem;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The {@code workqueues} actuator endpoint: how operators see and steer a {@link WorkqueueSystem}.
 *
 * <table>
 * <caption>Operations</caption>
 * <tr><td>{@code GET /actuator/workqueues}</td><td>the whole {@link SystemSnapshot}</td></tr>
 * <tr><td>{@code GET /actuator/workqueues/{name}}</td><td>one {@link WorkqueueSnapshot}, 404 if unknown</td></tr>
 * <tr><td>{@code POST /actuator/workqueues/freeze}</td><td>{@code {"frozen":true,"busy":N}}, N items of
 * freezable queues still in flight (0: the freeze is complete)</td></tr>
 * <tr><td>{@code POST /actuator/workqueues/thaw}</td><td>{@code {"frozen":false}}</td></tr>
 * <tr><td>{@code POST /actuator/workqueues/cpus/{cpu}/offline}</td><td>the CPU's new state and every CPU</td></tr>
 * <tr><td>{@code POST /actuator/workqueues/cpus/{cpu}/online}</td><td>the CPU's new state and every CPU</td></tr>
 * </table>
 *
 * The write operations exist only where the application grants
 * {@code management.endpoint.workqueues.access: unrestricted}; the default access is read-only. Bad input changes
 * nothing and answers {@code {"error": "..."}} with 400 (malformed value, unknown action), 404 (unknown queue or
 * CPU) or 409 (refused change, such as offlining the last online CPU).
 */
@Endpoint(id = "workqueues", defaultAccess = Access.READ_ONLY)
public class WorkqueuesEndpoint {

	static final int STATUS_CONFLICT = 409;

	/**
	 * A CPU number as written in a path: ASCII decimal digits, no sign but '-', no leading zeros. Integer.parseInt
	 * alone would take "+1", "01", "-0" and non-ASCII digits such as U+0661, and act on a CPU the path does not name
	 * plainly.
	 */
	private static final Pattern CPU = Pattern.compile("0|-?[1-9][0-9]*");

	/** How much of a request's value an error message quotes. */
	private static final int QUOTED = 64;

	private final WorkqueueSystem system;

	/**
	 * Creates the endpoint.
	 * @param system the system it shows and steers
	 */
	public WorkqueuesEndpoint(WorkqueueSystem system) {
		this.system = system;
	}

	/**
	 * The whole system: CPUs, pools and workqueues with their statistics.
	 * @return a snapshot
	 */
	@ReadOperation
	public SystemSnapshot workqueues() {
		return this.system.snapshot();
	}

	/**
	 * One workqueue.
	 * @param name the queue's name
	 * @return its snapshot, or 404 with an error
	 */
	@ReadOperation
	public WebEndpointResponse<Object> workqueue(@Selector String name) {
		Optional<WorkqueueSnapshot> queue = this.system.snapshot().workqueue(name);
		if (queue.isEmpty()) {
			return error(WebEndpointResponse.STATUS_NOT_FOUND, "No such workqueue: " + quote(name));
		}
		return new WebEndpointResponse<>(queue.get());
	}

	/**
	 * A system-wide action: {@code freeze} or {@code thaw}.
	 * @param action the action
	 * @return the new state, or 400 with an error for any other action
	 */
	@WriteOperation
	public WebEndpointResponse<Object> act(@Selector String action) {
		switch (action) {
			case "freeze":
				return freeze();
			case "thaw":
				return thaw();
			default:
				return error(WebEndpointResponse.STATUS_BAD_REQUEST,
						"Unknown action " + quote(action) + ": use freeze or thaw");
		}
	}

	/**
	 * A CPU hotplug action: {@code cpus/{cpu}/offline} or {@code cpus/{cpu}/online}.
	 * @param resource must be {@code cpus}
	 * @param cpu the CPU number
	 * @param action {@code offline} or {@code online}
	 * @return the CPU's new state and every CPU's, or an error
	 */
	@WriteOperation
	public WebEndpointResponse<Object> actOnCpu(@Selector String resource, @Selector String cpu,
			@Selector String action) {
		if (!"cpus".equals(resource)) {
			return error(WebEndpointResponse.STATUS_NOT_FOUND,
					"Unknown resource " + quote(resource) + ": use cpus/{cpu}/offline or cpus/{cpu}/online");
		}
		if (!"offline".equals(action) && !"online".equals(action)) {
			return error(WebEndpointResponse.STATUS_BAD_REQUEST,
					"Unknown CPU action " + quote(action) + ": use offline or online");
		}
		if (!CPU.matcher(cpu).matches()) {
			return error(WebEndpointResponse.STATUS_BAD_REQUEST, "Invalid CPU " + quote(cpu)
					+ ": expected a number from 0 to " + (this.system.cpus() - 1));
		}
		int number;
		try {
			number = Integer.parseInt(cpu);
		}
		catch (NumberFormatException ex) {
			// a well-formed number beyond int: a CPU the system does not have, like any other out of range
			return error(WebEndpointResponse.STATUS_NOT_FOUND, "No such CPU: " + quote(cpu) + " (the system has CPUs 0.."
					+ (this.system.cpus() - 1) + ")");
		}
		try {
			if ("offline".equals(action)) {
				this.system.cpuOffline(number);
			}
			else {
				this.system.cpuOnline(number);
			}
		}
		catch (UnknownCpuException ex) {
			return error(WebEndpointResponse.STATUS_NOT_FOUND, ex.getMessage());
		}
		catch (IllegalStateException ex) {
			return error(STATUS_CONFLICT, ex.getMessage());
		}
		return new WebEndpointResponse<>(cpuState(number));
	}

	private WebEndpointResponse<Object> freeze() {
		this.system.freeze();
		return new WebEndpointResponse<>(new FreezeDescriptor(this.system.isFrozen(), this.system.freezeBusyCount()));
	}

	private WebEndpointResponse<Object> thaw() {
		this.system.thaw();
		return new WebEndpointResponse<>(new ThawDescriptor(this.system.isFrozen()));
	}

	private CpuDescriptor cpuState(int cpu) {
		List<CpuSnapshot> cpus = this.system.snapshot().cpus();
		return new CpuDescriptor(cpu, cpus.get(cpu).online(), cpus);
	}

	/** A value from the request, in quotes, cut to {@value #QUOTED} characters. */
	static String quote(String value) {
		if (value.length() <= QUOTED) {
			return "'" + value + "'";
		}
		return "'" + value.substring(0, QUOTED) + "...' (" + value.length() + " characters)";
	}

	private static WebEndpointResponse<Object> error(int status, String message) {
		return new WebEndpointResponse<>(new ErrorDescriptor(message), status);
	}

	/**
	 * The answer to {@code freeze}.
	 * @param frozen whether the system is frozen (always true)
	 * @param busy items of freezable workqueues still in flight; 0 once the freeze is complete
	 */
	public record FreezeDescriptor(boolean frozen, int busy) implements OperationResponseBody {
	}

	/**
	 * The answer to {@code thaw}.
	 * @param frozen whether the system is frozen (always false)
	 */
	public record ThawDescriptor(boolean frozen) implements OperationResponseBody {
	}

	/**
	 * The answer to a CPU hotplug action.
	 * @param cpu the CPU acted on
	 * @param online its new state
	 * @param cpus every CPU's state
	 */
	public record CpuDescriptor(int cpu, boolean online, List<CpuSnapshot> cpus) implements OperationResponseBody {
	}

	/**
	 * What was wrong with a request; nothing was changed.
	 * @param error the message
	 */
	public record ErrorDescriptor(String error) implements OperationResponseBody {
	}

}
