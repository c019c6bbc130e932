package dev.cmwq.autoconfigure.actuate;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.CpuChangeDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.CpuDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.ErrorDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.FreezeDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.ThawDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.WorkqueueDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.WorkqueuesDescriptor;
import dev.cmwq.core.Overflow;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint without HTTP: its operations answer its own records, mapped from the engine's snapshots, and only a
 * selector in the form actuator gives a path's segments (a {@code String[]}) chooses an operation.
 */
class WorkqueuesEndpointTests {

	private final WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).build();

	private final WorkqueuesEndpoint endpoint = new WorkqueuesEndpoint(this.system);

	@AfterEach
	void close() {
		this.system.close();
	}

	@Test
	void typedOperationsAnswerTheirRecords() {
		assertThat(this.endpoint.freeze()).isEqualTo(new FreezeDescriptor(true, 0));
		assertThat(this.endpoint.thaw()).isEqualTo(new ThawDescriptor(false));
		assertThat(this.endpoint.cpuOffline(1)).isEqualTo(new CpuChangeDescriptor(1, false,
				List.of(new CpuDescriptor(0, true), new CpuDescriptor(1, false))));
		assertThat(this.endpoint.cpuOnline(1)).isEqualTo(new CpuChangeDescriptor(1, true,
				List.of(new CpuDescriptor(0, true), new CpuDescriptor(1, true))));
	}

	@Test
	void pathSegmentsChooseTheOperation() {
		assertThat(body(this.endpoint.change(new String[] { "freeze" }, null)))
			.isEqualTo(new FreezeDescriptor(true, 0));
		assertThat(this.system.isFrozen()).isTrue();
		assertThat(body(this.endpoint.change(new String[] { "thaw" }, "ignored")))
			.isEqualTo(new ThawDescriptor(false));
		assertThat(this.system.isFrozen()).isFalse();
		assertThat(body(this.endpoint.change(new String[] { "cpus", "1", "offline" }, null)))
			.isInstanceOf(CpuChangeDescriptor.class);
		assertThat(this.system.isOnline(1)).isFalse();
	}

	@Test
	void aSelectorThatDidNotComeFromThePathChoosesNothing() {
		// a query parameter arrives as a String (one value) or a List (several), a body field as a String or null
		for (Object notFromPath : Arrays.asList("freeze", List.of("freeze"), List.of("cpus", "1", "offline"),
				"cpus/1/offline", null)) {
			WebEndpointResponse<OperationResponseBody> response = this.endpoint.change(notFromPath, null);
			assertThat(response.getStatus()).isEqualTo(400);
			assertThat(((ErrorDescriptor) response.getBody()).error()).contains("'action'", "path only");
		}
		assertThat(this.endpoint.workqueue("events").getStatus()).isEqualTo(400);
		assertThat(this.system.isFrozen()).isFalse();
		assertThat(this.system.isOnline(1)).isTrue();
	}

	@Test
	void unknownRoutesQueuesAndCpusAreErrors() {
		WebEndpointResponse<OperationResponseBody> nope = this.endpoint.workqueue(new String[] { "nope" });
		assertThat(nope.getStatus()).isEqualTo(404);
		assertThat(nope.getBody()).isEqualTo(new ErrorDescriptor("No such workqueue: 'nope'"));
		assertThat(this.endpoint.change(new String[0], null).getStatus()).isEqualTo(404);
		assertThat(this.endpoint.change(new String[] { "freeze", "now" }, null).getStatus()).isEqualTo(404);
		assertThat(this.endpoint.change(new String[] { "disks", "1", "offline" }, null).getStatus()).isEqualTo(404);
		assertThat(this.endpoint.change(new String[] { "bogus" }, null).getStatus()).isEqualTo(400);
		assertThat(this.endpoint.change(new String[] { "cpus", "1", "explode" }, null).getStatus()).isEqualTo(400);
		assertThat(this.endpoint.change(new String[] { "cpus", "+1", "offline" }, null).getStatus()).isEqualTo(400);
		assertThat(this.endpoint.change(new String[] { "cpus", "2", "offline" }, null).getStatus()).isEqualTo(404);
		assertThat(this.endpoint.change(new String[] { "cpus", "1", "offline" }, null).getStatus()).isEqualTo(200);
		assertThat(this.endpoint.change(new String[] { "cpus", "0", "offline" }, null).getStatus()).isEqualTo(409);
		assertThat(this.system.isFrozen()).isFalse();
		assertThat(this.system.isOnline(0)).isTrue();
	}

	@Test
	void snapshotsAreMappedFieldByFieldWithFlagsSpelledAsInConfiguration() {
		this.system.allocWorkqueue("thumbnails", EnumSet.of(WorkqueueFlag.MEM_RECLAIM, WorkqueueFlag.CPU_INTENSIVE), 4);

		WorkqueuesDescriptor all = this.endpoint.workqueues();

		assertThat(all.frozen()).isFalse();
		assertThat(all.cpus()).containsExactly(new CpuDescriptor(0, true), new CpuDescriptor(1, true));
		assertThat(all.pools()).extracting(WorkqueuesEndpoint.PoolDescriptor::id)
			.containsExactly("cpu0", "cpu0-highpri", "cpu1", "cpu1-highpri", "unbound", "unbound-highpri");
		WorkqueueDescriptor thumbnails = (WorkqueueDescriptor) body(
				this.endpoint.workqueue(new String[] { "thumbnails" }));
		assertThat(all.workqueues()).contains(thumbnails);
		assertThat(thumbnails.flags()).containsExactly("cpu-intensive", "mem-reclaim");
		assertThat(thumbnails.maxActive()).isEqualTo(4);
		assertThat(this.endpoint.workqueue(new String[] { "events_unbound" }).getBody())
			.isInstanceOfSatisfying(WorkqueueDescriptor.class,
					(queue) -> assertThat(queue.flags()).containsExactly("unbound"));
	}

	@Test
	void capacityIsNullForAnUnboundedQueueAndOverflowIsSpelledAsInConfiguration() {
		Workqueue mailer = this.system.allocWorkqueue("mailer", EnumSet.noneOf(WorkqueueFlag.class), 0);

		WorkqueueDescriptor unbounded = (WorkqueueDescriptor) body(this.endpoint.workqueue(new String[] { "mailer" }));
		assertThat(unbounded.capacity()).isNull();
		assertThat(unbounded.overflow()).isEqualTo("reject");
		assertThat(unbounded.overflowTimeoutMs()).isEqualTo(1000);

		mailer.setCapacity(500, Overflow.CALLER_RUNS, Duration.ofMillis(1500));
		WorkqueueDescriptor bounded = (WorkqueueDescriptor) body(this.endpoint.workqueue(new String[] { "mailer" }));
		assertThat(bounded.capacity()).isEqualTo(500);
		assertThat(bounded.overflow()).isEqualTo("caller-runs");
		assertThat(bounded.overflowTimeoutMs()).isEqualTo(1500);
	}

	private static OperationResponseBody body(WebEndpointResponse<OperationResponseBody> response) {
		assertThat(response.getStatus()).as("%s", response.getBody()).isEqualTo(200);
		return response.getBody();
	}

}
