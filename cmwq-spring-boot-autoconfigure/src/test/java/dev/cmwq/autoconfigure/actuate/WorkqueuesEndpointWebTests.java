package dev.cmwq.autoconfigure.actuate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import dev.cmwq.autoconfigure.support.Http;
import dev.cmwq.autoconfigure.support.Items;
import dev.cmwq.core.Overflow;
import dev.cmwq.core.Work;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The {@code workqueues} endpoint over real HTTP (Spring MVC), with write access granted, against a running system:
 * what the answers show while items run, block, are held and CPUs go offline. The routes, error codes and request
 * rules on every web stack and port: {@link WorkqueuesEndpointStackTests}.
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=workqueues",
				"management.endpoint.workqueues.access=unrestricted" })
class WorkqueuesEndpointWebTests {

	private static final Duration PATIENCE = Duration.ofSeconds(30);

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	@Autowired
	@Qualifier("probe")
	Workqueue probe;

	@Autowired
	@Qualifier("bounded")
	Workqueue bounded;

	private Http http;

	/** Latches the running test's items wait for; all opened after each test. */
	private final List<CountDownLatch> releases = new ArrayList<>();

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
	}

	@AfterEach
	void restore() {
		this.releases.forEach(CountDownLatch::countDown);
		this.system.thaw();
		for (int cpu = 0; cpu < this.system.cpus(); cpu++) {
			this.system.cpuOnline(cpu);
		}
		this.system.workqueues().forEach((wq) -> wq.flush(PATIENCE));
	}

	@Test
	void snapshotShowsEveryContractField() {
		Http.Response response = this.http.get("/actuator/workqueues");

		assertThat(response.status()).isEqualTo(200);
		assertThat(response.contentType()).contains("json");
		assertThat((Boolean) response.read("$.frozen")).isFalse();
		assertThat(response.<List<Map<String, Object>>>read("$.cpus"))
			.containsExactly(Map.of("cpu", 0, "online", true), Map.of("cpu", 1, "online", true));
		List<Map<String, Object>> pools = response.read("$.pools");
		assertThat(pools).extracting((pool) -> pool.get("id"))
			.containsExactly("cpu0", "cpu0-highpri", "cpu1", "cpu1-highpri", "unbound", "unbound-highpri");
		assertThat(pools).allSatisfy((pool) -> assertThat(pool).containsKeys("id", "cpu", "kind", "online", "workers",
				"busy", "idle", "rogue", "running", "pending"));
		assertThat(pools).extracting((pool) -> pool.get("kind"))
			.containsExactly("normal", "highpri", "normal", "highpri", "unbound", "unbound");
		assertThat(pool(response, "cpu1")).containsEntry("cpu", 1);
		assertThat(pool(response, "unbound")).containsEntry("cpu", null);
		assertThat(pool(response, "unbound-highpri")).containsEntry("cpu", null);
		Map<String, Object> thumbnails = queue(response, "thumbnails");
		assertThat(thumbnails).containsEntry("flags", List.of("cpu-intensive"))
			.containsEntry("maxActive", 4)
			.containsEntry("ordered", false)
			.containsEntry("active", 0)
			.containsEntry("pending", 0)
			.containsEntry("capacity", null)
			.containsEntry("overflow", "reject")
			.containsEntry("overflowTimeoutMs", 1000);
		assertThat(queue(response, "audit")).containsEntry("ordered", true).containsEntry("maxActive", 1);
		assertThat(stats(response, "thumbnails")).containsKeys("started", "completed", "failed", "cancelled", "rejected",
				"cpuTimeMs", "cpuIntensive", "cmWakeups", "mayday", "rescued");
		assertThat(response.<List<String>>read("$.workqueues[*].name")).contains("events", "events_highpri",
				"events_long", "events_unbound", "events_freezable", "probe", "thumbnails", "audit");
	}

	@Test
	void countsFollowItemsAsTheyRunAndFinish() {
		int completedBefore = this.http.get("/actuator/workqueues/probe").read("$.stats.completed");
		CountDownLatch spinning = new CountDownLatch(1);
		CountDownLatch blocked = new CountDownLatch(1);
		CountDownLatch ran = new CountDownLatch(1);
		// cpu0: one item spinning (running), one more waiting behind it (pending)
		this.probe.queueOn(0, Items.spinning(spinning, release()));
		Items.await(spinning);
		this.probe.queueOn(0, new Work(ran::countDown));
		// cpu1: one item blocked (busy, not idle)
		this.probe.queueOn(1, Items.blocking(blocked, release()));
		Items.await(blocked);

		Http.Response busy = this.http.get("/actuator/workqueues");
		assertThat(pool(busy, "cpu0")).containsEntry("running", 1).containsEntry("pending", 1);
		assertThat((Integer) pool(busy, "cpu0").get("busy")).isGreaterThanOrEqualTo(1);
		assertThat((Integer) pool(busy, "cpu1").get("busy")).isGreaterThanOrEqualTo(1);
		assertThat(queue(busy, "probe")).containsEntry("active", 2).containsEntry("pending", 1);
		assertWorkersAddUp(busy);

		this.releases.forEach(CountDownLatch::countDown);
		Items.await(ran);
		await().atMost(PATIENCE).untilAsserted(() -> {
			Http.Response idle = this.http.get("/actuator/workqueues");
			for (String id : List.of("cpu0", "cpu1")) {
				Map<String, Object> pool = pool(idle, id);
				assertThat(pool).containsEntry("busy", 0).containsEntry("running", 0).containsEntry("pending", 0);
				assertThat((Integer) pool.get("idle")).isEqualTo(pool.get("workers")).isGreaterThanOrEqualTo(1);
			}
			assertThat(queue(idle, "probe")).containsEntry("active", 0).containsEntry("pending", 0);
			assertThat(stats(idle, "probe")).containsEntry("completed", completedBefore + 3);
			assertWorkersAddUp(idle);
		});
	}

	@Test
	void aFullQueueShowsItsCapacityPolicyAndTheQueueingsItRejected() {
		this.bounded.setCapacity(2, Overflow.REJECT, Duration.ZERO);
		CountDownLatch started = new CountDownLatch(1);
		this.bounded.queue(Items.blocking(started, release())); // max-active 1: the next items wait behind it
		Items.await(started);
		this.bounded.queue(new Work(() -> {
		}));
		this.bounded.queue(new Work(() -> {
		}));
		assertThatThrownBy(() -> this.bounded.queue(new Work(() -> {
		}))).isInstanceOf(RejectedExecutionException.class);

		Http.Response full = this.http.get("/actuator/workqueues/bounded");

		assertThat(full.<Map<String, Object>>read("$")).containsEntry("capacity", 2)
			.containsEntry("overflow", "reject")
			.containsEntry("overflowTimeoutMs", 0)
			.containsEntry("active", 1)
			.containsEntry("pending", 2);
		assertThat(full.<Integer>read("$.stats.rejected")).isEqualTo(1);
		this.bounded.setCapacity(Workqueue.UNBOUNDED, Overflow.BLOCK, Duration.ofSeconds(3));
		assertThat(this.http.get("/actuator/workqueues/bounded").<Map<String, Object>>read("$"))
			.containsEntry("capacity", null)
			.containsEntry("overflow", "block")
			.containsEntry("overflowTimeoutMs", 3000);
	}

	@Test
	void rogueWorkersAppearWhenCpuGoesOfflineAndRebindWhenItComesBack() {
		CountDownLatch blocked = new CountDownLatch(1);
		this.probe.queueOn(1, Items.blocking(blocked, release()));
		Items.await(blocked);
		assertThat(pool(this.http.get("/actuator/workqueues"), "cpu1")).containsEntry("rogue", 0);

		Http.Response offline = this.http.postJson("/actuator/workqueues/cpus/1/offline");

		assertThat(offline.status()).isEqualTo(200);
		assertThat((Integer) offline.read("$.cpu")).isEqualTo(1);
		assertThat((Boolean) offline.read("$.online")).isFalse();
		assertThat(offline.<List<Map<String, Object>>>read("$.cpus"))
			.containsExactly(Map.of("cpu", 0, "online", true), Map.of("cpu", 1, "online", false));
		Http.Response detached = this.http.get("/actuator/workqueues");
		assertThat(pool(detached, "cpu1")).containsEntry("online", false);
		assertThat((Integer) pool(detached, "cpu1").get("rogue")).isGreaterThanOrEqualTo(1)
			.isEqualTo(pool(detached, "cpu1").get("workers"));
		assertThat(pool(detached, "cpu0")).containsEntry("rogue", 0).containsEntry("online", true);
		assertThat(detached.<List<Boolean>>read("$.cpus[*].online")).containsExactly(true, false);

		Http.Response online = this.http.postJson("/actuator/workqueues/cpus/1/online");

		assertThat(online.status()).isEqualTo(200);
		assertThat((Boolean) online.read("$.online")).isTrue();
		Http.Response rebound = this.http.get("/actuator/workqueues");
		assertThat(pool(rebound, "cpu1")).containsEntry("online", true).containsEntry("rogue", 0);
		assertThat((Integer) pool(rebound, "cpu1").get("workers")).isGreaterThanOrEqualTo(1);
	}

	@Test
	void freezeHoldsFreezableWorkAndThawRunsIt() throws InterruptedException {
		Workqueue freezable = this.system.workqueue("events_freezable").orElseThrow();
		CountDownLatch started = new CountDownLatch(1);
		CountDownLatch release = release();
		freezable.queue(Items.blocking(started, release));
		Items.await(started);

		Http.Response frozen = this.http.postJson("/actuator/workqueues/freeze");

		assertThat(frozen.status()).isEqualTo(200);
		assertThat(frozen.<Map<String, Object>>read("$")).isEqualTo(Map.of("frozen", true, "busy", 1));
		assertThat((Boolean) this.http.get("/actuator/workqueues").read("$.frozen")).isTrue();
		CountDownLatch held = new CountDownLatch(1);
		freezable.queue(new Work(held::countDown));
		release.countDown();
		assertThat(held.await(200, TimeUnit.MILLISECONDS)).isFalse();
		await().atMost(PATIENCE)
			.untilAsserted(() -> assertThat(this.http.get("/actuator/workqueues/events_freezable").<Map<String, Object>>read("$"))
				.containsEntry("active", 0)
				.containsEntry("pending", 1));
		assertThat(this.http.postJson("/actuator/workqueues/freeze").<Map<String, Object>>read("$"))
			.isEqualTo(Map.of("frozen", true, "busy", 0));
		assertThat(held.getCount()).isEqualTo(1);

		Http.Response thawed = this.http.postJson("/actuator/workqueues/thaw");

		assertThat(thawed.status()).isEqualTo(200);
		assertThat((Boolean) thawed.read("$.frozen")).isFalse();
		assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
		assertThat((Boolean) this.http.get("/actuator/workqueues").read("$.frozen")).isFalse();
	}

	private CountDownLatch release() {
		CountDownLatch latch = new CountDownLatch(1);
		this.releases.add(latch);
		return latch;
	}

	static Map<String, Object> pool(Http.Response snapshot, String id) {
		List<Map<String, Object>> pools = snapshot.read("$.pools[?(@.id=='" + id + "')]");
		assertThat(pools).hasSize(1);
		return pools.get(0);
	}

	static Map<String, Object> queue(Http.Response snapshot, String name) {
		List<Map<String, Object>> queues = snapshot.read("$.workqueues[?(@.name=='" + name + "')]");
		assertThat(queues).hasSize(1);
		return queues.get(0);
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> stats(Http.Response snapshot, String name) {
		return (Map<String, Object>) queue(snapshot, name).get("stats");
	}

	private static void assertWorkersAddUp(Http.Response snapshot) {
		List<Map<String, Object>> pools = snapshot.read("$.pools");
		assertThat(pools).allSatisfy((pool) -> assertThat((Integer) pool.get("busy") + (Integer) pool.get("idle"))
			.isEqualTo(pool.get("workers")));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean(destroyMethod = "close")
		WorkqueueSystem workqueueSystem() {
			// CPU-intensive detection off: a spinning item keeps counting as running
			return WorkqueueSystem.builder().cpus(2).cpuIntensiveThreshold(Duration.ZERO).build();
		}

		@Bean
		Workqueue probe(WorkqueueSystem system) {
			return system.allocWorkqueue("probe", Set.of(), 0);
		}

		@Bean
		Workqueue thumbnails(WorkqueueSystem system) {
			return system.allocWorkqueue("thumbnails", Set.of(WorkqueueFlag.CPU_INTENSIVE), 4);
		}

		@Bean
		Workqueue bounded(WorkqueueSystem system) {
			return system.allocWorkqueue("bounded", Set.of(WorkqueueFlag.UNBOUND), 1);
		}

		@Bean
		Workqueue audit(WorkqueueSystem system) {
			return system.allocOrderedWorkqueue("audit", Set.of());
		}

	}

}
