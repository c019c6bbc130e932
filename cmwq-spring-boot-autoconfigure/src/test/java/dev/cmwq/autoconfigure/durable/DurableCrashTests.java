package dev.cmwq.autoconfigure.durable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The crash test: an application with a durable workqueue on an H2 file database (with {@code WRITE_DELAY=0}, as the
 * starter requires) is killed with {@code kill -9} under load, with items running and a backlog queued; restarted,
 * it runs every item whose call had returned, at least once. Duplicates (items that ran before the kill and again
 * after it) are counted and reported: delivery is at least once.
 */
class DurableCrashTests {

	private static final Duration PATIENCE = Duration.ofSeconds(90);

	@Test
	void afterKill9AndARestartEveryItemWhoseCallReturnedHasRun(@TempDir Path directory) throws Exception {
		String url = "jdbc:h2:file:" + directory.resolve("app") + ";WRITE_DELAY=0";
		Set<Long> returned;
		try (ChildApplication first = ChildApplication.start(url, "load", "2000")) {
			first.instance(PATIENCE);
			// under load: a backlog builds (2 items of 20 ms at a time), then the process dies mid-flight
			first.awaitLine((line) -> line.equals("returned 300"), PATIENCE);
			first.kill();
			returned = new HashSet<>(first.returned);
		}
		assertThat(returned).hasSizeGreaterThan(300);
		int backlogAtCrash = rows(url, "SELECT COUNT(*) FROM cmwq_durable_item").get(0).intValue();
		assertThat(backlogAtCrash).as("items stored and not finished when the process died").isPositive();

		try (ChildApplication second = ChildApplication.start(url, "drain")) {
			second.awaitLine((line) -> line.equals("drained"), PATIENCE);
			assertThat(second.awaitExit(PATIENCE)).isZero();
		}

		List<Long> ran = rows(url, "SELECT n FROM ran");
		Set<Long> distinct = new HashSet<>(ran);
		assertThat(distinct).as("every item whose call returned ran").containsAll(returned);
		assertThat(rows(url, "SELECT COUNT(*) FROM cmwq_durable_item")).containsExactly(0L);
		long duplicates = ran.size() - distinct.size();
		System.out.printf("crash test: %d calls returned, %d stored and unfinished at the kill, %d items ran, "
				+ "%d of them twice or more (at least once: ran before the kill, their rows not yet removed)%n",
				returned.size(), backlogAtCrash, distinct.size(), duplicates);
		// an item runs twice only if it ran before the kill and its row was not removed: it was in flight, and at
		// most 4 are (2 CPUs, max-active 2 per CPU)
		assertThat(duplicates).as("duplicates: at most the items in flight when the process died")
			.isLessThanOrEqualTo(4);
	}

	private static List<Long> rows(String url, String query) {
		SimpleDriverDataSource dataSource = new SimpleDriverDataSource(new org.h2.Driver(), url, "sa", "");
		return new JdbcTemplate(dataSource).queryForList(query, Long.class);
	}

}
