package dev.cmwq.autoconfigure.actuate;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.cmwq.autoconfigure.support.Http;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code workqueues} endpoint's routes, error codes and request rules, which must hold alike on every web stack
 * and port: one subclass each for Spring MVC and WebFlux, on the application's port and on a separate
 * {@code management.server.port}. Write access is granted; every request goes over a real socket.
 */
abstract class WorkqueuesEndpointStackTests {

	static final String EXPOSE = "management.endpoints.web.exposure.include=workqueues";

	static final String UNRESTRICTED = "management.endpoint.workqueues.access=unrestricted";

	static final String REACTIVE = "spring.main.web-application-type=reactive";

	static final String MANAGEMENT_PORT = "management.server.port=0";

	private static final String E = "/actuator/workqueues";

	@Autowired
	WorkqueueSystem system;

	@Autowired
	ApplicationContext context;

	@Value("${spring.main.web-application-type:servlet}")
	String webApplicationType;

	@Value("${management.server.port:}")
	String managementPort;

	@LocalServerPort
	int serverPort;

	private Http http;

	/**
	 * Where the endpoint is served.
	 * @return the application's or the management port
	 */
	abstract int port();

	/**
	 * How a multipart POST is refused.
	 * @return 415, as any other type the operation does not take
	 */
	int multipartStatus() {
		return 415;
	}

	@BeforeEach
	void setUp() {
		this.http = new Http(port());
	}

	@AfterEach
	void restore() {
		this.system.thaw();
		for (int cpu = 0; cpu < this.system.cpus(); cpu++) {
			this.system.cpuOnline(cpu);
		}
	}

	@Test
	void runsOnItsStackAndPortOnly() {
		assertThat(this.context instanceof ReactiveWebApplicationContext).as("reactive")
			.isEqualTo("reactive".equals(this.webApplicationType));
		assertThat(this.http.get(E).status()).isEqualTo(200);
		if (!this.managementPort.isEmpty()) {
			assertThat(port()).isNotEqualTo(this.serverPort);
			assertThat(new Http(this.serverPort).get(E).status()).isEqualTo(404);
		}
	}

	@Test
	void everyRouteAnswersItsBody() {
		Http.Response all = this.http.get(E);
		assertThat(all.status()).isEqualTo(200);
		// the contract's fields (more may be added)
		assertThat(all.<Map<String, Object>>read("$")).containsKeys("frozen", "cpus", "pools", "workqueues");
		assertThat(all.<Map<String, Object>>read("$.pools[0]")).containsKeys("id", "cpu", "kind", "online",
				"workers", "busy", "idle", "rogue", "running", "blocked", "pending", "stalled", "stalls", "cmWakeups", "failedStarts");
		assertThat(all.<Map<String, Object>>read("$.pools[4]")).containsEntry("id", "unbound")
			.containsEntry("cpu", null);
		Http.Response one = this.http.get(E + "/thumbnails");
		assertThat(one.status()).isEqualTo(200);
		assertThat(one.<Map<String, Object>>read("$")).containsKeys("name", "flags", "maxActive", "ordered",
				"capacity", "overflow", "overflowTimeoutMs", "active", "pending", "stats");
		assertThat(one.<Map<String, Object>>read("$")).containsEntry("name", "thumbnails")
			.containsEntry("flags", List.of("cpu-intensive", "mem-reclaim"))
			.containsEntry("maxActive", 4)
			.containsEntry("ordered", false);
		assertThat(one.<Map<String, Object>>read("$.stats")).containsKeys("started", "completed", "failed",
				"cancelled", "rejected", "cpuTimeMs", "cpuIntensive", "cmWakeups", "mayday", "rescued");

		assertThat(json(this.http.postJson(E + "/freeze"))).isEqualTo(Map.of("frozen", true, "busy", 0));
		assertThat(this.system.isFrozen()).isTrue();
		assertThat(json(this.http.postJson(E + "/thaw"))).isEqualTo(Map.of("frozen", false));
		assertThat(this.system.isFrozen()).isFalse();
		assertThat(json(this.http.postJson(E + "/cpus/1/offline"))).isEqualTo(Map.of("cpu", 1, "online", false,
				"cpus", List.of(Map.of("cpu", 0, "online", true), Map.of("cpu", 1, "online", false))));
		assertThat(this.system.isOnline(1)).isFalse();
		assertThat(json(this.http.postJson(E + "/cpus/1/online"))).isEqualTo(Map.of("cpu", 1, "online", true,
				"cpus", List.of(Map.of("cpu", 0, "online", true), Map.of("cpu", 1, "online", true))));
		assertThat(this.system.isOnline(1)).isTrue();
	}

	@Test
	void badInputAnswersItsErrorCodeAndChangesNothing() {
		assertError(this.http.get(E + "/nope"), 404, "No such workqueue: 'nope'");
		assertError(this.http.get(E + "/cpus/0"), 404, "'cpus/0'");
		assertError(this.http.postJson(E + "/bogus"), 400, "'bogus'");
		assertError(this.http.postJson(E + "/cpus/one/offline"), 400, "'one'");
		assertError(this.http.postJson(E + "/cpus/+1/offline"), 400, "'+1'");
		assertError(this.http.postJson(E + "/cpus/0/explode"), 400, "'explode'");
		assertError(this.http.postJson(E + "/cpus/7/offline"), 404, "7");
		assertError(this.http.postJson(E + "/cpus/-1/online"), 404, "-1");
		assertError(this.http.postJson(E + "/cpus/99999999999999999999/offline"), 404, "'99999999999999999999'");
		assertError(this.http.postJson(E + "/disks/0/offline"), 404, "'disks'");
		assertError(this.http.postJson(E), 404, "No such operation");
		assertError(this.http.postJson(E + "/freeze/now"), 404, "'freeze/now'");
		assertUnchanged();

		assertThat(this.http.postJson(E + "/cpus/1/offline").status()).isEqualTo(200);
		assertError(this.http.postJson(E + "/cpus/0/offline"), 409, "last online CPU");
		assertThat(this.system.isOnline(0)).isTrue();
	}

	@Test
	void noQueryParameterOrBodyFieldChoosesTheOperation() {
		assertError(this.http.postJson(E + "/thaw?action=freeze"), 400, "path only");
		assertError(this.http.postJson(E + "/thaw?action=freeze&action=x"), 400, "path only");
		assertError(this.http.postJson(E + "/thaw?%61ction=freeze"), 400, "path only");
		assertError(this.http.postJson(E + "/cpus/0/online?action=cpus&action=1&action=offline"), 400, "path only");
		assertError(this.http.post(E + "/thaw", "application/json", "{\"action\":\"freeze\"}"), 400, "path only");
		assertError(this.http.post(E + "/cpus/1/online", "application/json", "{\"action\":\"cpus/1/offline\"}"), 400,
				"path only");
		assertError(this.http.post(E + "/freeze", "application/json", "{\"action\":null}"), 400, "path only");
		assertError(this.http.get(E + "/events?name=thumbnails"), 400, "path only");
		assertUnchanged();

		// parameters and fields with other names reach nothing: the path's operation runs
		assertThat(this.http.post(E + "/freeze?name=thaw&cpu=1", "application/json", "{\"resource\":\"disks\"}")
			.status()).isEqualTo(200);
		assertThat(this.system.isFrozen()).isTrue();
		assertThat(this.system.isOnline(1)).isTrue();
	}

	@Test
	void writesTakeJsonOnly() {
		// what a cross-site HTML form or no-cors fetch can send: no Content-Type, or a CORS-safelisted one
		assertRefusedContentType(this.http.post(E + "/freeze"));
		assertRefusedContentType(this.http.post(E + "/freeze", "text/plain", "{}"));
		assertRefusedContentType(this.http.post(E + "/freeze", "application/x-www-form-urlencoded", "a=b"));
		Http.Response multipart = this.http.post(E + "/freeze", "multipart/form-data; boundary=x", "--x--");
		assertThat(multipart.status()).as(multipart.body()).isEqualTo(multipartStatus());
		assertRefusedContentType(this.http.post(E + "/cpus/1/offline"));
		// a wildcard names no type
		assertRefusedContentType(this.http.post(E + "/freeze", "*/*", "{}"));
		assertRefusedContentType(this.http.post(E + "/freeze", "application/*", "{}"));
		assertUnchanged();

		// the dashboard's request, a JSON POST without a body, and actuator's own JSON type
		assertThat(this.http.postJson(E + "/freeze").status()).isEqualTo(200);
		assertThat(this.http.post(E + "/thaw", "application/json", null).status()).isEqualTo(200);
		assertThat(this.http.post(E + "/freeze", "application/json; charset=UTF-8", "{}").status()).isEqualTo(200);
		assertThat(this.system.isFrozen()).isTrue();
		assertThat(this.http.post(E + "/thaw", "application/vnd.spring-boot.actuator.v3+json", "{}").status())
			.isEqualTo(200);
		assertThat(this.system.isFrozen()).isFalse();
	}

	private void assertUnchanged() {
		assertThat(this.system.isFrozen()).isFalse();
		assertThat(this.system.isOnline(0)).isTrue();
		assertThat(this.system.isOnline(1)).isTrue();
	}

	private static Map<String, Object> json(Http.Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(response.contentType()).contains("json");
		return response.read("$");
	}

	private static void assertError(Http.Response response, int status, String message) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.contentType()).contains("json");
		assertThat(response.<Map<String, Object>>read("$")).containsOnlyKeys("error");
		assertThat((String) response.read("$.error")).contains(message);
	}

	/** 415 from Spring MVC or WebFlux, before the endpoint, with Spring Boot's JSON error body. */
	private static void assertRefusedContentType(Http.Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(415);
		assertThat(response.contentType()).contains("json");
		assertThat(response.<Integer>read("$.status")).isEqualTo(415);
		assertThat((String) response.read("$.error")).isEqualTo("Unsupported Media Type");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean(destroyMethod = "close")
		WorkqueueSystem workqueueSystem() {
			return WorkqueueSystem.builder().cpus(2).build();
		}

		@Bean
		Workqueue thumbnails(WorkqueueSystem system) {
			return system.allocWorkqueue("thumbnails", Set.of(WorkqueueFlag.CPU_INTENSIVE, WorkqueueFlag.MEM_RECLAIM),
					4);
		}

	}

}
