package dev.cmwq.autoconfigure.actuate;

import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.CpuDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.ErrorDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.FreezeDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.ThawDescriptor;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The endpoint's operations answer typed records, which serialize alike over HTTP and JMX and need no reflection
 * hints for maps.
 */
class WorkqueuesEndpointTests {

	@Test
	void operationsAnswerTypedRecords() {
		try (WorkqueueSystem system = WorkqueueSystem.builder().cpus(2).build()) {
			WorkqueuesEndpoint endpoint = new WorkqueuesEndpoint(system);
			assertThat(endpoint.act("freeze").getBody()).isEqualTo(new FreezeDescriptor(true, 0));
			assertThat(endpoint.act("thaw").getBody()).isEqualTo(new ThawDescriptor(false));
			WebEndpointResponse<Object> offline = endpoint.actOnCpu("cpus", "1", "offline");
			assertThat(offline.getBody()).isInstanceOfSatisfying(CpuDescriptor.class, (cpu) -> {
				assertThat(cpu.cpu()).isEqualTo(1);
				assertThat(cpu.online()).isFalse();
				assertThat(cpu.cpus()).hasSize(2);
			});
			WebEndpointResponse<Object> unknown = endpoint.workqueue("nope");
			assertThat(unknown.getStatus()).isEqualTo(404);
			assertThat(unknown.getBody()).isEqualTo(new ErrorDescriptor("No such workqueue: 'nope'"));
		}
	}

}
