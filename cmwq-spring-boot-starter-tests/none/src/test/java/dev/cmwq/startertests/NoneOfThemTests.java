package dev.cmwq.startertests;

import java.util.EnumSet;
import java.util.List;

/**
 * The starter without actuator, Micrometer or a web stack, in an application with a database: the engine, {@code
 * @QueueWork}, {@code @Async} and the JDBC blocking hint work.
 */
class NoneOfThemTests extends StarterChecks {

	NoneOfThemTests() {
		super(EnumSet.of(Integration.JDBC_HINT), List.of(ACTUATOR, MICROMETER, WEB_STACK));
	}

}
