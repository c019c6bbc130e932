package dev.cmwq.autoconfigure.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.jayway.jsonpath.JsonPath;
import dev.cmwq.core.SystemSnapshot;
import dev.cmwq.core.Workqueue;
import dev.cmwq.core.WorkqueueFlag;
import dev.cmwq.core.WorkqueueSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * The {@code workqueues} endpoint over real HTTP, write access granted, fed malformed and hostile requests: odd
 * paths, huge and negative CPUs, unknown names, wrong methods, garbage bodies, content types other than JSON (what a
 * cross-site form or no-cors fetch sends), query parameters and body fields that try to override the path. The POSTs
 * of the path rows are sent as JSON, as the write operation takes them. Every request answers 4xx (never 5xx) with a
 * JSON body that has an {@code error} field, except where Tomcat refuses the request line before Spring sees it; and
 * no request changes anything: after each one, and after the whole table, the frozen flag, the CPUs and the
 * workqueues are as before.
 *
 * <p>Requests go over a plain socket ({@link RawHttp}), byte for byte as written here, so that dot segments,
 * malformed escapes and raw UTF-8 reach the server unchanged.
 */
// closed after the class: its WorkqueueSystem's threads must not outlive it (engine tests count threads)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=workqueues",
				"management.endpoint.workqueues.access=unrestricted" })
class HostileEndpointInputWebTests {

	private static final String E = "/actuator/workqueues";

	/** Who answers: the endpoint ({"error": "..."} only), Spring Boot's error handling, or Tomcat itself. */
	enum By {

		/** The endpoint: a JSON body with exactly one field, "error". */
		ENDPOINT,

		/**
		 * Spring MVC, before the endpoint (no operation for the path or method, unreadable or unsupported body):
		 * Spring Boot's error body, JSON with "timestamp", "status", "error" (the reason phrase, such as "Method
		 * Not Allowed") and "path".
		 */
		FRAMEWORK,

		/**
		 * Tomcat, while parsing the request line, before any filter or servlet: its HTML "HTTP Status 400 – Bad
		 * Request" page (request line above max-http-request-header-size, raw non-ASCII bytes, %00, malformed
		 * escapes, encoded '/' or '\'). Nothing the endpoint could make JSON; the request never reaches Spring.
		 */
		TOMCAT

	}

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	private String baseline;

	static Stream<Arguments> requests() {
		List<Arguments> rows = new ArrayList<>();
		// unknown names, odd paths, long and unicode names (GET); every path below the endpoint reaches it
		get(rows, 404, By.ENDPOINT, "/nope", "/%2e%2e", "/..", "/.", "/cpus", "/freeze", "/thaw", "/%20",
				"/nope?x=1", "/%3Cscript%3E", "/%C3%BCn%C3%AFc%C3%B8d%C3%A9", "/" + "x".repeat(7_000),
				"/EVENTS", "/events%20", "/cpus?action=freeze", "/", "/cpus/", "/cpus/0", "/cpus/0/offline",
				"/cpus/1/online", "/x/y/z", "/cpus/0/offline/extra", "/freeze/extra", "/../../etc/passwd",
				"/%2e%2e/%2e%2e/etc/passwd", "/;name=events", "/..;/..;/");
		// a selector from the query string instead of the path
		get(rows, 400, By.ENDPOINT, "/nope?name=thumbnails", "/events?name=nope", "/nope?name=", "/nope?name",
				"/events?name=events&name=x");
		get(rows, 400, By.TOMCAT, "/" + "x".repeat(10_000), "/ünïcødé", "/%00", "/events%00", "/%ZZ", "/%",
				"/a%2Fb", "/a%5Cb");
		// odd paths, unknown actions and resources, huge and negative and malformed CPUs (JSON POSTs, which the
		// write operation takes)
		post(rows, 400, By.ENDPOINT, "/bogus", "/nope", "/FREEZE", "/Thaw", "/%2e%2e", "/..", "/.", "/cpus/",
				"/%C3%BCn%C3%AFc%C3%B8d%C3%A9", "/" + "x".repeat(7_000), "/cpus/one/online", "/cpus/0/explode",
				"/cpus/1/OFFLINE", "/cpus/%2e%2e/offline", "/cpus/1.0/offline", "/cpus/0x1/offline",
				"/cpus/1e0/offline", "/cpus/+1/offline", "/cpus/01/offline", "/cpus/-0/offline",
				"/cpus/%D9%A1/offline", "/cpus/%EF%BC%91/offline", "/cpus/1%20/offline", "/cpus/%201/offline",
				"/cpus/%09/offline", "/cpus/1,0/offline", "/cpus/--1/offline");
		// a selector from the query string instead of the path
		post(rows, 400, By.ENDPOINT, "/thaw?action=freeze", "/cpus/0/online?cpu=1&action=offline",
				"/cpus/1/offline?action=online", "/disks/0/online?resource=cpus&cpu=1&action=offline",
				"/thaw?%61ction=freeze", "/thaw?action=cpus&action=1&action=offline", "?action=freeze");
		post(rows, 404, By.ENDPOINT, "/cpus/2/offline", "/cpus/7/online", "/cpus/-1/offline", "/cpus/-1/online",
				"/cpus/2147483647/offline", "/cpus/2147483648/offline", "/cpus/-2147483648/offline",
				"/cpus/-2147483649/offline", "/cpus/99999999999999999999/offline",
				"/cpus/" + "9".repeat(7_000) + "/offline", "/disks/1/offline", "", "/", "/cpus/0/",
				"/cpus/0/offline/extra", "/freeze/extra", "/cpus/1/../0/offline",
				"/../workqueues/freeze" /* resource "..", cpu "workqueues", action "freeze" */);
		// Tomcat refuses the request line and closes the connection: sent without a body, which it would not read
		for (String path : List.of("/" + "x".repeat(10_000), "/cpus/%00/offline", "/fr%ZZeeze", "/cpus/1%2F/offline")) {
			rows.add(arguments("POST", E + path, null, null, 400, By.TOMCAT));
		}
		// wrong methods on every path
		for (String method : List.of("PUT", "DELETE", "PATCH", "TRACE", "FOO")) {
			for (String path : List.of("", "/nope", "/events", "/freeze", "/thaw", "/cpus/1/offline", "/cpus/1/online",
					"/cpus/0/offline")) {
				rows.add(arguments(method, E + path, null, null, 405, By.FRAMEWORK));
			}
		}
		// garbage bodies, selectors in the body, and content types other than JSON on the POSTs
		for (String path : List.of("/freeze", "/thaw", "/cpus/1/offline", "/cpus/1/online")) {
			boolean all = path.equals("/freeze") || path.equals("/cpus/1/offline"); // the others: a sample, for time
			for (String garbage : all ? List.of("{", "{\"a\":", "[1,2]", "\"freeze\"", "42", "nul", "{\"a\":1}}",
					"\u0000\u0001", "{\"x\":" + "[".repeat(5_000), "x".repeat(1_000_000)) : List.of("{", "[1,2]")) {
				body(rows, path, "application/json", garbage, 400, By.FRAMEWORK);
			}
			body(rows, path, "application/vnd.spring-boot.actuator.v3+json", "{", 400, By.FRAMEWORK);
			body(rows, path, "application/json", "{\"action\":\"freeze\"}", 400, By.ENDPOINT);
			body(rows, path, "application/json", "{\"cpu\":\"0\",\"action\":\"offline\"}", 400, By.ENDPOINT);
			body(rows, path, "application/json", "{\"action\":[\"cpus\",\"1\",\"offline\"]}", 400, By.FRAMEWORK);
			body(rows, path, "application/json", "{\"action\":null}", 400, By.ENDPOINT);
			// what a cross-site HTML form or no-cors fetch can send: no Content-Type or a CORS-safelisted one
			body(rows, path, null, null, 415, By.FRAMEWORK);
			for (String type : List.of("application/xml", "text/plain", "application/x-www-form-urlencoded",
					"multipart/form-data; boundary=x", "application/json; charset=bogus", "%%%", "application/",
					"image/png", "json", "application/jsonx", "text/plain; charset=UTF-8", "application/json-seq")) {
				body(rows, path, type, "action=freeze", 415, By.FRAMEWORK);
			}
			// a wildcard names no type: refused like any other the operation does not take
			for (String type : List.of("*/*", "application/*", "*/json", "application/*+json", " */* ; q=1")) {
				body(rows, path, type, "{}", 415, By.FRAMEWORK);
			}
		}
		return rows.stream();
	}

	private static void get(List<Arguments> rows, int status, By by, String... paths) {
		for (String path : paths) {
			rows.add(arguments("GET", E + path, null, null, status, by));
		}
	}

	/** POSTs as the dashboard sends them: Content-Type application/json and the body {}. */
	private static void post(List<Arguments> rows, int status, By by, String... paths) {
		for (String path : paths) {
			rows.add(arguments("POST", E + path, "application/json", "{}", status, by));
		}
	}

	private static void body(List<Arguments> rows, String path, String contentType, String body, int status, By by) {
		rows.add(arguments("POST", E + path, contentType, body, status, by));
	}

	@BeforeAll
	void takeBaseline() {
		this.baseline = state(this.system.snapshot());
		assertThat(this.system.isFrozen()).isFalse();
		assertThat(this.system.isOnline(0)).isTrue();
		assertThat(this.system.isOnline(1)).isTrue();
	}

	@ParameterizedTest(name = "[{index}] {0} {1} [{2}] -> {4} by {5}")
	@MethodSource("requests")
	void answers4xxWithAJsonErrorAndChangesNothing(String method, String target, String contentType, String body,
			int status, By by) {
		RawHttp.Response response = new RawHttp(this.port).send(method, target, contentType, body);
		String after = state(this.system.snapshot());
		restore(); // so that one bad row does not fail all the rows after it

		assertThat(after).as("state after %s %s", method, abbreviate(target)).isEqualTo(this.baseline);
		assertThat(response.status()).as(response.describe()).isBetween(400, 499).isEqualTo(status);
		switch (by) {
			case ENDPOINT -> {
				assertThat(response.contentType()).as(response.describe()).contains("json");
				Map<String, Object> json = JsonPath.read(response.body(), "$");
				assertThat(json).as(response.describe()).containsOnlyKeys("error");
				assertThat((String) json.get("error")).isNotBlank().hasSizeLessThan(300);
			}
			case FRAMEWORK -> {
				assertThat(response.contentType()).as(response.describe()).contains("json");
				Map<String, Object> json = JsonPath.read(response.body(), "$");
				assertThat(json).as(response.describe()).containsKey("error").containsEntry("status", status);
				assertThat((String) json.get("error")).isNotBlank();
			}
			case TOMCAT -> assertThat(response.body()).as(response.describe()).contains("400");
		}
	}

	/**
	 * What the endpoint takes still works: a JSON POST with no body, an empty object or unrelated fields, actuator's
	 * own JSON type, unrelated query parameters (they reach no argument), and paths with empty segments, which
	 * actuator drops ({@code /freeze/} is {@code /freeze}, never another operation).
	 */
	@Test
	void wellFormedRequestsStillWork() {
		RawHttp http = new RawHttp(this.port);
		try {
			assertAnswers(http.send("POST", E + "/freeze", "application/json", "{}"), () -> this.system.isFrozen());
			assertAnswers(http.send("POST", E + "/thaw?verbose=true", "application/json", null),
					() -> !this.system.isFrozen());
			assertAnswers(http.send("POST", E + "/cpus/1/offline", "application/json", "{\"force\":true}"),
					() -> !this.system.isOnline(1));
			assertAnswers(http.send("POST", E + "/cpus/1/online", "application/vnd.spring-boot.actuator.v3+json", ""),
					() -> this.system.isOnline(1));
			assertAnswers(http.send("POST", E + "/freeze?name=thaw", "application/json", "{\"resource\":\"disks\"}"),
					() -> this.system.isFrozen());
			assertAnswers(http.send("POST", E + "/thaw/", "application/json", "{}"), () -> !this.system.isFrozen());
			assertAnswers(http.send("POST", E + "//freeze", "application/json", "{}"), () -> this.system.isFrozen());
			assertAnswers(http.send("POST", E + "/cpus/1/offline/", "application/json", "{}"),
					() -> !this.system.isOnline(1));
			for (String path : List.of("/thumbnails?cache=0", "/thumbnails/", "//thumbnails")) {
				RawHttp.Response queue = http.send("GET", E + path, null, null);
				assertThat(queue.status()).as(queue.describe()).isEqualTo(200);
				assertThat((String) JsonPath.read(queue.body(), "$.name")).isEqualTo("thumbnails");
			}
		}
		finally {
			restore();
		}
	}

	private static void assertAnswers(RawHttp.Response response, BooleanSupplier changed) {
		assertThat(response.status()).as(response.describe()).isEqualTo(200);
		assertThat(changed.getAsBoolean()).as(response.describe()).isTrue();
	}

	@AfterAll
	void nothingChanged() {
		SystemSnapshot snapshot = this.system.snapshot();
		assertThat(state(snapshot)).isEqualTo(this.baseline);
		assertThat(snapshot.frozen()).isFalse();
		assertThat(snapshot.cpus()).allSatisfy((cpu) -> assertThat(cpu.online()).isTrue());
		assertThat(snapshot.workqueues()).extracting((wq) -> wq.name())
			.containsExactly("events", "events_highpri", "events_long", "events_unbound", "events_freezable",
					"thumbnails");
	}

	/** Undoes what a request could have changed, after the state was read. */
	private void restore() {
		this.system.thaw();
		for (int cpu = 0; cpu < this.system.cpus(); cpu++) {
			this.system.cpuOnline(cpu);
		}
	}

	/** What the write operations could change: the frozen flag, the CPUs, and the workqueues with their settings. */
	static String state(SystemSnapshot snapshot) {
		StringBuilder state = new StringBuilder("frozen=" + snapshot.frozen() + " cpus=" + snapshot.cpus());
		snapshot.workqueues()
			.forEach((wq) -> state.append(' ')
				.append(wq.name())
				.append(wq.flags())
				.append(" maxActive=")
				.append(wq.maxActive())
				.append(wq.ordered() ? " ordered" : ""));
		return state.toString();
	}

	private static String abbreviate(String s) {
		return (s.length() > 100) ? s.substring(0, 80) + "...(" + s.length() + " characters)" : s;
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
			return system.allocWorkqueue("thumbnails", Set.of(WorkqueueFlag.CPU_INTENSIVE), 4);
		}

	}

}
