package dev.cmwq.autoconfigure.actuate;

import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.CpuDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.ErrorDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.FreezeDescriptor;
import dev.cmwq.autoconfigure.actuate.WorkqueuesEndpoint.ThawDescriptor;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.WorkqueueSnapshot;

import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

/**
 * Lets a native image serialize what the {@link WorkqueuesEndpoint} answers. Actuator registers the declared return
 * types of operations; these operations declare {@code WebEndpointResponse<Object>}, so their bodies are
 * registered here (the snapshots and the response records, with the types they contain). Nothing without actuator:
 * the response records implement its {@code OperationResponseBody}, and there is no endpoint to answer.
 */
class WorkqueuesEndpointRuntimeHints implements RuntimeHintsRegistrar {

	@Override
	public void registerHints(RuntimeHints hints, ClassLoader classLoader) {
		if (!ClassUtils.isPresent("org.springframework.boot.actuate.endpoint.OperationResponseBody", classLoader)) {
			return;
		}
		new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(), SystemSnapshot.class,
				WorkqueueSnapshot.class, FreezeDescriptor.class, ThawDescriptor.class, CpuDescriptor.class,
				ErrorDescriptor.class);
	}

}
