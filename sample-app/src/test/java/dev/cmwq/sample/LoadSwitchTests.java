package dev.cmwq.sample;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The load switch (role {@code OPERATOR}): while on, {@code /actuator/workqueues} shows the sample's workqueues working
 * and its pools' counts changing; once off, everything settles.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class LoadSwitchTests {

	private static final Duration PATIENCE = Duration.ofSeconds(60);

	private static final List<String> SAMPLE_QUEUES = List.of("thumbnails", "supplier", "audit", "mailer",
			"search-index");

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	private Http http;

	private Http operator;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
		this.operator = this.http.as("operator", "operator");
	}

	@AfterEach
	void switchOff() {
		this.operator.post("/api/load/off");
	}

	@Test
	void onlyAnOperatorMaySwitchTheLoad() {
		assertThat(this.http.post("/api/load/on").status()).isEqualTo(401);
		assertThat(this.http.as("viewer", "viewer").post("/api/load/on").status()).isEqualTo(403);
		assertThat(this.http.as("operator", "wrong").post("/api/load/on").status()).isEqualTo(401);
		assertThat(this.http.get("/api/load").<Boolean>read("$.on")).isFalse();

		assertThat(this.operator.post("/api/load/on").<Boolean>read("$.on")).isTrue();
		assertThat(this.http.post("/api/load/off").status()).isEqualTo(401);
		assertThat(this.http.get("/api/load").<Boolean>read("$.on")).as("still on").isTrue();
	}

	@Test
	void loadSwitchProducesChangingCountsInTheWorkqueuesEndpoint() {
		assertThat(this.http.get("/api/load").<Boolean>read("$.on")).isFalse();

		Http.Response on = this.operator.post("/api/load/on");
		assertThat(on.status()).isEqualTo(200);
		assertThat(on.<Boolean>read("$.on")).isTrue();

		// every sample workqueue completes items, and the pools' busy / running / pending counts take several values
		Set<List<List<Integer>>> poolStates = new HashSet<>();
		List<Integer> completedTotals = new ArrayList<>();
		await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			Http.Response snapshot = this.http.get("/actuator/workqueues");
			assertThat(snapshot.status()).isEqualTo(200);
			List<List<Integer>> state = List.of(snapshot.read("$.pools[*].busy"), snapshot.read("$.pools[*].running"),
					snapshot.read("$.pools[*].pending"));
			poolStates.add(state);
			int completed = 0;
			for (String queue : SAMPLE_QUEUES) {
				List<Integer> values = snapshot.read("$.workqueues[?(@.name == '" + queue + "')].stats.completed");
				assertThat(values).as("workqueue %s", queue).hasSize(1);
				completed += values.get(0);
				assertThat(values.get(0)).as("items completed on %s", queue).isPositive();
			}
			completedTotals.add(completed);
			assertThat(poolStates).as("distinct pool states seen").hasSizeGreaterThanOrEqualTo(3);
			assertThat(completedTotals.stream().distinct().count()).as("distinct completed totals seen")
				.isGreaterThanOrEqualTo(3);
		});
		List<Map<String, Object>> busyPools = this.http.get("/actuator/workqueues").read("$.pools[?(@.workers > 0)]");
		assertThat(busyPools).as("pools with workers under load").isNotEmpty();

		Http.Response off = this.operator.post("/api/load/off");
		assertThat(off.<Boolean>read("$.on")).isFalse();

		// once off, what was queued finishes and nothing new arrives
		await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
			Http.Response snapshot = this.http.get("/actuator/workqueues");
			List<Integer> active = snapshot.read("$.workqueues[*].active");
			List<Integer> pending = snapshot.read("$.workqueues[*].pending");
			assertThat(active).allMatch((n) -> n == 0);
			assertThat(pending).allMatch((n) -> n == 0);
		});
	}

}
