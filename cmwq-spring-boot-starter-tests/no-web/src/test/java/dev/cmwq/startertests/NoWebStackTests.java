package dev.cmwq.startertests;

import java.util.EnumSet;
import java.util.List;

/**
 * The starter as it comes, without a web stack: the endpoint (over JMX), health, metrics and observations light up.
 */
class NoWebStackTests extends StarterChecks {

	NoWebStackTests() {
		super(EnumSet.of(Integration.ENDPOINT, Integration.HEALTH, Integration.METRICS, Integration.OBSERVATIONS),
				List.of(WEB_STACK));
	}

}
