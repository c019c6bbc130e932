package dev.cmwq.sample;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.cmwq.core.WorkqueueSystem;
import dev.cmwq.sample.load.LoadGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample with {@code sample.security.login=session}: Spring Security's login form, a session and CSRF protection
 * with the token in the session (its defaults). The dashboard's {@code config.json} hands out the token, and the
 * endpoint's and the load switch's {@code POST}s need it; the open shop API does not.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "sample.security.login=session")
class SessionLoginTests {

	private static final Pattern CSRF_INPUT = Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");

	@LocalServerPort
	int port;

	@Autowired
	WorkqueueSystem system;

	@Autowired
	LoadGenerator load;

	private Http http;

	@BeforeEach
	void setUp() {
		this.http = new Http(this.port);
	}

	@AfterEach
	void restore() {
		this.system.thaw();
		this.load.switchOff();
	}

	@Test
	void anOperatorsSessionFreezesWithTheTokenFromConfigJsonAndIsRefusedWithoutIt() {
		Http operator = signIn("operator", "operator");
		Map<String, String> csrf = operator.get("/cmwq/config.json").read("$.csrf");
		assertThat(csrf).containsEntry("header", "X-CSRF-TOKEN").containsKey("token");

		Http.Response withoutToken = operator.postJson("/actuator/workqueues/freeze", "{}");
		assertThat(withoutToken.status()).isEqualTo(403);
		assertThat(this.system.isFrozen()).isFalse();

		Http.Response withToken = operator.withHeader(csrf.get("header"), csrf.get("token"))
			.postJson("/actuator/workqueues/freeze", "{}");
		assertThat(withToken.status()).isEqualTo(200);
		assertThat(withToken.<Boolean>read("$.frozen")).isTrue();
		assertThat(this.system.isFrozen()).isTrue();
	}

	@Test
	void theLoadSwitchNeedsAnOperatorsSessionAndItsToken() {
		Http anonymous = this.http.withCookies();
		Map<String, String> anonymousCsrf = anonymous.get("/cmwq/config.json").read("$.csrf");
		Http.Response refused = anonymous.withHeader(anonymousCsrf.get("header"), anonymousCsrf.get("token"))
			.post("/api/load/on");
		assertThat(refused.status()).as("anonymous: to the login form").isEqualTo(302);
		assertThat(refused.header("Location")).hasValueSatisfying((location) -> assertThat(location).endsWith("/login"));

		Http viewer = signIn("viewer", "viewer");
		Map<String, String> viewerCsrf = viewer.get("/cmwq/config.json").read("$.csrf");
		assertThat(viewer.withHeader(viewerCsrf.get("header"), viewerCsrf.get("token")).post("/api/load/on").status())
			.isEqualTo(403);
		assertThat(this.http.get("/api/load").<Boolean>read("$.on")).isFalse();

		Http operator = signIn("operator", "operator");
		Map<String, String> csrf = operator.get("/cmwq/config.json").read("$.csrf");
		assertThat(operator.post("/api/load/on").status()).as("without the token").isEqualTo(403);
		Http withToken = operator.withHeader(csrf.get("header"), csrf.get("token"));
		assertThat(withToken.post("/api/load/on").<Boolean>read("$.on")).isTrue();
		assertThat(withToken.post("/api/load/off").<Boolean>read("$.on")).isFalse();
	}

	@Test
	void theOpenShopApiNeedsNoToken() {
		assertThat(this.http.postJson("/api/orders",
				"{\"customer\": \"ada\", \"lines\": [{\"productId\": 7, \"quantity\": 2}]}").status()).isEqualTo(202);
		assertThat(this.http.post("/api/images/77/thumbnail").status()).isEqualTo(202);
	}

	/** Signs in with Spring Security's login form, as a browser does: a client that keeps its session cookie. */
	private Http signIn(String user, String password) {
		Http session = this.http.withCookies();
		Matcher token = CSRF_INPUT.matcher(session.get("/login").body());
		assertThat(token.find()).as("the login form's CSRF field").isTrue();
		Http.Response login = session.postForm("/login",
				Map.of("username", user, "password", password, "_csrf", token.group(1)));
		assertThat(login.status()).isEqualTo(302);
		assertThat(login.header("Location")).hasValueSatisfying((location) -> assertThat(location).doesNotContain("error"));
		return session;
	}

}
