package dev.cmwq.autoconfigure.durable;

import javax.sql.DataSource;

import org.springframework.boot.jdbc.init.PropertiesBasedDataSourceScriptDatabaseInitializer;

/**
 * Creates the durable workqueues' tables per {@code cmwq.durable.initialize-schema}, as Spring Boot does for its
 * other JDBC schemas: {@code embedded} (the default) for embedded (in-memory) databases only, {@code always}, or
 * {@code never}. The script, {@code classpath:META-INF/cmwq/schema-<platform>.sql} (postgresql, h2), creates only
 * what is missing, so it runs again harmlessly at every start.
 */
public class CmwqDurableSchemaInitializer
		extends PropertiesBasedDataSourceScriptDatabaseInitializer<CmwqDurableProperties> {

	/**
	 * Creates the initializer.
	 * @param dataSource the database
	 * @param properties the {@code cmwq.durable} properties
	 */
	public CmwqDurableSchemaInitializer(DataSource dataSource, CmwqDurableProperties properties) {
		super(dataSource, properties);
	}

}
