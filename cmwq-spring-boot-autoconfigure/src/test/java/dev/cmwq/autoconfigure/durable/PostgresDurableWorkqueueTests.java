package dev.cmwq.autoconfigure.durable;

import dev.cmwq.autoconfigure.support.PostgresServer;

/**
 * {@link DurableWorkqueueTests} on a real PostgreSQL server ({@link PostgresServer}).
 */
class PostgresDurableWorkqueueTests extends DurableWorkqueueTests {

	@Override
	String newDatabase() {
		return PostgresServer.get().createDatabase();
	}

	@Override
	String[] databaseProperties() {
		return new String[] { "spring.datasource.username=" + PostgresServer.get().user() };
	}

	@Override
	boolean embedded() {
		return false;
	}

}
