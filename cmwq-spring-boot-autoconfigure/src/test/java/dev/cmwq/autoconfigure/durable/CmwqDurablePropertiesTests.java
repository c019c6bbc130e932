package dev.cmwq.autoconfigure.durable;

import dev.cmwq.spring.durable.DurableSettings;
import org.junit.jupiter.api.Test;

import org.springframework.boot.sql.init.DatabaseInitializationMode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code cmwq.durable.*} defaults are the engine's ({@link DurableSettings#DEFAULTS}; the properties spell them
 * out so that the IDE metadata shows them), and the schema is initialized as Spring Boot's other JDBC schemas are.
 */
class CmwqDurablePropertiesTests {

	@Test
	void theDefaultsAreDurableSettingsDefaults() {
		CmwqDurableProperties properties = new CmwqDurableProperties();
		assertThat(new DurableSettings(properties.getLease(), properties.getPollInterval(),
				properties.getMaxAttempts(), properties.getRetryDelay(), properties.getMaxClaimed()))
			.isEqualTo(DurableSettings.DEFAULTS);
		assertThat(properties.getInitializeSchema()).isEqualTo(DatabaseInitializationMode.EMBEDDED);
		assertThat(properties.getDefaultSchemaLocation()).isEqualTo("classpath:META-INF/cmwq/schema-@@platform@@.sql");
	}

}
