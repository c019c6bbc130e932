package dev.cmwq.autoconfigure.actuate;

import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import dev.cmwq.autoconfigure.WorkqueueFlags;
import dev.cmwq.core.CpuSnapshot;
import dev.cmwq.core.PoolSnapshot;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.UnknownCpuException;
import dev.cmwq.core.WorkqueueSnapshot;
import dev.cmwq.core.WorkqueueStats;
import dev.cmwq.core.WorkqueueSystem;
import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.annotation.RegisterReflectionForBinding;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.Selector.Match;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.WebEndpoint;

/**
 * The {@code workqueues} actuator endpoint: how operators see and steer a {@link WorkqueueSystem} over HTTP.
 *
 * <table>
 * <caption>Operations</caption>
 * <tr><td>{@code GET /actuator/workqueues}</td><td>the whole system, {@link WorkqueuesDescriptor}</td></tr>
 * <tr><td>{@code GET /actuator/workqueues/{name}}</td><td>one {@link WorkqueueDescriptor}, 404 if unknown</td></tr>
 * <tr><td>{@code POST /actuator/workqueues/freeze}</td><td>{@link #freeze()}</td></tr>
 * <tr><td>{@code POST /actuator/workqueues/thaw}</td><td>{@link #thaw()}</td></tr>
 * <tr><td>{@code POST /actuator/workqueues/cpus/{cpu}/offline}</td><td>{@link #cpuOffline(int)}</td></tr>
 * <tr><td>{@code POST /actuator/workqueues/cpus/{cpu}/online}</td><td>{@link #cpuOnline(int)}</td></tr>
 * </table>
 *
 * The write operations exist only where the application grants
 * {@code management.endpoint.workqueues.access: unrestricted}; the default access is read-only. Bad input changes
 * nothing and answers {@code {"error": "..."}} ({@link ErrorDescriptor}) with 400 (malformed value, unknown action,
 * an argument not taken from the path), 404 (unknown queue, CPU or route) or 409 (refused change, such as offlining
 * the last online CPU). The answers are this class's records, mapped from the engine's snapshots, so the JSON stays
 * as it is whatever the engine's types become.
 *
 * <p><b>Only the path chooses an operation.</b> Spring Boot's web endpoints merge an operation's arguments from the
 * path, then a POST's JSON body, then the query string, each overriding the one before: a selector declared as
 * {@code String} is set by {@code ?name=...} as well, and {@code POST .../thaw?action=freeze} would freeze past a
 * security rule that allows {@code thaw} by its path. So each operation that takes a selector takes exactly one,
 * {@code @Selector(match = ALL_REMAINING)} declared as {@code Object}. From the path, actuator passes it as the
 * {@code String[]} of the path's segments, on Spring MVC and WebFlux (and Jersey, which builds arguments the same
 * way), on the application's port and on a separate management port alike; a query parameter or body field of the
 * same name arrives as a {@code String} or a {@code List} (or null), and an {@code Object} parameter is passed on
 * unconverted. Anything but a {@code String[]} is answered 400 before anything happens; the segments are then routed
 * to one typed method per operation. Query parameters and body fields with other names reach nothing. Empty segments
 * are dropped by actuator ({@code /freeze/} is {@code /freeze}).
 *
 * <p>A web endpoint only: its operations take their arguments from the request path, which JMX does not have.
 *
 * <p><b>Writes take JSON only.</b> The write operation declares a parameter that is not a selector, so actuator maps
 * it as an operation that consumes a JSON body: a POST whose {@code Content-Type} is not {@code application/json} (or
 * actuator's own JSON types) is answered 415 by Spring MVC or WebFlux before it reaches the endpoint, a POST without
 * a {@code Content-Type} included. A cross-site HTML form or {@code no-cors} fetch cannot send such a request, so a
 * browser's cookies alone cannot drive the write operations from another site.
 */
@WebEndpoint(id = "workqueues", defaultAccess = Access.READ_ONLY)
// actuator registers the declared return types; these are the bodies behind WebEndpointResponse<OperationResponseBody>
@RegisterReflectionForBinding({ WorkqueuesEndpoint.WorkqueueDescriptor.class,
		WorkqueuesEndpoint.FreezeDescriptor.class, WorkqueuesEndpoint.ThawDescriptor.class,
		WorkqueuesEndpoint.CpuChangeDescriptor.class, WorkqueuesEndpoint.ErrorDescriptor.class })
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
	public WorkqueuesDescriptor workqueues() {
		return WorkqueuesDescriptor.of(this.system.snapshot());
	}

	/**
	 * One workqueue: {@code GET /actuator/workqueues/{name}}.
	 * @param name the path's segments after the endpoint's, as actuator passes them (see the class comment)
	 * @return the queue's {@link WorkqueueDescriptor}, or an {@link ErrorDescriptor} with 404 if there is no such
	 * queue, 400 if the name did not come from the path
	 */
	@ReadOperation
	public WebEndpointResponse<OperationResponseBody> workqueue(@Selector(match = Match.ALL_REMAINING) Object name) {
		if (!(name instanceof String[] path)) {
			return notFromPath("name");
		}
		String joined = String.join("/", path);
		return this.system.snapshot()
			.workqueue(joined)
			.map((queue) -> ok(WorkqueueDescriptor.of(queue)))
			.orElseGet(() -> error(WebEndpointResponse.STATUS_NOT_FOUND, "No such workqueue: " + quote(joined)));
	}

	/**
	 * A write operation, chosen by the path: {@code freeze}, {@code thaw}, {@code cpus/{cpu}/offline} or
	 * {@code cpus/{cpu}/online}.
	 * @param action the path's segments after the endpoint's, as actuator passes them (see the class comment); null
	 * if a JSON body sets it so, which is answered like any other value that is not from the path (declared nullable:
	 * otherwise actuator throws for the missing argument, and on WebFlux over Tomcat that error path can cut the
	 * connection before the answer is written)
	 * @param jsonOnly not read: a parameter that is not a selector makes actuator map this operation for JSON
	 * requests only (see the class comment)
	 * @return the operation's answer, or an {@link ErrorDescriptor} with 400, 404 or 409
	 */
	@WriteOperation
	public WebEndpointResponse<OperationResponseBody> change(
			@Selector(match = Match.ALL_REMAINING) @Nullable Object action, @Nullable Object jsonOnly) {
		if (!(action instanceof String[] path)) {
			return notFromPath("action");
		}
		if (path.length == 1) {
			return switch (path[0]) {
				case "freeze" -> ok(freeze());
				case "thaw" -> ok(thaw());
				default -> error(WebEndpointResponse.STATUS_BAD_REQUEST,
						"Unknown action " + quote(path[0]) + ": use freeze or thaw");
			};
		}
		if (path.length == 3) {
			if (!"cpus".equals(path[0])) {
				return error(WebEndpointResponse.STATUS_NOT_FOUND,
						"Unknown resource " + quote(path[0]) + ": use cpus/{cpu}/offline or cpus/{cpu}/online");
			}
			return switch (path[2]) {
				case "offline" -> onCpu(path[1], true);
				case "online" -> onCpu(path[1], false);
				default -> error(WebEndpointResponse.STATUS_BAD_REQUEST,
						"Unknown CPU action " + quote(path[2]) + ": use offline or online");
			};
		}
		return error(WebEndpointResponse.STATUS_NOT_FOUND, "No such operation: " + quote(String.join("/", path))
				+ ": use freeze, thaw, cpus/{cpu}/offline or cpus/{cpu}/online");
	}

	/**
	 * Freezes the freezable workqueues ({@code POST .../freeze}). Freezing a frozen system changes nothing.
	 * @return {@code frozen} (true) and {@code busy}: items of freezable queues still in flight, 0 once the freeze is
	 * complete
	 */
	public FreezeDescriptor freeze() {
		this.system.freeze();
		return new FreezeDescriptor(this.system.isFrozen(), this.system.freezeBusyCount());
	}

	/**
	 * Thaws the freezable workqueues ({@code POST .../thaw}): what was held runs, in order.
	 * @return {@code frozen} (false)
	 */
	public ThawDescriptor thaw() {
		this.system.thaw();
		return new ThawDescriptor(this.system.isFrozen());
	}

	/**
	 * Takes a CPU offline ({@code POST .../cpus/{cpu}/offline}). An offline CPU stays offline.
	 * @param cpu the CPU
	 * @return the CPU's new state and every CPU's
	 * @throws UnknownCpuException if there is no such CPU
	 * @throws IllegalStateException if it is the last online CPU
	 */
	public CpuChangeDescriptor cpuOffline(int cpu) {
		this.system.cpuOffline(cpu);
		return CpuChangeDescriptor.of(cpu, this.system.snapshot());
	}

	/**
	 * Brings a CPU online ({@code POST .../cpus/{cpu}/online}). An online CPU stays online.
	 * @param cpu the CPU
	 * @return the CPU's new state and every CPU's
	 * @throws UnknownCpuException if there is no such CPU
	 */
	public CpuChangeDescriptor cpuOnline(int cpu) {
		this.system.cpuOnline(cpu);
		return CpuChangeDescriptor.of(cpu, this.system.snapshot());
	}

	private WebEndpointResponse<OperationResponseBody> onCpu(String cpu, boolean offline) {
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
			return error(WebEndpointResponse.STATUS_NOT_FOUND,
					"No such CPU: " + quote(cpu) + " (the system has CPUs 0.." + (this.system.cpus() - 1) + ")");
		}
		try {
			return ok(offline ? cpuOffline(number) : cpuOnline(number));
		}
		catch (UnknownCpuException ex) {
			return error(WebEndpointResponse.STATUS_NOT_FOUND, ex.getMessage());
		}
		catch (IllegalStateException ex) {
			return error(STATUS_CONFLICT, ex.getMessage());
		}
	}

	/** A value from the request, in quotes, cut to {@value #QUOTED} characters. */
	static String quote(String value) {
		if (value.length() <= QUOTED) {
			return "'" + value + "'";
		}
		return "'" + value.substring(0, QUOTED) + "...' (" + value.length() + " characters)";
	}

	private static WebEndpointResponse<OperationResponseBody> notFromPath(String selector) {
		return error(WebEndpointResponse.STATUS_BAD_REQUEST, "A query parameter or body field '" + selector
				+ "' is not allowed: the workqueues endpoint takes its arguments from the path only");
	}

	private static WebEndpointResponse<OperationResponseBody> ok(OperationResponseBody body) {
		return new WebEndpointResponse<>(body);
	}

	private static WebEndpointResponse<OperationResponseBody> error(int status, String message) {
		return new WebEndpointResponse<>(new ErrorDescriptor(message), status);
	}

	/**
	 * The whole system ({@code GET /actuator/workqueues}).
	 * @param frozen whether the freezable queues are frozen
	 * @param cpus every CPU
	 * @param pools every worker pool: per CPU a normal and a highpri one, then the unbound ones
	 * @param workqueues every workqueue, system ones included
	 */
	public record WorkqueuesDescriptor(boolean frozen, List<CpuDescriptor> cpus, List<PoolDescriptor> pools,
			List<WorkqueueDescriptor> workqueues) implements OperationResponseBody {

		static WorkqueuesDescriptor of(SystemSnapshot snapshot) {
			return new WorkqueuesDescriptor(snapshot.frozen(), CpuDescriptor.of(snapshot.cpus()),
					snapshot.pools().stream().map(PoolDescriptor::of).toList(),
					snapshot.workqueues().stream().map(WorkqueueDescriptor::of).toList());
		}

	}

	/**
	 * A CPU.
	 * @param cpu its number, from 0
	 * @param online whether it is online
	 */
	public record CpuDescriptor(int cpu, boolean online) {

		static List<CpuDescriptor> of(List<CpuSnapshot> cpus) {
			return cpus.stream().map((cpu) -> new CpuDescriptor(cpu.cpu(), cpu.online())).toList();
		}

	}

	/**
	 * A worker pool. {@code busy + idle = workers}.
	 * @param id {@code cpu<N>}, {@code cpu<N>-highpri}, {@code unbound} or {@code unbound-highpri}
	 * @param cpu the CPU of a bound pool, null for unbound pools (written as {@code null}: actuator's JSON mapper
	 * would leave it out)
	 * @param kind {@code normal}, {@code highpri} or {@code unbound}
	 * @param online false while the pool's CPU is offline
	 * @param workers worker threads
	 * @param busy workers that are not idle
	 * @param idle workers waiting for work
	 * @param rogue workers, busy or idle, detached from an offline CPU
	 * @param running workers counted as running by concurrency management
	 * @param blocked busy workers concurrency management knows are blocked
	 * @param pending items queued to the pool, not started yet
	 * @param stalled whether the watchdog reports the pool as stalled
	 * @param stalls how often it has
	 * @param cmWakeups how often a worker of the pool blocked and concurrency management started another
	 * @param failedStarts how often the pool could not start a worker thread (the thread factory refused)
	 */
	public record PoolDescriptor(String id, @JsonInclude(Include.ALWAYS) Integer cpu, String kind, boolean online,
			int workers, int busy, int idle, int rogue, int running, int blocked, int pending, boolean stalled,
			long stalls, long cmWakeups, long failedStarts) {

		static PoolDescriptor of(PoolSnapshot pool) {
			return new PoolDescriptor(pool.id(), pool.cpu(), pool.kind(), pool.online(), pool.workers(), pool.busy(),
					pool.idle(), pool.rogue(), pool.running(), pool.blocked(), pool.pending(), pool.stalled(),
					pool.stalls(), pool.cmWakeups(), pool.failedStarts());
		}

	}

	/**
	 * A workqueue ({@code GET /actuator/workqueues/{name}}, and each of {@code workqueues} in the whole system).
	 * @param name its name
	 * @param flags its flags as configuration writes them ({@code unbound}, {@code highpri}, {@code cpu-intensive},
	 * {@code freezable}, {@code mem-reclaim}), in that order
	 * @param maxActive its limit of items in flight
	 * @param ordered whether it is ordered
	 * @param capacity its bound on pending items ({@code queue-capacity}); null if it has none, the default (written
	 * as {@code null}: actuator's JSON mapper would leave it out)
	 * @param overflow what a queueing does when the queue is full, as configuration writes it: {@code reject},
	 * {@code caller-runs} or {@code block} (it never applies to an unbounded queue)
	 * @param overflowTimeoutMs how long a {@code block} queueing waits for room before it is rejected, in milliseconds
	 * @param active items running now
	 * @param pending items queued and not started (held ones included; delayed items before their timer not)
	 * @param stats cumulative statistics
	 */
	public record WorkqueueDescriptor(String name, List<String> flags, int maxActive, boolean ordered,
			@JsonInclude(Include.ALWAYS) Integer capacity, String overflow, long overflowTimeoutMs, int active,
			int pending, StatsDescriptor stats) implements OperationResponseBody {

		static WorkqueueDescriptor of(WorkqueueSnapshot queue) {
			List<String> flags = queue.flags().stream().sorted().map(WorkqueueFlags::name).toList();
			return new WorkqueueDescriptor(queue.name(), flags, queue.maxActive(), queue.ordered(),
					queue.bounded() ? queue.capacity() : null, queue.overflow().propertyName(),
					queue.overflowTimeout().toMillis(), queue.active(), queue.pending(), StatsDescriptor.of(queue.stats()));
		}

	}

	/**
	 * A workqueue's cumulative statistics.
	 * @param started items started
	 * @param completed items that returned normally
	 * @param failed items that threw
	 * @param cancelled pending items cancelled (or dropped at shutdown)
	 * @param rejected queueings refused (the queue full, draining, or the system shutting down)
	 * @param cpuTimeMs CPU time its items used, in milliseconds
	 * @param cpuIntensive items found hogging a CPU while work waited behind them
	 * @param cmWakeups times one of its items blocked and concurrency management started another worker
	 * @param mayday times a pool called the queue's rescuer
	 * @param rescued items its rescuer ran
	 */
	public record StatsDescriptor(long started, long completed, long failed, long cancelled, long rejected,
			long cpuTimeMs, long cpuIntensive, long cmWakeups, long mayday, long rescued) {

		static StatsDescriptor of(WorkqueueStats stats) {
			return new StatsDescriptor(stats.started(), stats.completed(), stats.failed(), stats.cancelled(),
					stats.rejected(), stats.cpuTimeMs(), stats.cpuIntensive(), stats.cmWakeups(), stats.mayday(), stats.rescued());
		}

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
	public record CpuChangeDescriptor(int cpu, boolean online, List<CpuDescriptor> cpus)
			implements OperationResponseBody {

		static CpuChangeDescriptor of(int cpu, SystemSnapshot snapshot) {
			List<CpuDescriptor> cpus = CpuDescriptor.of(snapshot.cpus());
			return new CpuChangeDescriptor(cpu, cpus.get(cpu).online(), cpus);
		}

	}

	/**
	 * What was wrong with a request; nothing was changed.
	 * @param error the message
	 */
	public record ErrorDescriptor(String error) implements OperationResponseBody {
	}

}
