package dev.cmwq.startertests;

import java.util.EnumSet;
import java.util.List;

/**
 * The starter without Micrometer, and without a web stack: the endpoint (over JMX) and health light up, metrics and
 * observations do not.
 */
class NoMicrometerTests extends StarterChecks {

	NoMicrometerTests() {
		super(EnumSet.of(Integration.ENDPOINT, Integration.HEALTH), List.of(MICROMETER, WEB_STACK));
	}

}
