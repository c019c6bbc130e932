package dev.cmwq.startertests;

import java.util.EnumSet;
import java.util.List;

/**
 * The starter as it comes, in a Spring MVC application with a database: every integration lights up.
 */
class EverythingTests extends StarterChecks {

	EverythingTests() {
		super(EnumSet.allOf(Integration.class), List.of());
	}

}
