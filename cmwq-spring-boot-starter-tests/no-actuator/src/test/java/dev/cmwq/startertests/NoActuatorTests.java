package dev.cmwq.startertests;

import java.util.EnumSet;
import java.util.List;

/**
 * The starter without actuator, in a Spring MVC application: the engine, {@code @QueueWork} and {@code @Async} work;
 * nothing that needs actuator lights up (metrics and observations need Boot's support for them, which comes with
 * actuator).
 */
class NoActuatorTests extends StarterChecks {

	NoActuatorTests() {
		super(EnumSet.noneOf(Integration.class), List.of(ACTUATOR));
	}

}
