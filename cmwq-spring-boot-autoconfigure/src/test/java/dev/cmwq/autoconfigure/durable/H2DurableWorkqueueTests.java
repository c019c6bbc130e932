package dev.cmwq.autoconfigure.durable;

import java.util.UUID;

/**
 * {@link DurableWorkqueueTests} on H2, in memory (kept until the JVM exits, so that a second start finds it).
 */
class H2DurableWorkqueueTests extends DurableWorkqueueTests {

	@Override
	String newDatabase() {
		return "jdbc:h2:mem:durable-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
	}

	@Override
	String[] databaseProperties() {
		return new String[0];
	}

	@Override
	boolean embedded() {
		return true;
	}

}
