package dev.cmwq.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.sample.mail.Mailer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's {@code mailer} workqueue is durable, on an H2 file database as the sample configures it: a
 * confirmation is stored before {@code sendOrderConfirmation} returns (here held, the workqueues being frozen) and
 * its row goes once the mail is sent.
 */
@SpringBootTest
class DurableMailTests {

	@DynamicPropertySource
	static void fileDatabase(DynamicPropertyRegistry registry) throws Exception {
		Path directory = Files.createTempDirectory("cmwq-sample-");
		directory.toFile().deleteOnExit();
		registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + directory.resolve("db") + ";WRITE_DELAY=0");
	}

	@Autowired
	Mailer mailer;

	@Autowired
	WorkqueueSystem workqueues;

	@Autowired
	JdbcTemplate jdbc;

	@Test
	void aConfirmationIsStoredBeforeTheCallReturnsAndRemovedOnceSent() {
		long sentBefore = this.mailer.sent();
		this.workqueues.freeze();
		try {
			this.mailer.sendOrderConfirmation(42, "ada");
			List<Map<String, Object>> rows = this.jdbc
				.queryForList("SELECT method, arguments FROM cmwq_durable_item WHERE queue_name = 'mailer'");
			assertThat(rows).singleElement().satisfies((row) -> {
				assertThat(row.get("METHOD")).isEqualTo("sendOrderConfirmation(long,java.lang.String)");
				assertThat(row.get("ARGUMENTS")).isEqualTo("[42,\"ada\"]");
			});
		}
		finally {
			this.workqueues.thaw();
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> this.mailer.sent() == sentBefore + 1
				&& this.jdbc.queryForObject("SELECT COUNT(*) FROM cmwq_durable_item", Integer.class) == 0);
	}

}
